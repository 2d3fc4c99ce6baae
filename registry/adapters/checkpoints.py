"""Signed checkpoints of the log's head (Ed25519), and their keys.

A checkpoint is a small JSON file: the head (``position``, ``hash``, the last ``act``), when it was
signed, and ``signature``, an Ed25519 signature (base64) over the other fields encoded the way the
chain encodes events (sorted keys, no whitespace, UTF-8). Whoever holds the public key can check
later that the log still extends it: the act ending at ``position`` still hashes to ``hash``.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from registry.domain.errors import InvalidInput

FORMAT = "registry-checkpoint/1"


@dataclass(frozen=True)
class Checkpoint:
    position: int
    hash: str
    act: str | None
    signed_at: str

    def fields(self) -> dict[str, Any]:
        return {"format": FORMAT, "position": self.position, "hash": self.hash, "act": self.act,
                "signed_at": self.signed_at}


def _message(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def generate_keys(private_path: Path, public_path: Path) -> None:
    """A new Ed25519 key pair: the private key readable by its owner only."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(private)
    public_path.write_bytes(key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))


def sign(checkpoint: Checkpoint, private_key: Path) -> dict[str, Any]:
    key = _load(private_key, private=True)
    assert isinstance(key, Ed25519PrivateKey)
    fields = checkpoint.fields()
    return {**fields, "signature": base64.b64encode(key.sign(_message(fields))).decode()}


def read_signed(path: Path, public_key: Path) -> Checkpoint:
    """The checkpoint in ``path`` if its signature is valid for ``public_key``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        fields = {k: data[k] for k in ("format", "position", "hash", "act", "signed_at")}
        signature = base64.b64decode(data["signature"], validate=True)
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise InvalidInput(f"{path} is not a checkpoint: {e}", "checkpoint") from None
    if fields["format"] != FORMAT:
        raise InvalidInput(f"{path}: unknown checkpoint format {fields['format']!r}",
                           "checkpoint")
    key = _load(public_key, private=False)
    assert isinstance(key, Ed25519PublicKey)
    try:
        key.verify(signature, _message(fields))
    except InvalidSignature:
        raise InvalidInput(f"{path}: the signature does not match the checkpoint and this "
                           "public key", "checkpoint") from None
    return Checkpoint(int(fields["position"]), str(fields["hash"]), fields["act"],
                      str(fields["signed_at"]))


def now_iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _load(path: Path, private: bool) -> Ed25519PrivateKey | Ed25519PublicKey:
    try:
        raw = path.read_bytes()
        key = (serialization.load_pem_private_key(raw, password=None) if private
               else serialization.load_pem_public_key(raw))
    except (OSError, ValueError, TypeError) as e:
        raise InvalidInput(f"{path}: not a PEM {'private' if private else 'public'} key: {e}",
                           "key") from None
    wanted = Ed25519PrivateKey if private else Ed25519PublicKey
    if not isinstance(key, wanted):
        raise InvalidInput(f"{path}: not an Ed25519 key", "key")
    return key
