"""Briefing: cited policy briefs from a YAML fact base."""

__version__ = "0.1.0"
