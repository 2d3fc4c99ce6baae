"""Read models: the event log folded into bitemporal rows, and the in-process index over them.

- ``rows``: the row types (unit versions, lineage edges, acts, changes), each with the interval of
  transaction time over which the registry held it true (``recorded_from``/``recorded_to``);
- ``folding``: folds log events into row operations, reusing the domain fold (``OrgRecord.derive``);
- ``runner``: the pull loop that catches projections up page by page, or rebuilds them from zero;
- ``index``: the in-process index the queries read, built from the rows.
"""
