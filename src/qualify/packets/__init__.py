"""PDF packets: Jinja templates rendered by WeasyPrint, with a fetcher that reads nothing else."""
