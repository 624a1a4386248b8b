"""A deployment check: the API's throttle counts per process unless the cache is shared."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.caches, deploy=True)
def throttle_cache_is_shared(app_configs, **kwargs):
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith(("LocMemCache", "DummyCache")):
        return [
            Warning(
                "The API's throttle counts in each process's own memory: behind several "
                "gunicorn workers a token gets API_THROTTLE_RATE per worker.",
                hint="Set CACHE_URL to a Redis database of its own, e.g. redis://host:6379/1.",
                id="api.W001",
            )
        ]
    return []
