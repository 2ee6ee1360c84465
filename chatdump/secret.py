"""``Secret``: a credential that cannot leak through ``print``, ``repr`` or a log line by accident.

Shared by every side that holds one: the upstreams' API keys, the server's grant secrets, the
webhook's shared secret.
"""

from __future__ import annotations


class Secret:
    """A credential that prints as ``**********``; ``reveal()`` is the only way to the value."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    def __str__(self) -> str:
        return "**********"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)
