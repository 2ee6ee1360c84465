"""What a format is: how its file is named and typed, how it is offered, and how rows become it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # the registry stays light: the dump's code loads with a conversion
    from chatdump.core.dump import Batch


class Renderer(Protocol):
    """Turns each batch of whole records into output text; one renderer per conversion."""

    def render(self, batch: Batch, index: dict[str, int]) -> str:
        """``index``: the column positions by name (``ChatReader.index``)."""
        ...


@dataclass(frozen=True)
class Format:
    name: str  # the page param, the select's value, the CLI's --format choice
    extension: str
    suffix: str  # added to the file's stem: ``team-standup-excel.csv``
    media_type: str
    label: str  # "Converting to {label}…"
    option: str  # the text of the page's <select> option
    help: str  # the CLI's --format help: ``{name}: {help}``
    # Makes the renderer, importing its module on first use; None: saved as stored, not converted.
    renderer: Callable[[], Renderer] | None = None
