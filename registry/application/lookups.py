"""Lookups that integrators need on top of the Reader's questions: a unit named by its id or its
code, and the export rows (the same columns for ``registry export`` and the REST CSV)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from registry.domain.errors import InvalidInput, NotFound

if TYPE_CHECKING:
    from registry.application.reading import Reader, UnitView

EXPORT_COLUMNS = ("type", "code", "name", "parent_code", "kind", "level", "valid_from",
                  "valid_to", "id", "parent_id")


def unit_ref(reader: Reader, ref: str, dates: tuple[date, ...], known_at: datetime | None,
             field: str = "within", level: str | None = None) -> UUID:
    """The id of the unit ``ref`` names: an id as it is, a code as held on the first of ``dates``
    on which some unit held it (a diff's ``within`` may exist on either of its dates)."""
    try:
        return UUID(ref)
    except ValueError:
        pass
    last: NotFound | None = None
    for on in dates:
        try:
            return reader.by_code(ref, on, level, known_at).unit.id
        except NotFound as e:
            last = e
        except InvalidInput as e:
            raise InvalidInput(f"{e.detail}; give the unit's id instead", field) from None
    assert last is not None
    raise last


def export_rows(reader: Reader, units: list[UnitView], on: date,
                known_at: datetime | None) -> list[dict[str, Any]]:
    """Each unit as a dict with its superior's code (``parent_code``) beside its own fields."""
    codes = {u.id: u.code for u in units}
    rows = []
    for u in units:
        parent_code = codes.get(u.parent_id) if u.parent_id else None
        if u.parent_id and u.parent_id not in codes:
            parent_code = reader.unit(u.parent_id, on, known_at).code
        rows.append({**u.as_dict(), "parent_code": parent_code})
    return rows
