"""Where ``chatdump archive`` and the webhook put chats, chosen by the target's URL scheme.

A plain path is a folder (``local``); ``s3://BUCKET/PREFIX`` is an S3-compatible bucket
(``bucket``, needs the ``chatdump[s3]`` extra). One more destination is one more module with an
``open_…(target, jobs)`` function and one line in ``SCHEMES``; each is imported only when asked
for, so boto3 loads only for a bucket. ``jobs`` is how many chats will be saved at once (from as
many threads), which a destination may size its buffers and connections for.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

from chatdump.core import errors
from chatdump.export.destinations.base import Destination, Entry

# scheme -> "module:function" taking the target string and the number of jobs
SCHEMES = {
    "s3": "chatdump.export.destinations.bucket:open_bucket",
}
_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*)://", re.IGNORECASE)


def open_destination(target: str | Path, jobs: int = 1) -> Destination:
    """The destination for ``target``: a folder path, or ``SCHEME://...`` from ``SCHEMES``."""
    text = str(target)
    found = _SCHEME.match(text)
    if found is None:
        from chatdump.export.destinations.local import LocalFolder

        return LocalFolder(Path(text))
    scheme = found.group(1).lower()
    if scheme not in SCHEMES:
        known = ", ".join(f"{name}://" for name in SCHEMES)
        raise errors.ConfigError(
            f"Unknown archive destination {scheme}://; use a folder path or {known}."
        )
    module, _, function = SCHEMES[scheme].partition(":")
    opened: Destination = getattr(importlib.import_module(module), function)(text, jobs)
    return opened


def is_remote(target: str | Path) -> bool:
    return _SCHEME.match(str(target)) is not None


__all__ = ["Destination", "Entry", "is_remote", "open_destination"]
