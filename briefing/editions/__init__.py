"""Editions: released editions read back, and what changed between two fact bases."""
