"""``registry verify|checkpoint|keygen``: prove the event log whole, and pin its head.

``verify`` reads the stored rows only (it never replays them into the registry, which a tampered
log could break): it recomputes every act's chain hash and checks the log's structure. Exit 0 on
a whole log; 1 naming the first act and event that was edited, removed or reordered.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from registry.adapters import checkpoints
from registry.adapters.eventstore import Database, EventLog
from registry.domain.errors import InvalidInput
from registry.settings import Settings


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("verify", parents=[common],
                       help="recompute the act hash chain over the whole log and check it")
    p.add_argument("--checkpoint", type=Path, help="a signed checkpoint the log must extend")
    p.add_argument("--public-key", type=Path, help="the PEM public key that signed it")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_verify, without_registry=True)

    p = sub.add_parser("checkpoint", parents=[common],
                       help="verify the log, then sign its head with an Ed25519 key")
    p.add_argument("--key", type=Path, required=True, help="PEM private key (registry keygen)")
    p.add_argument("--output", type=Path, help="write the checkpoint here (default: stdout)")
    p.set_defaults(handler=_checkpoint, without_registry=True)

    p = sub.add_parser("keygen", parents=[common], help="make an Ed25519 key pair for signing checkpoints")
    p.add_argument("private", type=Path, help="where to write the private key (mode 0600)")
    p.add_argument("public", type=Path, help="where to write the public key")
    p.set_defaults(handler=_keygen, without_registry=True)


def _verify(settings: Settings, url: str, args: argparse.Namespace) -> int:
    if (args.checkpoint is None) != (args.public_key is None):
        raise InvalidInput("give --checkpoint and --public-key together", "checkpoint")
    pinned = (checkpoints.read_signed(args.checkpoint, args.public_key)
              if args.checkpoint else None)
    log = EventLog(Database.parse(url))
    try:
        started = time.perf_counter()
        result = log.verify(keep_heads=pinned is not None)
        took = time.perf_counter() - started
    finally:
        log.close()
    problem = str(result.problem) if result.problem else None
    if problem is None and pinned is not None:
        found = result.heads.get(pinned.position)
        if found is None:
            problem = (f"the checkpoint's position {pinned.position} ends no act of this log: "
                       "acts were removed, or the checkpoint is of another log")
        elif found != pinned.hash:
            problem = (f"the act ending at position {pinned.position} now hashes to {found}, "
                       f"not to the checkpoint's {pinned.hash}: the log was rewritten")
    if args.json:
        print(json.dumps({"ok": problem is None, "problem": problem, "events": result.events,
                          "acts": result.acts, "unhashed_acts": result.unhashed,
                          "head": {"position": result.head_position, "hash": result.head_hash},
                          "checkpoint": pinned.fields() if pinned else None,
                          "seconds": round(took, 3)}, ensure_ascii=False))
    if problem is not None:
        if not args.json:
            print(f"registry: the log is not whole: {problem}", file=sys.stderr)
        return 1
    if not args.json:
        print(f"log verified: {result.events:,} events, {result.acts:,} acts, head position "
              f"{result.head_position} hash {result.head_hash} ({took:.2f} s)")
        if result.unhashed:
            print(f"  {result.unhashed} acts were recorded before the chain existed: their hashes "
                  "are recomputed, with nothing stored to compare them to")
        if result.gaps_between_acts:
            print(f"  {result.gaps_between_acts} gaps in positions between acts (PostgreSQL "
                  "skips the ids of refused inserts; every act's events are contiguous)")
        if pinned is not None:
            print(f"  extends the checkpoint signed {pinned.signed_at} at position "
                  f"{pinned.position}")
    return 0


def _checkpoint(settings: Settings, url: str, args: argparse.Namespace) -> int:
    log = EventLog(Database.parse(url))
    try:
        result = log.verify()
    finally:
        log.close()
    if result.problem is not None:
        print(f"registry: not signing, the log is not whole: {result.problem}", file=sys.stderr)
        return 1
    last_act = str(result.head_act) if result.head_act else None
    checkpoint = checkpoints.Checkpoint(result.head_position, result.head_hash, last_act,
                                        checkpoints.now_iso(datetime.now(UTC)))
    text = json.dumps(checkpoints.sign(checkpoint, args.key), indent=2) + "\n"
    if args.output:
        args.output.write_text(text, encoding="utf-8")
        print(f"signed position {result.head_position} hash {result.head_hash} → {args.output}")
    else:
        sys.stdout.write(text)
    return 0


def _keygen(settings: Settings, url: str, args: argparse.Namespace) -> int:
    if args.private.exists():
        raise InvalidInput(f"{args.private} exists; not overwriting a key", "private")
    checkpoints.generate_keys(args.private, args.public)
    print(f"private key: {args.private} (keep it secret)\npublic key: {args.public}")
    return 0
