"""The app's own OpenAPI document, fuzzed with schemathesis: no 500s, every error in the JSON shape.

Half the generated requests carry a genuine grant for the generated session id, so the fuzzing
reaches past authentication into the provider (the in-process demo upstream) and the cache.
"""

from __future__ import annotations

import random

import schemathesis
from hypothesis import HealthCheck, settings
from starlette.types import Receive, Scope, Send

from chatdump.server.app import create_app
from chatdump.server.grants import mint_grant
from chatdump.server.settings import Settings
from chatdump.upstream.demo import DEFAULT_SESSION_ID

SETTINGS = Settings.from_env({}, demo=True)
APP = create_app(SETTINGS, public_url="http://127.0.0.1")


async def without_lifespan(scope: Scope, receive: Receive, send: Send) -> None:
    """schemathesis runs the lifespan around every call; the app's shutdown closes its clients."""
    if scope["type"] == "lifespan":
        for _ in range(2):  # startup, then shutdown
            message = await receive()
            await send({"type": f"{message['type']}.complete"})
        return
    await APP(scope, receive, send)


schema = schemathesis.openapi.from_asgi("/openapi.json", without_lifespan)
CHOOSER = random.Random(0)  # noqa: S311 - picks test inputs, not secrets


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_500s_and_every_error_in_the_json_error_shape(case: schemathesis.Case) -> None:
    session_id = str((case.path_parameters or {}).get("session_id", ""))
    if CHOOSER.random() < 0.5 and session_id:
        headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
        case.headers = {**headers, "Authorization": f"Bearer {_grant(session_id)}"}
    if CHOOSER.random() < 0.1:
        case.path_parameters = {**(case.path_parameters or {}), "session_id": DEFAULT_SESSION_ID}
    response = case.call()
    assert response.status_code < 500 or response.status_code in (502, 503, 504), response.text
    if response.status_code >= 400:
        error = response.json()["error"]
        assert set(error) == {"code", "message", "request_id"}
        assert all(isinstance(error[k], str) and error[k] for k in error)
        assert [error["request_id"]] == response.headers["x-request-id"]


def _grant(session_id: str) -> str:
    return mint_grant(SETTINGS.grant_secrets[-1], session_id)
