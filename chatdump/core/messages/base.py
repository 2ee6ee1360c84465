"""What one language is: its tag, its writing direction and its messages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# A message is a text with ``{named}`` placeholders, or, when it counts something, one text per
# plural category (CLDR's zero/one/two/few/many/other). The category is the browser's
# ``Intl.PluralRules`` answer, passed in: no plural rules are written here.
Message = str | dict[str, str]
Direction = Literal["ltr", "rtl"]


@dataclass(frozen=True)
class Language:
    tag: str  # BCP 47, as <html lang> and Intl take it
    name: str  # the language's own name for itself
    direction: Direction
    messages: dict[str, Message]
