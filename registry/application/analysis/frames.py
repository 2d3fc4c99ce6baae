"""``harmonize`` for pandas users: a DataFrame in, a DataFrame out (pandas is the optional
``analysis`` extra; nothing else in the registry needs it)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from registry.application.analysis.harmonize import Spec, harmonize
from registry.domain.errors import InvalidInput
from registry.projections.index import ReadIndex


def _names(value: str | Sequence[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _date(value: date | str, field: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(f"'{value}' is not a date (YYYY-MM-DD)", field) from None


def harmonize_frame(idx: ReadIndex, frame: Any, code_column: str, from_date: date | str,
                    to_date: date | str, level: str | None = None,
                    sum: str | Sequence[str] | None = None,
                    mean: str | Sequence[str] | None = None, weight: str | None = None,
                    category: str | Sequence[str] | None = None, rule: str = "majority",
                    known_at: datetime | None = None) -> Any:
    """The DataFrame's rows (units of ``from_date``) on the units of ``to_date``; the report is
    in ``result.attrs["report"]``. Read codes as strings (``dtype={code_column: str}``):
    a code read as a number has lost its leading zeros."""
    import pandas as pd

    spec = Spec(code_column, _date(from_date, "from_date"), _date(to_date, "to_date"), level,
                _names(sum), _names(mean), weight, _names(category), rule, known_at)
    header = [str(c) for c in frame.columns]
    rows = frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None)
    result = harmonize(idx, header, rows, spec)
    out = pd.DataFrame(result.rows, columns=result.columns)
    for c in spec.sums + spec.means:
        out[c] = pd.to_numeric(out[c])
    out.attrs["report"] = result.report
    return out
