"""``/v1/codes/{code}/trajectory``: every unit that held a code, with all its lineage."""

from __future__ import annotations

import csv
import io

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from registry.api.responses import JSON
from registry.api.rest.params import Params
from registry.api.services import services
from registry.application.analysis import trajectory as trajectories


def trajectory(request: Request) -> Response:
    p = Params(request, ("level", "known_at", "format"))
    code, level, known_at = p.path_text("code"), p.text("level"), p.moment()
    form = p.choice("format", ("json", "csv"), "json")
    holders = trajectories.trajectory(services(request).reader, code, level, known_at)
    if form == "json":
        return JSON({"code": code, "holders": [h.as_dict() for h in holders]})
    out = io.StringIO()
    writer = csv.DictWriter(out, trajectories.CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(trajectories.csv_rows(holders))
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8")


def routes() -> list[Route]:
    return [Route("/v1/codes/{code}/trajectory", trajectory, methods=["GET"])]
