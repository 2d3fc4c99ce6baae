"""The bulk rebuild (the whole log folded in memory, each table loaded at once) leaves the very
rows that incremental catch-up, batch by batch, wrote for Vietnam's national reform."""

from __future__ import annotations

from registry import bootstrap
from registry.application.service import Registry


def test_a_rebuild_of_the_national_reform_equals_its_incremental_catch_up(vn_registry: Registry):
    projection = bootstrap.build_projection(vn_registry.log.database.url)
    try:
        projection.page = 2_000  # many batches, acts spanning pages
        projection.catch_up()
        incremental = projection.store.dump()
        assert len(incremental["unit_versions"]) > 10_000
        folded = projection.rebuild()
        assert folded == vn_registry.log.last_id()
        assert projection.store.dump() == incremental
    finally:
        projection.close()
