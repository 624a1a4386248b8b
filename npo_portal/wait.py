"""Wait until the database and the broker answer, then exit 0 (1 after the timeout).

The containers' migrate step runs this first: a fresh stack starts PostgreSQL, Redis and the
migration at once, and a migration that finds no database would fail the whole start-up.

    python -m npo_portal.wait --timeout 120
"""

import argparse
import logging
import os
import sys
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=120, help="seconds (default 120)")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "npo_portal.settings")
    import django

    django.setup()
    from django.db import connection

    from npo_portal.health import services_state

    # The health check logs each failure with its traceback; here one line per second says it.
    logging.getLogger("npo_portal.health").setLevel(logging.CRITICAL)
    deadline = time.monotonic() + args.timeout
    while True:
        states = services_state()
        connection.close()
        if all(state in {"ok", "in-process"} for state in states.values()):
            print(f"database and broker answer: {states}", flush=True)
            return 0
        print(f"waiting for the database and the broker: {states}", flush=True)
        if time.monotonic() >= deadline:
            print(f"gave up after {args.timeout:g} s: {states}", file=sys.stderr, flush=True)
            return 1
        time.sleep(1)


if __name__ == "__main__":
    sys.exit(main())
