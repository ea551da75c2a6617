"""Run the CLI as `python -m qualify`."""

from qualify.cli.main import run

run()
