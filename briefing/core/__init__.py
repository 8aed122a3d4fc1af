"""Core: the project's folders, diagnostics, atomic files and the clock.

Imports nothing of Briefing's."""
