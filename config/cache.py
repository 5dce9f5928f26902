"""The cache configuration from its URL."""

from __future__ import annotations

from typing import Any

import environ


def cache_config(url: str) -> dict[str, Any]:
    """``CACHES["default"]`` for ``url``. A Redis cache that is down must not take the site
    down: django-redis then answers as if empty (rate limits and throttles let requests
    through, logged) instead of raising."""
    config = environ.Env.cache_url_config(url)
    # django-environ names django-redis's backend or Django's own, depending on what is installed.
    if config["BACKEND"].endswith("RedisCache"):
        config["BACKEND"] = "django_redis.cache.RedisCache"
        config.setdefault("OPTIONS", {}).update(
            {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5}
        )
    return config
