"""GraphQL over the read interface: one type per module, loaders per request, limits and caches."""
