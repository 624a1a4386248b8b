"""What every request pays before its page: process CPU of the smallest requests.

    DJANGO_DEBUG=false DJANGO_SECRET_KEY=bench-only \
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/npo_speed_bench \
        python bench/request_floor.py [--code GM1701] [--runs 300]

Median process CPU ms of `/health/live/` (no template) and the accessibility statement (the
base template around a short text), each anonymous and signed in as the municipality's
first policy officer, through Django's handler with the in-process benches' settings. The
difference between anonymous and signed in is the session, the user and what the base
template shows a signed-in user (menu, name, closed notice).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("CACHE_URL", "redis://127.0.0.1:6379/14")

import load
from django.test import Client

from accounts.models import Municipality, Role, User


def median_ms(client: Client, path: str, runs: int) -> float:
    for _ in range(20):
        client.get(path, secure=True)
    spent = []
    for _ in range(runs):
        before = time.process_time()
        client.get(path, secure=True)
        spent.append((time.process_time() - before) * 1000)
    return statistics.median(spent)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--code", default="GM1701")
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()
    load.in_process_settings()
    redis.Redis.from_url(os.environ["CACHE_URL"]).flushdb()
    officer = (
        User.objects.filter(
            municipality=Municipality.objects.get(code=args.code),
            role=Role.POLICY_OFFICER,
            is_active=True,
        )
        .order_by("pk")
        .first()
    )
    signed_in, anonymous = Client(), Client()
    signed_in.force_login(officer)
    for path in ("/health/live/", "/toegankelijkheid/"):
        for label, client in (("anonymous", anonymous), ("signed in", signed_in)):
            print(f"{path} {label}: {median_ms(client, path, args.runs):.2f} ms")


if __name__ == "__main__":
    main()
