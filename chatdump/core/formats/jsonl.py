"""JSON Lines: one object per message, the columns by name, the flags as JSON booleans."""

from __future__ import annotations

import json
from collections.abc import Iterable
from json.encoder import encode_basestring

from chatdump.core import errors
from chatdump.core.dump import BOOLEAN_COLUMNS, BOOLEANS, COLUMNS, Batch


class JsonLinesRenderer:
    def render(self, batch: Batch, index: dict[str, int]) -> str:
        return _json_lines(batch.messages, index) if batch.messages else ""


def _json_lines(rows: list[list[str]], index: dict[str, int]) -> str:
    """One JSON object per row, built column by column with json's C string encoder."""
    columns = list(zip(*rows, strict=True))
    fields: list[Iterable[str]] = []
    for name in COLUMNS:
        cells = columns[index[name]]
        if name in BOOLEAN_COLUMNS:
            try:
                fields.append(list(map(_JSON_BOOLEANS.__getitem__, cells)))
            except KeyError:  # other spellings (" TRUE", "yes"): read one by one, or refused
                fields.append([json.dumps(_boolean(cell, name)) for cell in cells])
        else:
            fields.append(map(encode_basestring, cells))
    return "".join(map(_JSON_TEMPLATE.__mod__, zip(*fields, strict=True)))


_JSON_TEMPLATE = "{" + ",".join(f'"{name}":%s' for name in COLUMNS) + "}\n"
_JSON_BOOLEANS = {key: json.dumps(value) for key, value in BOOLEANS.items()}


def _boolean(value: str, column: str) -> bool | None:
    key = value.strip().lower()
    if key in BOOLEANS:
        return BOOLEANS[key]
    raise errors.InvalidChatDump(
        f"The {column} column holds {value[:20]!r}; expected true/false or 1/0.",
        code="bad_boolean",
    )
