"""Run the CLI as `python -m qualify`."""

from qualify.cli.main import run

if __name__ == "__main__":  # worker processes of `packet --jobs` import this module too
    run()
