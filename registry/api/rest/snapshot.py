"""``/v1/snapshot``: every unit on a date (or every unit under one), as JSON or CSV."""

from __future__ import annotations

import csv
import io

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from registry.api.responses import JSON
from registry.api.rest.caching import conditional, frozen_tag
from registry.api.rest.params import Params
from registry.api.services import services

COLUMNS = ("id", "code", "name", "kind", "type", "level", "parent_id", "territory_id",
           "valid_from", "valid_to")


def snapshot(request: Request) -> Response:
    p = Params(request, ("at", "within", "known_at", "format"))
    at, within, known_at = p.at(), p.uuid("within"), p.moment()
    form = p.choice("format", ("json", "csv"), "json")

    def build() -> Response:
        units = [u.as_dict() for u in services(request).reader.snapshot(at, within, known_at)]
        if form == "json":
            return JSON({"at": at.isoformat(), "items": units})
        out = io.StringIO()
        writer = csv.DictWriter(out, COLUMNS, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(units)
        return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="snapshot-{at.isoformat()}.csv"'})

    return conditional(request, frozen_tag(request, [at], known_at), build)


def routes() -> list[Route]:
    return [Route("/v1/snapshot", snapshot, methods=["GET"])]
