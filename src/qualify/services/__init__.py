"""Use cases: one keyword-only function each; the only layer that commits."""
