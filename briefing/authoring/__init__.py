"""Authoring: starting a desk, adding sources and facts, finding a quote."""
