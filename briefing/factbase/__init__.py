"""The fact base: YAML read with locations, the pydantic models, validation, the desk's
vocabulary and the plan of outputs."""
