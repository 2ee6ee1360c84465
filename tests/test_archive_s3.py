"""`chatdump archive s3://BUCKET/PREFIX` and the webhook into a bucket, against a real s3rver.

The chats are served from s3rver too (presigned URLs, as the upstream's storage serves them), or
from the misbehaving loopback server when a test needs a cut. Each command runs as a user runs
it: a new process whose environment holds the provider's variables and the AWS ones, no more.
s3rver 3.7.1 has no AbortMultipartUpload and no ListMultipartUploads, so "no upload left" is
checked in its data directory, where it keeps every part of an unfinished upload.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from chatdump.core import errors
from chatdump.export.destinations.bucket import parse_target
from chatdump.server.app import create_app
from chatdump.server.settings import Settings
from chatdump.server.webhooks import PATH, WebhookSettings, webhook_router
from chatdump.server.widget_files import REPO_ROOT
from tests.conftest import SAMPLES
from tests.fake_upstream import FakeChatReplay, FixedUrlProvider, env_for
from tests.flaky_server import flaky_server
from tests.s3 import ACCESS_KEY, S3, SECRET_KEY

HEADER = b"id,participantId,sessionId,meetingId,displayName,pinned,isEdited,payloadType,payload,createdAt\r\n"
HOSTILE_TITLES = ["../../x", "/abs", "A" * 500, "会议记录 🎉 Zürich", "..", "con"]


def chat(size: int, seed: str) -> bytes:
    """A CSV chat dump of about ``size`` bytes, different per seed."""
    row = f'{seed},p1,s,m,Ada,false,false,chat,"{seed} é ""quoted""",2026-11-24T10:00:00Z\r\n'
    body = HEADER + row.encode() * (max(size - len(HEADER), 0) // len(row.encode()) + 1)
    return body[:size] if size > len(HEADER) else body


def session_ids(n: int) -> list[str]:
    return [str(uuid.uuid4()) for _ in range(n)]


@pytest.fixture
def prefix() -> str:
    return f"archive-{uuid.uuid4().hex[:8]}"


def aws_env(s3: S3, tmp_path: Path) -> dict[str, str]:
    return {
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_ENDPOINT_URL": s3.endpoint,
        "AWS_DEFAULT_REGION": "us-east-1",
        # s3rver 3.7 predates the CRC checksums boto3 now sends by default.
        "AWS_REQUEST_CHECKSUM_CALCULATION": "when_required",
        "AWS_RESPONSE_CHECKSUM_VALIDATION": "when_required",
        # No config file of the machine running the tests.
        "AWS_CONFIG_FILE": str(tmp_path / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-aws-credentials"),
    }


def cli_env(s3: S3, upstream_base: str, tmp_path: Path) -> dict[str, str]:
    env = env_for("dyte", upstream_base, grant_secret="")
    del env["CHATDUMP_GRANT_SECRET"]
    return {**env, **aws_env(s3, tmp_path)}


def archive(target: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "chatdump", "archive", target],
        env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def serve_from_s3(s3: S3, upstream: FakeChatReplay, bodies: dict[str, bytes]) -> None:
    """Put each chat in s3rver and have the upstream hand out presigned URLs to it."""
    for sid, body in bodies.items():
        s3.put(f"storage/{sid}.csv", body)
    upstream.listed = list(bodies)
    upstream.download_url = lambda sid: s3.presign(f"storage/{sid}.csv", expires_in=600)


def objects(s3: S3, prefix: str) -> dict[str, dict[str, Any]]:
    pages = s3.client.get_paginator("list_objects_v2").paginate(
        Bucket=s3.closed_bucket, Prefix=prefix + "/"
    )
    return {item["Key"]: item for page in pages for item in page.get("Contents", [])}


def read(s3: S3, key: str) -> bytes:
    body: bytes = s3.client.get_object(Bucket=s3.closed_bucket, Key=key)["Body"].read()
    return body


def manifest(s3: S3, prefix: str) -> list[dict[str, Any]]:
    text = read(s3, f"{prefix}/manifest.jsonl").decode("utf-8")
    return [json.loads(line) for line in text.splitlines()]


def chats(s3: S3, prefix: str) -> dict[str, dict[str, Any]]:
    """The archived chats: every object but the manifest and chatdump's own records."""
    return {
        key: item
        for key, item in objects(s3, prefix).items()
        if not key.startswith(f"{prefix}/.chatdump/") and key != f"{prefix}/manifest.jsonl"
    }


def uploads_left(s3: S3) -> list[str]:
    """Unfinished multipart uploads, as s3rver keeps them on disk (one folder each)."""
    assert s3.data is not None
    folder = s3.data / s3.closed_bucket / "._S3rver_uploads"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def staged_left(s3: S3, prefix: str) -> list[str]:
    return [key for key in objects(s3, prefix) if key.startswith(f"{prefix}/.chatdump/incoming/")]


def test_every_chat_lands_byte_for_byte_and_the_rerun_uploads_nothing(
    s3: S3, upstream: FakeChatReplay, upstream_base: str, tmp_path: Path, prefix: str
) -> None:
    sids = session_ids(3)
    # One small chat (one PutObject) and two over the 8 MiB part size (multipart, 3 parts).
    bodies = {sids[0]: chat(40_000, "a"), sids[1]: chat(20_000_000, "b"),
              sids[2]: chat(16 * 1024 * 1024 + 1, "c")}  # fmt: skip
    serve_from_s3(s3, upstream, bodies)
    env = cli_env(s3, upstream_base, tmp_path)
    first = archive(f"s3://{s3.closed_bucket}/{prefix}", env)
    assert first.returncode == 0, first.stderr
    assert "3 archived" in first.stderr

    lines = manifest(s3, prefix)
    assert sorted(line["session"] for line in lines) == sorted(sids)
    for line in lines:
        stored = read(s3, f"{prefix}/{line['file']}")
        assert stored == bodies[line["session"]]
        assert line["bytes"] == len(stored)
        assert line["sha256"] == hashlib.sha256(stored).hexdigest()
    assert len(chats(s3, prefix)) == 3
    assert staged_left(s3, prefix) == [] and uploads_left(s3) == []

    before = objects(s3, prefix)
    second = archive(f"s3://{s3.closed_bucket}/{prefix}", env)
    assert second.returncode == 0, second.stderr
    assert "0 archived, 3 already there" in second.stderr
    after = objects(s3, prefix)
    assert {k: (v["ETag"], v["LastModified"]) for k, v in after.items()} == {
        k: (v["ETag"], v["LastModified"]) for k, v in before.items()
    }


def test_hostile_titles_become_safe_bounded_keys(
    s3: S3, upstream: FakeChatReplay, upstream_base: str, tmp_path: Path, prefix: str
) -> None:
    sids = session_ids(len(HOSTILE_TITLES))
    bodies = {sid: chat(2_000, str(i)) for i, sid in enumerate(sids)}
    upstream.titles = dict(zip(sids, HOSTILE_TITLES, strict=True))
    serve_from_s3(s3, upstream, bodies)
    result = archive(f"s3://{s3.closed_bucket}/{prefix}", cli_env(s3, upstream_base, tmp_path))
    assert result.returncode == 0, result.stderr

    keys = list(chats(s3, prefix))
    assert len(keys) == len(sids)
    for key in keys:
        name = key.removeprefix(f"{prefix}/")
        assert "/" not in name and ".." not in name and not name.startswith(".")
        assert len(name.encode("utf-8")) <= 200
    by_session = {line["session"]: line for line in manifest(s3, prefix)}
    for sid, body in bodies.items():
        assert read(s3, f"{prefix}/{by_session[sid]['file']}") == body
        assert sid in by_session[sid]["file"]


def test_a_storage_cut_for_good_leaves_no_object_no_parts_and_no_manifest_line(
    s3: S3, upstream: FakeChatReplay, upstream_base: str, tmp_path: Path, prefix: str
) -> None:
    [sid] = session_ids(1)
    body = chat(20_000_000, "cut")  # two full parts reach the bucket before each cut
    upstream.listed = [sid]
    with flaky_server(body, ["cutfull"]) as storage:  # every try is cut halfway
        upstream.download_url = lambda _sid: storage.url
        result = archive(f"s3://{s3.closed_bucket}/{prefix}", cli_env(s3, upstream_base, tmp_path))
    assert result.returncode == 6, result.stderr
    assert "1 failed" in result.stderr
    assert len(storage.requests) >= 2  # it really tried again, and gave up
    assert chats(s3, prefix) == {}
    assert staged_left(s3, prefix) == [] and uploads_left(s3) == []
    assert f"{prefix}/manifest.jsonl" not in objects(s3, prefix)


def test_a_cut_that_storage_recovers_from_still_stores_the_exact_bytes(
    s3: S3, upstream: FakeChatReplay, upstream_base: str, tmp_path: Path, prefix: str
) -> None:
    [sid] = session_ids(1)
    body = chat(18_000_000, "resume")
    upstream.listed = [sid]
    # Cut, then a whole 200 to the resume request (storage ignoring Range): the upload restarts.
    with flaky_server(body, ["cut", "full"]) as storage:
        upstream.download_url = lambda _sid: storage.url
        result = archive(f"s3://{s3.closed_bucket}/{prefix}", cli_env(s3, upstream_base, tmp_path))
    assert result.returncode == 0, result.stderr
    [line] = manifest(s3, prefix)
    assert read(s3, f"{prefix}/{line['file']}") == body
    assert staged_left(s3, prefix) == [] and uploads_left(s3) == []


def test_two_runs_at_once_archive_each_session_exactly_once(
    s3: S3, upstream: FakeChatReplay, upstream_base: str, tmp_path: Path, prefix: str
) -> None:
    sids = session_ids(4)
    bodies = {sid: chat(9_000_000 if i % 2 else 300_000, str(i)) for i, sid in enumerate(sids)}
    serve_from_s3(s3, upstream, bodies)
    env = cli_env(s3, upstream_base, tmp_path)
    command = [sys.executable, "-m", "chatdump", "archive", f"s3://{s3.closed_bucket}/{prefix}"]
    runs = [
        subprocess.Popen(command, env=env, cwd=REPO_ROOT, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]  # fmt: skip
    outcomes = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outcomes

    keys = chats(s3, prefix)
    assert len(keys) == len(sids)  # no side copies left
    lines = manifest(s3, prefix)
    assert sorted(line["session"] for line in lines) == sorted(sids)
    for line in lines:
        assert read(s3, f"{prefix}/{line['file']}") == bodies[line["session"]]
    assert staged_left(s3, prefix) == [] and uploads_left(s3) == []


def test_a_run_started_while_another_archives_skips_or_drops_what_the_other_stored(
    s3: S3, upstream: FakeChatReplay, upstream_base: str, tmp_path: Path, prefix: str
) -> None:
    sids = session_ids(6)
    bodies = {sid: chat(6_000_000, str(i)) for i, sid in enumerate(sids)}
    serve_from_s3(s3, upstream, bodies)
    env = cli_env(s3, upstream_base, tmp_path)
    command = [sys.executable, "-m", "chatdump", "archive", f"s3://{s3.closed_bucket}/{prefix}"]
    first = subprocess.Popen(command, env=env, cwd=REPO_ROOT, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)  # fmt: skip
    deadline = time.monotonic() + 60
    while f"{prefix}/manifest.jsonl" not in objects(s3, prefix) and time.monotonic() < deadline:
        time.sleep(0.05)
    second = archive(f"s3://{s3.closed_bucket}/{prefix}", env)  # while the first goes on
    first_out = first.communicate(timeout=120)
    assert (first.returncode, second.returncode) == (0, 0), (first_out, second.stderr)
    assert len(chats(s3, prefix)) == len(sids)
    assert sorted(line["session"] for line in manifest(s3, prefix)) == sorted(sids)


def test_an_unrecorded_object_at_the_key_is_never_overwritten(
    s3: S3, upstream: FakeChatReplay, upstream_base: str, tmp_path: Path, prefix: str
) -> None:
    same, other = session_ids(2)
    bodies = {same: chat(3_000, "same"), other: chat(3_000, "other")}
    serve_from_s3(s3, upstream, bodies)
    # Objects without entry records (a crash between the two, a lost manifest): one holds the
    # same bytes, one different ones.
    name = "team-standup-2026-11-24--{}.csv"
    s3.put(f"{prefix}/{name.format(same)}", bodies[same], bucket=s3.closed_bucket)
    s3.put(f"{prefix}/{name.format(other)}", b"someone else's bytes", bucket=s3.closed_bucket)
    result = archive(f"s3://{s3.closed_bucket}/{prefix}", cli_env(s3, upstream_base, tmp_path))
    assert result.returncode == 0, result.stderr

    by_session = {line["session"]: line for line in manifest(s3, prefix)}
    assert by_session[same]["file"] == name.format(same)  # identical: no second copy
    assert by_session[other]["file"] != name.format(other)  # different: kept beside it
    assert read(s3, f"{prefix}/{name.format(other)}") == b"someone else's bytes"
    assert read(s3, f"{prefix}/{by_session[other]['file']}") == bodies[other]
    assert len(chats(s3, prefix)) == 3


def test_without_boto3_an_s3_target_gets_a_clear_message_and_the_config_exit_code() -> None:
    code = (
        "import sys; sys.modules['boto3'] = None; from chatdump.cli import cli; "
        "cli(['archive', 's3://chat-archive/acme', '--demo'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60,
        env={"PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert result.returncode == 3
    assert "pip install 'chatdump[s3]'" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("target", "expected"),
    [("s3://chat-archive", ("chat-archive", "")), ("s3://chat-archive/", ("chat-archive", "")),
     ("s3://chat-archive//acme/2026/", ("chat-archive", "acme/2026"))],
)  # fmt: skip
def test_a_target_is_a_bucket_and_a_clean_prefix(target: str, expected: tuple[str, str]) -> None:
    assert parse_target(target) == expected


@pytest.mark.parametrize(
    "target", ["s3://", "s3://UPPER/x", "s3://a/x", "s3://chat-archive/../x", "s3://b-b/a/./c",
               "s3://chat-archive/a\nb"],
)  # fmt: skip
def test_a_target_without_a_bucket_or_with_dot_segments_is_refused(target: str) -> None:
    with pytest.raises(errors.ConfigError):
        parse_target(target)


@pytest.fixture
def aws(s3: S3, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in aws_env(s3, tmp_path).items():
        monkeypatch.setenv(name, value)
    yield


@pytest.mark.anyio
@pytest.mark.usefixtures("aws")
async def test_the_webhook_archives_into_a_bucket_and_a_replay_starts_nothing(
    s3: S3, prefix: str
) -> None:
    sid = str(uuid.uuid4())
    body = chat(9_000_000, "webhook")
    s3.put(f"storage/{sid}.csv", body)
    provider = FixedUrlProvider(s3.presign(f"storage/{sid}.csv", expires_in=600))
    secret = "w" * 40
    settings = WebhookSettings.from_env(
        {"CHATDUMP_WEBHOOK_SECRET": secret,
         "CHATDUMP_ARCHIVE_DIR": f"s3://{s3.closed_bucket}/{prefix}"}
    )  # fmt: skip
    assert settings is not None
    router = webhook_router(settings, provider)
    app = create_app(Settings.from_env({}, demo=True), provider, routers=[router])
    sample = json.loads((SAMPLES / "dyte-webhook-chat-synced.json").read_text())
    event = {**sample, "sessionId": sid}
    headers = {"X-Chatdump-Webhook-Secret": secret}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
        answer = await http.post(PATH, json=event, headers=headers)
        assert answer.status_code == 202
        [line] = manifest(s3, prefix)
        assert line["session"] == sid
        assert read(s3, f"{prefix}/{line['file']}") == body
        again = await http.post(PATH, json=event, headers=headers)
        assert (again.status_code, again.json()["status"]) == (200, "already archived")
    assert len(chats(s3, prefix)) == 1
    assert staged_left(s3, prefix) == [] and uploads_left(s3) == []
