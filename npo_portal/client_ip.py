"""The address a request really comes from, behind the reverse proxies we trust.

Behind the documented TLS proxy every request reaches gunicorn from the proxy's address, so
REMOTE_ADDR is the same for everyone: a lockout keyed on it would let anyone lock a named
user out. The proxy appends the address it saw to X-Forwarded-For; with
PORTAL_TRUSTED_PROXIES proxies in front, the client is that many entries from the right.
Entries further left were written by the client and are never trusted.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or the address our nearest trusted proxy saw."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.PORTAL_TRUSTED_PROXIES
    if proxies <= 0:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    chain = [entry.strip() for entry in forwarded if entry.strip()]
    if len(chain) < proxies:
        return remote  # not sent through all our proxies: what connected is the client
    return _valid(chain[-proxies]) or remote
