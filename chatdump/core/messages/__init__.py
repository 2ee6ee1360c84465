"""The widget's words: THE registry of languages, which one a person gets, and the lookup.

A language is one module here (its ``LANGUAGE``) plus one line in ``LANGUAGES``; English (``en``)
is the source and every other language has exactly its keys and placeholders (a test holds them
to it). Pure and stdlib-only: it ships to the browser, where ``browser/locale.py`` formats the
numbers, sizes, dates and plural categories with ``Intl`` and passes them in as text.
"""

from __future__ import annotations

import string
from collections.abc import Iterable

from chatdump.core.messages import ar, de, en, es, fr, ja
from chatdump.core.messages.base import Direction, Language, Message

SOURCE = "en"
LANGUAGES: dict[str, Language] = {
    lang.tag: lang
    for lang in (en.LANGUAGE, de.LANGUAGE, fr.LANGUAGE, es.LANGUAGE, ja.LANGUAGE, ar.LANGUAGE)
}
# A tag is at most this long to be looked at at all: it comes from links and host pages.
MAX_TAG = 35


def supported(tag: str) -> str | None:
    """The supported language for a BCP 47 tag (``de-AT`` → ``de``, ``ja`` → ``ja``), else None."""
    if not tag or len(tag) > MAX_TAG:
        return None
    primary = tag.strip().replace("_", "-").split("-")[0].lower()
    return primary if primary in LANGUAGES else None


def negotiate(requested: str, preferred: Iterable[str]) -> str:
    """The language to speak: the ``lang`` param if supported, else the first supported of the
    browser's ``navigator.languages``, else English."""
    for tag in (requested, *list(preferred)[:20]):
        found = supported(str(tag))
        if found:
            return found
    return SOURCE


def direction(lang: str) -> Direction:
    return LANGUAGES[lang].direction


def has(lang: str, key: str) -> bool:
    return key in LANGUAGES[lang].messages


def text(lang: str, key: str, category: str = "other", /, **values: str) -> str:
    """Message ``key`` in ``lang`` (falling back to English) with ``values`` filled in.

    ``category`` picks a plural form (the ``Intl.PluralRules`` answer for the counted number).
    """
    message = LANGUAGES[lang].messages.get(key, LANGUAGES[SOURCE].messages[key])
    if isinstance(message, dict):
        message = message.get(category, message["other"])
    return message.format_map(values)


def placeholders(message: Message) -> dict[str, set[str]]:
    """The ``{names}`` each form of a message uses (one form, ``""``, for a plain text)."""
    forms = message if isinstance(message, dict) else {"": message}
    return {
        form: {name for _, name, _, _ in string.Formatter().parse(value) if name}
        for form, value in forms.items()
    }


__all__ = [
    "LANGUAGES",
    "SOURCE",
    "Direction",
    "Language",
    "direction",
    "has",
    "negotiate",
    "placeholders",
    "supported",
    "text",
]
