"""Attachment: finding quotes in their sources, the citations of a fact base, the context and
claims checks, coverage."""
