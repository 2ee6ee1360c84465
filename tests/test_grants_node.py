"""Grants minted by a host app in another language: Node's `jsonwebtoken` (npm, a dev dependency
in package.json), run with `node -e`, against the real endpoint on loopback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator

import httpx
import pytest

from chatdump.server.app import create_app
from chatdump.server.settings import Settings
from chatdump.server.widget_files import REPO_ROOT
from chatdump.upstream.demo import DEFAULT_SESSION_ID
from tests.live import serve

SECRET = "node-minted-grant-secret-0123456789abcdef"
# The README's Node example, with the options each case changes.
MINT = """
const jwt = require("jsonwebtoken");
const [secret, session, options] = JSON.parse(process.argv[1]);
process.stdout.write(jwt.sign({ sub: session }, secret, options));
"""


def node_grant(options: dict[str, object], secret: str | None = SECRET) -> str:
    node = shutil.which("node")
    assert node, "node is missing (make setup installs it with npm)"
    env = {**os.environ, "NODE_PATH": os.pathsep.join(
        p for p in (str(REPO_ROOT / "node_modules"), os.environ.get("NODE_PATH", "")) if p
    )}  # fmt: skip
    result = subprocess.run(
        [node, "-e", MINT, json.dumps([secret, DEFAULT_SESSION_ID, options])],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    settings = Settings.from_env({"CHATDUMP_GRANT_SECRET": SECRET}, demo=True)
    with serve(create_app(settings)) as base:
        yield base


def ask(endpoint: str, grant: str) -> httpx.Response:
    return httpx.get(
        f"{endpoint}/api/sessions/{DEFAULT_SESSION_ID}/chat-url",
        headers={"Authorization": f"Bearer {grant}"},
        timeout=10,
    )


def test_a_grant_minted_by_node_jsonwebtoken_is_accepted(endpoint: str) -> None:
    grant = node_grant({"algorithm": "HS256", "audience": "chatdump", "expiresIn": 900})
    answer = ask(endpoint, grant)
    assert answer.status_code == 200, answer.text
    assert answer.json()["filename"].endswith(".csv")


@pytest.mark.parametrize(
    ("options", "secret"),
    [
        ({"algorithm": "HS256", "audience": "another-app", "expiresIn": 900}, SECRET),
        ({"algorithm": "HS256", "audience": "chatdump"}, SECRET),  # no exp
        ({"algorithm": "none", "audience": "chatdump", "expiresIn": 900}, None),
        ({"algorithm": "HS256", "audience": "chatdump", "expiresIn": 900}, "x" * 40),
    ],
    ids=["wrong-aud", "no-exp", "alg-none", "other-secret"],
)
def test_grants_node_mints_wrongly_are_refused(
    endpoint: str, options: dict[str, object], secret: str | None
) -> None:
    answer = ask(endpoint, node_grant(options, secret))
    assert answer.status_code == 401, answer.text
    assert answer.json()["error"]["code"] == "invalid_grant"
