"""One pipeline: its request, the phases it runs (search, refit, final), their seeds and
the provenance of its result."""
