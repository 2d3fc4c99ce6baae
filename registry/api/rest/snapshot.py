"""``/v1/snapshot``: every unit on a date (or every unit under one), as JSON or CSV.

CSV is its own media type: ``/v1/snapshot.csv``, or ``/v1/snapshot`` with ``Accept: text/csv``
(or ``format=csv``). Its columns are ``registry export``'s.
"""

from __future__ import annotations

import csv
import io

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from registry.api.responses import JSON
from registry.api.rest.caching import conditional, frozen_tag
from registry.api.rest.params import Params, unit_ref
from registry.api.services import services
from registry.application.lookups import EXPORT_COLUMNS, export_rows

CSV_MEDIA = "text/csv; charset=utf-8"


def snapshot(request: Request) -> Response:
    return _snapshot(request, ("at", "within", "known_at", "format"))


def snapshot_csv(request: Request) -> Response:
    return _snapshot(request, ("at", "within", "known_at"), csv_only=True)


def _snapshot(request: Request, allowed: tuple[str, ...], csv_only: bool = False) -> Response:
    p = Params(request, allowed)
    at, known_at = p.at(), p.moment()
    within = unit_ref(request, p.text("within"), (at,), known_at)
    form = "csv" if csv_only else p.choice("format", ("json", "csv"), negotiated(request))

    def build() -> Response:
        reader = services(request).reader
        units = reader.snapshot(at, within, known_at)
        if form == "json":
            return JSON({"at": at.isoformat(), "items": [u.as_dict() for u in units]},
                        headers={"Vary": "Accept"})
        out = io.StringIO()
        writer = csv.DictWriter(out, EXPORT_COLUMNS, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(export_rows(reader, units, at, known_at))
        return Response(out.getvalue(), media_type=CSV_MEDIA, headers={
            "Content-Disposition": f'attachment; filename="snapshot-{at.isoformat()}.csv"',
            "Vary": "Accept"})

    return conditional(request, frozen_tag(request, [at], known_at, form), build)


def negotiated(request: Request) -> str:
    """CSV when the client prefers text/csv to JSON (a bare ``*/*`` gets JSON)."""
    accept = request.headers.get("accept", "")
    best: dict[str, float] = {}
    for part in accept.split(","):
        media, *params = (s.strip() for s in part.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        best[media.lower()] = max(q, best.get(media.lower(), 0.0))
    csv_q = best.get("text/csv", 0.0)
    json_q = max(best.get("application/json", 0.0), best.get("*/*", 0.0) - 0.001)
    return "csv" if csv_q > json_q else "json"


def routes() -> list[Route]:
    return [Route("/v1/snapshot", snapshot, methods=["GET"]),
            Route("/v1/snapshot.csv", snapshot_csv, methods=["GET"])]
