"""The page as ``chatdump serve`` sends it: its own small stylesheets and scripts inlined, each
admitted by its hash in the Content-Security-Policy.

Why: a stylesheet or a classic script in the head holds back the first paint until it has
arrived, and on a busy server each of them waits behind the runtime's multi-megabyte downloads.
Inlined, the HTML alone paints the button (with its early-click script already listening). The
repo's ``index.html`` keeps its ``<link>`` and ``<script src>`` tags, so a static host serves it
as it is; only files of the page's own ``browser/`` folder are inlined, and the policy still
admits no other inline code (no ``'unsafe-inline'``). Pure: the caller reads the files.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

STYLESHEET = re.compile(r'<link rel="stylesheet" href="\./(browser/[\w.-]+\.css)">')
SCRIPT = re.compile(r'<script src="\./(browser/[\w.-]+\.js)"></script>')
# What would end an inlined element early, or change how the parser reads a script's text.
BREAKOUTS = ("</style", "</script", "<!--", "<script")


@dataclass(frozen=True)
class InlinedPage:
    html: str
    script_hashes: tuple[str, ...]  # CSP sources: 'sha256-…'
    style_hashes: tuple[str, ...]


def csp_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def inline_page(html: str, read: Callable[[str], str]) -> InlinedPage:
    """``html`` with the page's own stylesheets and scripts inlined; ``read(path)`` gives a file's
    text by its path relative to the page."""
    scripts: list[str] = []
    styles: list[str] = []

    def inline(tag: str, found: list[str]) -> Callable[[re.Match[str]], str]:
        def replace(match: re.Match[str]) -> str:
            text = read(match[1])
            if any(breakout in text.lower() for breakout in BREAKOUTS):
                raise ValueError(f"{match[1]} cannot be inlined: it holds one of {BREAKOUTS}")
            found.append(csp_hash(text))
            return f"<{tag}>{text}</{tag}>"

        return replace

    html = STYLESHEET.sub(inline("style", styles), html)
    html = SCRIPT.sub(inline("script", scripts), html)
    return InlinedPage(html, tuple(scripts), tuple(styles))
