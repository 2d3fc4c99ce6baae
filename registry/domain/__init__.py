"""Pure domain: organisations, acts, events, rules and the temporal timeline."""
