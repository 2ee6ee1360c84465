"""Every header chatdump sets for security or caching, each once (pure: no request, no I/O).

``COMMON_HEADERS`` go on every answer (the middleware adds them); the page adds its CSP.

The Content-Security-Policy allows what PyScript needs and no more. Measured with PyScript 0.7.31 in
Chromium: ``script-src 'self' 'wasm-unsafe-eval'`` alone does NOT boot it, because its bundle builds
functions with ``Function()``; ``'unsafe-eval'`` is required. ``connect-src`` admits the storage that
signed URLs point to: any https host (the storage host is the upstream's to choose), and plain http
only on loopback, like ``chatdump.core.chat_url.check_download_url``.
"""

from __future__ import annotations

from collections.abc import Sequence

from chatdump.core.origins import Ancestors

COMMON_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}
# The runtime under vendor/ lives in versioned folders, so browsers may cache it for good.
IMMUTABLE = "public, max-age=31536000, immutable"
# Answers holding a signed URL: no browser or proxy cache may keep one.
NO_STORE = "no-store"
SCRIPT_SOURCES = "'self' 'unsafe-eval'"
STORAGE_SOURCES = "https: http://127.0.0.1:* http://localhost:*"


def content_security_policy(
    ancestors: Ancestors, *, script_hashes: Sequence[str] = (), style_hashes: Sequence[str] = ()
) -> str:
    """The page's policy; ``*_hashes`` admit its inlined scripts and styles (``server/inline.py``)."""
    directives = {
        "default-src": "'none'",
        "script-src": " ".join([SCRIPT_SOURCES, *script_hashes]),
        "style-src": " ".join(["'self'", *style_hashes]),
        "connect-src": f"'self' {STORAGE_SOURCES}",
        "img-src": "'self' data:",
        "base-uri": "'none'",
        "form-action": "'none'",
        "frame-ancestors": ancestors.csp_value(),
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def page_headers(
    ancestors: Ancestors, *, script_hashes: Sequence[str] = (), style_hashes: Sequence[str] = ()
) -> dict[str, str]:
    policy = content_security_policy(
        ancestors, script_hashes=script_hashes, style_hashes=style_hashes
    )
    return {"Content-Security-Policy": policy, **COMMON_HEADERS}
