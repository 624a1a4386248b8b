"""The locust users of bench/load.py (it writes the plan this reads and starts locust).

DashboardOfficer: one finance officer's dashboard, requested again as soon as it arrives.
MixedOfficer: an officer of one of many municipalities who opens one of its pages every 2-5 s.

FastHttpUser (geventhttpclient) rather than HttpUser (requests): the client shares the two
cores with the server, and it spends several times less CPU per request.
"""

import json
import os
import random
from pathlib import Path

from locust import FastHttpUser, between, constant, task

PLAN = json.loads(Path(os.environ["NPO_LOAD_PLAN"]).read_text())
# gunicorn listens on 127.0.0.1 behind the (absent) TLS proxy, which would set this header.
PROXY = {"X-Forwarded-Proto": "https"}


def get(user: FastHttpUser, name: str, path: str, cookie: str) -> None:
    headers = {**PROXY, "Cookie": cookie}
    with user.client.get(
        path, headers=headers, name=name, allow_redirects=False, catch_response=True
    ) as response:
        if response.status_code != 200:
            response.failure(f"HTTP {response.status_code}")


class DashboardOfficer(FastHttpUser):
    wait_time = constant(0)

    @task
    def dashboard(self) -> None:
        target = PLAN["dashboard"]
        get(self, "finance dashboard", target["path"], target["cookie"])


class MixedOfficer(FastHttpUser):
    wait_time = between(2, 5)

    def on_start(self) -> None:
        self.municipality = random.choice(PLAN["municipalities"])  # noqa: S311 - load mix

    @task
    def some_page(self) -> None:
        name, path, role = random.choice(self.municipality["pages"])  # noqa: S311
        get(self, name, path, self.municipality["cookies"][role])
