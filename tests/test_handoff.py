"""The hand-off to the browser's own download: ticket paths and the endpoint's ticket answer."""

from __future__ import annotations

import json

import pytest

from chatdump.core import errors
from chatdump.core.handoff import parse_ticket_answer, ticket_path, ticket_url

SESSION = "79365b9b-5e35-4d3a-9d1c-2b5b1c2f7a10"


def test_paths_are_relative_to_the_page_like_the_streaming_route() -> None:
    assert ticket_path(SESSION) == f"./api/sessions/{SESSION}/chat.csv/ticket"
    assert ticket_url(SESSION, "a.b-c_d") == f"./api/sessions/{SESSION}/chat.csv?ticket=a.b-c_d"


def test_the_ticket_is_read_from_the_answer() -> None:
    body = json.dumps({"ticket": "eyJ.abc.def", "expires_at": "2026-12-04T10:00:00Z"})
    assert parse_ticket_answer(200, body.encode()) == "eyJ.abc.def"


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[]", b'{"ticket": 5}', b'{"ticket": "a b"}', b'{"ticket": "x&grant=y"}'],
)
def test_a_malformed_ticket_is_refused_rather_than_put_in_a_url(body: bytes) -> None:
    with pytest.raises(errors.EndpointError):
        parse_ticket_answer(200, body)


def test_an_error_answer_is_the_endpoints_own_error() -> None:
    body = json.dumps({"error": {"code": "grant_expired", "message": "expired", "request_id": "x"}})
    with pytest.raises(errors.EndpointError) as raised:
        parse_ticket_answer(403, body.encode())
    assert raised.value.code == "grant_expired"
