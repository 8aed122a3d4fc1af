"""The check: every rule a fact base must pass before anything is written."""
