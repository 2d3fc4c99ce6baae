"""``registry serve`` (the HTTP interfaces under uvicorn) and ``registry token …`` (API tokens)."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from registry.settings import Settings


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("serve", parents=[common],
                       help="serve REST (/v1), GraphQL (/graphql) and the explorer (/)")
    p.add_argument("--host", help="address to listen on (default: $REGISTRY_HOST or 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default: $REGISTRY_PORT or 8000)")
    p.add_argument("--no-access-log", action="store_true", help="do not log every request")
    p.add_argument("--no-project", action="store_true",
                   help="only read: leave folding the log to `registry project` or another "
                        "server (required on a hot standby)")
    p.add_argument("--workers", type=int, default=1,
                   help="processes serving the same port (each with its own index)")
    p.set_defaults(handler=_serve, without_registry=True)

    token = sub.add_parser("token", help="API tokens: create, revoke, list")
    tsub = token.add_subparsers(dest="token_command", required=True)
    p = tsub.add_parser("create", parents=[common],
                        help="create a recording token and print it (shown only this once)")
    p.add_argument("name", help="the holder; recorded acts name 'token:<name>#<id>' as actor")
    p.add_argument("--expires", type=lifetime, default=None, metavar="DAYS|DATE",
                   help="days from now (90, 30d) or a date (YYYY-MM-DD, midnight UTC); "
                        "default 90 days")
    p.add_argument("--role", choices=("recorder",), default="recorder",
                   help="recorder, the only role: reads are public and need no token")
    p.set_defaults(handler=_create, without_registry=True)
    p = tsub.add_parser("revoke", parents=[common],
                        help="revoke every token of a holder; the name is never given again")
    p.add_argument("name")
    p.set_defaults(handler=_revoke, without_registry=True)
    p = tsub.add_parser("list", parents=[common], help="tokens and their state (never secrets)")
    p.set_defaults(handler=_list, without_registry=True)


def lifetime(value: str) -> Callable[[datetime], datetime]:
    """``--expires``: a number of days (``90``, ``30d``) or a date; the moment, given now."""
    days = value.removesuffix("d")
    if days.isdigit():
        if not 1 <= int(days) <= 3660:
            raise argparse.ArgumentTypeError("between 1 and 3660 days")
        return lambda now: now + timedelta(days=int(days))
    try:
        on = date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{value}' is neither a number of days nor a date (YYYY-MM-DD)") from None
    return lambda now: datetime(on.year, on.month, on.day, tzinfo=UTC)


def _serve(settings: Settings, url: str, args: argparse.Namespace) -> int:
    import uvicorn

    from registry.adapters.database import Database

    database = Database.parse(url)  # a malformed URL fails here, before anything starts
    host = args.host or settings.host
    port = args.port or settings.port
    # Every worker builds its application from the environment (uvicorn starts them afresh).
    os.environ[DATABASE] = url
    os.environ[PROJECT] = "0" if args.no_project else "1"
    app: Any = FACTORY if args.workers > 1 else app_from_environment()
    shown = f"[{host}]" if ":" in host else host
    role = "reading only" if args.no_project else "reading, projecting when it holds the lock"
    print(f"registry: serving {database.shown} ({role}; {args.workers} worker(s))",
          file=sys.stderr)  # password masked
    print(f"registry: GraphiQL at http://{shown}:{port}/graphql, REST at "
          f"http://{shown}:{port}/v1 (contract: /openapi.yaml, reference: /docs), explorer at "
          f"http://{shown}:{port}/", file=sys.stderr, flush=True)
    uvicorn.run(app, host=host, port=port, access_log=not args.no_access_log,
                log_level="info", proxy_headers=False, workers=args.workers,
                factory=args.workers > 1)
    return 0


DATABASE, PROJECT = "REGISTRY_DATABASE_URL", "REGISTRY_PROJECT"
FACTORY = "registry.cli.serve:app_from_environment"


def app_from_environment() -> Any:
    """One serving process: the index and its follower thread, the lazy write side, the app."""
    from registry import bootstrap
    from registry.api.app import create_app

    # Handlers that compute (a search, a GraphQL page) run in threads; the event loop must get the
    # interpreter back quickly to answer everything else: hand it over every millisecond, not 5.
    sys.setswitchinterval(0.001)
    # The index is frozen out of the cyclic collector (ModelSource.freeze); what is left is request
    # garbage. Full collections, which hold the interpreter while they walk every object, are the
    # longest pauses a request sees (p99 of /v1/ping beside heavy reads: 300 ms → 35 ms here):
    # collect young objects less often and the oldest generation rarely.
    gc.set_threshold(2000, 20, 1000)
    settings = Settings.from_env()
    url = settings.database_url
    project = os.environ.get(PROJECT, "1") != "0"
    if project and not bootstrap.read_only(url):
        bootstrap.migrate(url)
    serving = bootstrap.serving(url, project)
    return create_app(settings, serving.registry, serving.reader, on_close=serving.close)


def _store(url: str) -> Any:
    from registry import bootstrap
    from registry.adapters.eventstore import Database
    from registry.adapters.tokens import TokenStore

    bootstrap.migrate(url)
    return TokenStore(Database.parse(url))


def _create(settings: Settings, url: str, args: argparse.Namespace) -> int:
    from registry.application.service import utcnow

    store, now = _store(url), utcnow()
    try:
        token, secret = store.create(args.name, now,
                                     args.expires(now) if args.expires else None, args.role)
    finally:
        store.close()
    print(secret)
    print(f"registry: token '{token.label}' ({token.role}) created, valid until "
          f"{token.expires_at:%Y-%m-%d %H:%M} UTC; it is shown only this once. Send it as "
          f"'Authorization: Bearer <token>'; acts it records name '{token.actor}'.",
          file=sys.stderr)
    return 0


def _revoke(settings: Settings, url: str, args: argparse.Namespace) -> int:
    from registry.application.service import utcnow
    from registry.domain.errors import NotFound

    store = _store(url)
    try:
        count = store.revoke(args.name, utcnow())
    finally:
        store.close()
    if not count:
        raise NotFound(f"no unrevoked token named '{args.name}'")
    print(f"registry: revoked {count} token(s) of '{args.name}'; the name will not be given "
          "again", file=sys.stderr)
    return 0


def _list(settings: Settings, url: str, args: argparse.Namespace) -> int:
    from registry.application.service import utcnow

    store, now = _store(url), utcnow()
    try:
        tokens = store.list()
    finally:
        store.close()
    for t in tokens:
        state = t.state(now)
        if t.revoked_at is not None:
            state += f" {t.revoked_at:%Y-%m-%d %H:%M}"
        print(f"{t.label}\t{t.role}\tcreated {t.created_at:%Y-%m-%d %H:%M}\t"
              f"expires {t.expires_at:%Y-%m-%d %H:%M}\t{state}")
    return 0
