"""Storage: SQLModel tables, engine and migrations, and the helpers that read and write records
inside a caller's transaction. Imports nothing from services/ or packets/."""
