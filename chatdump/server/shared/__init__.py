"""State shared by every ``chatdump serve`` instance through Redis (``CHATDUMP_REDIS_URL``).

``keys``: key names and the cached value's encoding (pure). ``link``: every Redis call bounded,
failures turned into a fallback (logged at most once a minute). ``url_cache``: the signed-URL
cache with one upstream flight across instances. ``allowance``: the ``?fresh=1`` allowance per
grant. ``SharedState`` builds them from the settings.
"""

from chatdump.server.shared.state import SharedState

__all__ = ["SharedState"]
