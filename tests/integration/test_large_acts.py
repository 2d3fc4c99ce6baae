"""An act of tens of thousands of events is one transaction on either backend."""

from __future__ import annotations

from datetime import date


def test_an_act_of_25000_registrations_is_recorded_in_one_transaction(registry):
    units = [{"key": "P", "name": "Tỉnh P", "type": "tỉnh", "level": "province", "code": "P"}]
    units += [{"name": f"Xã {i}", "type": "xã", "level": "commune", "code": f"{i:06d}",
               "parent": {"key": "P"}} for i in range(25_000)]
    before = registry.log.last_id()
    result = registry.record({"act": {"kind": "baseline", "effective": "2020-01-01"},
                              "changes": [{"register": {"units": units}}]}, "test")
    assert result.events == 25_002
    assert registry.log.last_id() - before >= 25_002
    with registry.reading() as tl:
        (province,) = tl.by_code("P", date(2020, 1, 1))
        assert len(tl.children(province.id, date(2020, 1, 1))) == 25_000
