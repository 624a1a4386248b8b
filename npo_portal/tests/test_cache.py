import os
import uuid

import pytest
import redis

from npo_portal.cache import ReusingRedisCache


def test_the_redis_cache_builds_its_client_once_and_reads_what_it_wrote():
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        if os.environ.get("CI"):
            pytest.fail("CI must run this test: set REDIS_URL.")
        pytest.skip("Needs a Redis server (REDIS_URL).")
    prefix = f"npo-test-{uuid.uuid4().hex[:12]}"
    cache = ReusingRedisCache(redis_url, {"KEY_PREFIX": prefix})
    try:
        cache.set("answer", {"closed": False}, 60)
        assert cache.get("answer") == {"closed": False}
        assert cache.get_or_set("other", lambda: 7, 60) == 7
        assert cache.incr("other") == 8
        client = cache._cache.get_client(write=True)
        assert cache._cache.get_client() is client
        assert cache._cache.get_client(write=True) is client
    finally:
        server = redis.Redis.from_url(redis_url)
        for key in server.keys(f"{prefix}:*"):
            server.delete(key)
