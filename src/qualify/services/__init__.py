"""Use cases: one keyword-only function each; the only layer that commits. Beside them the
composers that build on them and the trigger engine (firing, offers); three floors at most."""
