"""Packets: their content built from the records (through store/), rendered by Jinja templates
and WeasyPrint with a fetcher that reads nothing else. Imports nothing from services/."""
