"""State shared by every ``chatdump serve`` instance through Redis (``CHATDUMP_REDIS_URL``).

``keys``: key names and the cached value's encoding (pure). ``link``: every Redis call bounded,
failures turned into a fallback (logged at most once a minute). ``url_cache``: the signed-URL
cache with one upstream flight across instances. ``allowance``: the ``?fresh=1`` allowance per
grant (``fresh``: its per-process form). ``state.SharedState`` builds them from the settings.
Nothing here imports redis until ``CHATDUMP_REDIS_URL`` is set (it costs ~0.2 s at start-up).
"""
