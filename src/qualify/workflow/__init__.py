"""The workflow engine: pure domain code (no database, PDF or CLI imports)."""
