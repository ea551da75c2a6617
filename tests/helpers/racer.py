"""Run one `qualify` command in a real process, at the moment a shared start file appears.

    python -m tests.helpers.racer START_FILE ARGS...

Prints "ready" once qualify and the services are imported, waits for START_FILE, then runs
`qualify ARGS` and exits with its code. Starting many at once makes them really race."""

from __future__ import annotations

import sys
import time
from pathlib import Path


def main() -> int:
    start, args = Path(sys.argv[1]), sys.argv[2:]
    import qualify.services.advance
    import qualify.services.candidates
    import qualify.services.panel
    import qualify.services.users
    from qualify.cli.main import main as qualify

    print("ready", flush=True)
    while not start.exists():
        time.sleep(0.001)
    return qualify(args)


if __name__ == "__main__":
    sys.exit(main())
