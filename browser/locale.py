"""The widget's language in the browser: the catalogue's words with numbers, sizes, dates and
plural categories from the browser's ``Intl``. Browser I/O only; the words and the choice of
language are ``chatdump.core.messages``.

English says sizes, progress and summaries exactly as the CLI does (``chatdump.core.progress``,
``Summary.describe``): one English for both sides. Every other language takes the core's unit
and fraction and lets ``Intl.NumberFormat`` / ``Intl.PluralRules`` / ``Intl.DateTimeFormat`` say
them in the locale's form (digits, separators, unit names, plural category).
"""

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import js
from pyodide.ffi import to_js

from chatdump.core import messages
from chatdump.core.progress import human_size, progress_fraction, progress_text, size_unit

if TYPE_CHECKING:  # the dump's code loads after ready (browser/widget.py)
    from chatdump.core.dump import Summary

# Intl's names for the core's units (ECMA-402's sanctioned units include these).
INTL_UNITS = {"bytes": "byte", "KB": "kilobyte", "MB": "megabyte", "GB": "gigabyte"}


def _options(values: dict[str, object]) -> Any:
    return to_js(values, dict_converter=js.Object.fromEntries)


def browser_languages() -> list[str]:
    """``navigator.languages`` (the person's order of preference), as plain strings."""
    found = getattr(js.navigator, "languages", None)
    if found is None:
        return [str(js.navigator.language or "")]
    return [str(tag) for tag in found.to_py()]


class Locale:
    """Says things in one language. Build a new one to switch language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.direction = messages.direction(lang)
        self._plurals = js.Intl.PluralRules.new(lang)
        self._numbers = js.Intl.NumberFormat.new(lang)

    def text(self, key: str, category: str = "other", **values: str) -> str:
        if self.direction == "rtl":
            # First-strong isolates: a Latin file name or number keeps its own order in the line.
            values = {name: f"\u2068{value}\u2069" for name, value in values.items()}
        return messages.text(self.lang, key, category, **values)

    def count(self, key: str, number: int, *, at_least: bool = False) -> str:
        """A plural message: the form for ``number``'s category, with the number in local digits
        (``at_least``: the count stopped there, shown as ``1,000+``)."""
        category = str(self._plurals.select(number))
        shown = str(self._numbers.format(number)) + ("+" if at_least else "")
        return self.text(key, category, count=shown)

    def size(self, size: int) -> str:
        if self.lang == messages.SOURCE:
            return human_size(size)
        value, unit = size_unit(size)
        digits = 0 if unit == "bytes" else 1
        options = {
            "style": "unit",
            "unit": INTL_UNITS[unit],
            "unitDisplay": "short",
            "minimumFractionDigits": digits,
            "maximumFractionDigits": digits,
        }
        return str(js.Intl.NumberFormat.new(self.lang, _options(options)).format(value))

    def progress(self, received: int, total: int | None) -> str:
        if self.lang == messages.SOURCE:
            return progress_text(received, total)[0]
        fraction = progress_fraction(received, total)
        if total is None or fraction is None:
            return self.text("progress.received", received=self.size(received))
        percent = js.Intl.NumberFormat.new(
            self.lang, _options({"style": "percent", "maximumFractionDigits": 0})
        )
        # Floored like the English, so 99.6% never reads as 100% before the end.
        shown = str(percent.format(int(fraction * 100) / 100))
        return self.text(
            "progress.of", received=self.size(received), total=self.size(total), percent=shown
        )

    def summary(self, summary: "Summary") -> str:
        if self.lang == messages.SOURCE:
            return summary.describe() + "."
        people = self.count(
            "summary.participants", summary.participants, at_least=summary.participants_capped
        )
        said = {
            "messages": self.count("summary.messages", summary.messages),
            "participants": people,
        }
        if summary.first is None or summary.last is None:
            return self.text("summary.line", **said)
        return self.text(
            "summary.line_dated", range=self.date_range(summary.first, summary.last), **said
        )

    def date_range(self, first: datetime, last: datetime) -> str:
        options = {
            "year": "numeric",
            "month": "short",
            "day": "numeric",
            "hour": "2-digit",
            "minute": "2-digit",
            "timeZone": "UTC",
            "timeZoneName": "short",
        }
        dates = js.Intl.DateTimeFormat.new(self.lang, _options(options))
        start, end = (js.Date.new(moment.timestamp() * 1000) for moment in (first, last))
        return str(dates.formatRange(start, end))

    def error(self, code: str, message: str) -> str:
        """An error in this language: by its code; in English, the words it was raised with."""
        if self.lang == messages.SOURCE:
            return message
        key = f"error.{code}"
        return self.text(key if messages.has(self.lang, key) else "error.generic")


# Text in whichever language is current: the view keeps the phrase, so a switch of language
# says the current state again.
Phrase = Callable[[Locale], str]


def say(key: str, **values: str) -> Phrase:
    return lambda locale: locale.text(key, **values)


def error_phrase(code: str, message: str) -> Phrase:
    return lambda locale: locale.error(code, message)
