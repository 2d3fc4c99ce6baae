"""``Act``: a legal act as recorded. A summary (as cited by an event) loads the rest on demand."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

import strawberry
from strawberry.scalars import JSON

from registry.api.graphql.context import Info


@strawberry.type(description="A legal act: the document behind recorded changes.")
class Act:
    id: strawberry.ID
    number: str | None = strawberry.field(description="null where the exact act is unknown")
    kind: str
    effective: date
    effective_stand_in: bool = strawberry.field(description=(
        "true when the effective date only places the act in time: its true date is unknown"))
    verified: bool
    withdrawn: bool
    row: strawberry.Private[dict[str, Any]]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Act:
        return cls(id=strawberry.ID(row["id"]), number=row.get("number"), kind=row["kind"],
                   effective=date.fromisoformat(row["effective"]),
                   effective_stand_in=row.get("effective_stand_in", False),
                   verified=row["verified"], withdrawn=row["withdrawn"], row=row)

    async def _full(self, info: Info) -> dict[str, Any]:
        if "recorded_at" not in self.row:
            self.row = await info.context.loaders.acts.load(UUID(str(self.id)))
        return self.row

    @strawberry.field
    async def issuer(self, info: Info) -> str | None:
        return (await self._full(info))["issuer"]

    @strawberry.field
    async def signed(self, info: Info) -> date | None:
        value = (await self._full(info))["signed"]
        return date.fromisoformat(value) if value else None

    @strawberry.field
    async def title(self, info: Info) -> str | None:
        return (await self._full(info))["title"]

    @strawberry.field
    async def url(self, info: Info) -> str | None:
        return (await self._full(info))["url"]

    @strawberry.field
    async def note(self, info: Info) -> str | None:
        return (await self._full(info))["note"]

    @strawberry.field(description="who recorded it (token:<name>#<id> through the API)")
    async def actor(self, info: Info) -> str:
        return str((await self._full(info))["actor"])

    @strawberry.field(description="when the registry stored it")
    async def recorded_at(self, info: Info) -> datetime:
        return datetime.fromisoformat((await self._full(info))["recorded_at"])

    @strawberry.field
    async def withdrawn_by(self, info: Info) -> strawberry.ID | None:
        value = (await self._full(info))["withdrawn_by"]
        return strawberry.ID(value) if value else None

    @strawberry.field(description="the act's link in the log's hash chain (SHA-256, hex): "
                      "pin it to prove later that the log still holds this act unchanged")
    async def hash(self, info: Info) -> str | None:
        return (await self._full(info)).get("hash")

    @strawberry.field(description="the act document as recorded")
    async def document(self, info: Info) -> JSON | None:
        if "document" not in self.row:  # a page of acts lists them without their documents
            self.row = await info.context.loaders.acts.load(UUID(str(self.id)))
        return self.row.get("document")


@strawberry.type
class ActPage:
    items: list[Act]
    next: str | None = strawberry.field(description="cursor of the next page; null at the end")
