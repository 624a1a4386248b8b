"""A real OpenID Connect provider on 127.0.0.1: the npm package oidc-provider, run by
tests/oidc/provider.mjs in a child process. No HTTP is mocked: the portal discovers it,
redirects to it, exchanges codes at it and checks its signed ID tokens.

Without node the tests that need it are skipped, except in CI.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from contextlib import contextmanager
from html import unescape
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests

HERE = Path(__file__).resolve().parent / "oidc"
CLIENT_ID = "npo-portal"
CLIENT_SECRET = "npo-portal-test-secret"
OTHER_CLIENT_ID = "npo-portal-other"
ACCOUNTS = {
    "anna": {
        "email": "anna.jansen@middelburg.nl",
        "given_name": "Anna",
        "family_name": "Jansen",
        "groups": ["medewerkers", "npo-financien"],
    },
    "bram": {
        "email": "bram.de.wit@middelburg.nl",
        "given_name": "Bram",
        "family_name": "de Wit",
        "groups": ["npo-beleid"],
    },
    "carla": {"email": "carla@middelburg.nl", "groups": ["kantine"]},
    # Claims to be an administrator: the mapping can never give that role.
    "mallory": {"email": "mallory@middelburg.nl", "groups": ["npo-beheer"]},
}


def _node_ready() -> str | None:
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node:
        return "node is not installed (apt-get install nodejs npm)"
    if not (HERE / "node_modules" / "oidc-provider").exists():
        if not npm:
            return "npm is not installed"
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--prefix", str(HERE)],
            check=True,
            capture_output=True,
        )
    return None


def require_node() -> None:
    problem = _node_ready()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(problem)
        pytest.skip(problem)


@contextmanager
def running_provider(*, redirect_uris: list[str], logout_uris: list[str] = ()):
    """Start a provider with the portal's clients; yields its issuer URL."""
    require_node()
    env = {
        **os.environ,
        "OIDC_TEST_REDIRECT_URIS": ",".join(redirect_uris),
        "OIDC_TEST_LOGOUT_URIS": ",".join(logout_uris),
        "OIDC_TEST_ACCOUNTS": json.dumps(ACCOUNTS),
        "OIDC_TEST_CLIENTS": json.dumps(
            [[CLIENT_ID, CLIENT_SECRET], [OTHER_CLIENT_ID, CLIENT_SECRET]]
        ),
    }
    process = subprocess.Popen(
        [shutil.which("node") or "node", str(HERE / "provider.mjs")],
        cwd=HERE,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = process.stdout.readline()  # blocks until it listens, or it exited
        if not line:
            pytest.fail(f"The OpenID Connect provider did not start (exit {process.wait()}).")
        yield json.loads(line)["issuer"]
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def sign_in_at_provider(authorize_url: str, *, login: str, portal_prefix: str) -> str:
    """As a person in a browser: follow the portal's redirect to the provider, fill in the
    provider's own login form, and return the URL the provider sends back to the portal."""
    browser = requests.Session()
    url = authorize_url
    for _step in range(10):
        if url.startswith(portal_prefix):
            return url
        response = browser.get(url, allow_redirects=False, timeout=10)
        if response.is_redirect:
            url = urljoin(url, response.headers["Location"])
            continue
        form = re.search(
            r'<form[^>]*action="([^"]+)"[^>]*method="post"[^>]*>(.*?)</form>', response.text, re.S
        )
        assert form, f"no login form at {url}: {response.status_code} {response.text[:300]}"
        hidden = dict(
            re.findall(r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form[2])
        )
        response = browser.post(
            urljoin(url, unescape(form.group(1))),
            data={**hidden, "login": login, "password": "any"},
            allow_redirects=False,
            timeout=10,
        )
        assert response.is_redirect, response.text[:300]
        url = urljoin(url, response.headers["Location"])
    raise AssertionError("the provider never sent the browser back to the portal")
