"""Made-up acts for the typed-relation tests: a province, its party committee and People's
Committee, a department under the committee (relation administrative) and in the party committee
of the People's Committee (relation party), and, on 2025-07-01, the department's party relation
moved to another party committee."""

from __future__ import annotations

PARTY_ORG, STATE = "party_organisation", "state_body"
BEFORE, AFTER = "2025-06-30", "2025-07-01"


def _org(code: str, name: str, type_: str, kind: str, **more: object) -> dict:
    return {"key": code, "code": code, "name": name, "type": type_, "kind": kind, **more}


BASELINE = {
    "act": {"kind": "baseline", "effective": "2025-01-01", "title": "Test political system"},
    "changes": [{"register": {"units": [
        {"key": "P", "code": "P9", "name": "Tỉnh Thử", "type": "tỉnh", "level": "province"},
        _org("TU9", "Tỉnh ủy Thử", "tỉnh ủy", PARTY_ORG, territory={"key": "P"}),
        _org("DUB9", "Đảng bộ Ủy ban nhân dân tỉnh Thử", "đảng bộ", PARTY_ORG,
             parent={"key": "TU9"}),
        _org("DCQ9", "Đảng bộ các cơ quan Đảng tỉnh Thử", "đảng bộ", PARTY_ORG,
             parent={"key": "TU9"}),
        _org("UB9", "Ủy ban nhân dân tỉnh Thử", "ủy ban nhân dân", STATE,
             territory={"key": "P"}, party={"key": "DUB9"}),
        _org("SNV9", "Sở Nội vụ tỉnh Thử", "sở", STATE, parent={"key": "UB9"},
             party={"key": "DUB9"}),
    ]}}],
}

MOVE = {
    "act": {"kind": "decision", "effective": AFTER, "title": "Move the party relation"},
    "changes": [{"reassign": {"unit": "SNV9", "party": "DCQ9"}}],
}

# The department would belong to the People's Committee, a state body, along the party relation.
BAD = {
    "act": {"kind": "decision", "effective": AFTER, "title": "A state body as party superior"},
    "changes": [{"reassign": {"unit": "SNV9", "party": "UB9"}}],
}
