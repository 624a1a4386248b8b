"""Requests per token per period (API_THROTTLE_RATE); too many gives 429 with Retry-After.

The counts live in the default cache: shared by every process when CACHE_URL names a Redis
database, per process otherwise (`manage.py check --deploy` warns of that)."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class TokenRateThrottle(SimpleRateThrottle):
    scope = "token"

    def get_rate(self):
        # Read at each request, not at import, so that the setting can be changed in tests.
        return settings.API_THROTTLE_RATE

    def allow_request(self, request, view):
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        token = getattr(request, "auth", None)
        if token is None:
            return None  # refused by authentication anyway
        return self.cache_format % {"scope": self.scope, "ident": token.pk}
