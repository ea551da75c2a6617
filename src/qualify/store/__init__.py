"""Storage: SQLModel tables, engine and migrations."""
