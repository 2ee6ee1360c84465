"""Each command asks only for what it uses: `download`, `convert` and `archive` run as a new user
runs them, in a process whose environment holds the provider's variables and nothing else (no
CHATDUMP_GRANT_SECRET, which only `serve` and `grant` use)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from chatdump.server.widget_files import REPO_ROOT
from tests.fake_upstream import FakeChatReplay, env_for
from tests.flaky_server import flaky_server
from tests.upstream_fixtures import SESSION

BODY = b"id,participantId,sessionId,meetingId,displayName,pinned,isEdited,payloadType,payload,createdAt\r\n"


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "chatdump", *args],
        env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def provider_only(flavour: str, base: str) -> dict[str, str]:
    env = env_for(flavour, base, grant_secret="")
    del env["CHATDUMP_GRANT_SECRET"]
    return env


@pytest.mark.parametrize("flavour", ["dyte", "realtimekit"])
def test_download_needs_only_the_providers_variables(
    flavour: str, upstream: FakeChatReplay, upstream_base: str, tmp_path: Path
) -> None:
    with flaky_server(BODY, ["ok"]) as storage:
        upstream.download_url = lambda _sid: storage.url
        result = run(["download", SESSION, "-o", str(tmp_path / "chat.csv")],
                     provider_only(flavour, upstream_base))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "chat.csv").read_bytes() == BODY


@pytest.mark.parametrize("flavour", ["dyte", "realtimekit"])
def test_archive_needs_only_the_providers_variables(
    flavour: str, upstream: FakeChatReplay, upstream_base: str, tmp_path: Path
) -> None:
    upstream.listed = [SESSION]
    with flaky_server(BODY, ["ok"]) as storage:
        upstream.download_url = lambda _sid: storage.url
        result = run(["archive", str(tmp_path)], provider_only(flavour, upstream_base))
    assert result.returncode == 0, result.stderr
    [entry] = [json.loads(line) for line in (tmp_path / "manifest.jsonl").read_text().splitlines()]
    assert entry["session"] == SESSION
    assert (tmp_path / entry["file"]).read_bytes() == BODY


def test_convert_needs_no_environment_at_all(tmp_path: Path) -> None:
    source = tmp_path / "chat.csv"
    source.write_bytes(BODY)
    result = run(["convert", str(source), "--format", "jsonl", "-o", str(tmp_path / "c.jsonl")], {})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "c.jsonl").read_bytes() == b""


def test_a_missing_provider_variable_is_named_not_the_grant_secret(upstream_base: str) -> None:
    env = provider_only("dyte", upstream_base)
    del env["DYTE_API_KEY"]
    result = run(["download", SESSION, "-o", "-"], env)
    assert result.returncode == 3
    assert "DYTE_API_KEY is not set" in result.stderr
    assert "CHATDUMP_GRANT_SECRET" not in result.stderr
