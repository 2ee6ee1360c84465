"""`chatdump archive --jobs N`: several chats saved at once into a bucket (real s3rver), and what
a run asks of the bucket per chat.

The CLI test runs a process as a user does; the others drive ``archive_sessions`` in this process
to count the requests the bucket gets (botocore's own events) or to stop a run mid-chat.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TypeVar, cast

import pytest

from chatdump.export.archive_jobs import Outcome, UrlSource, archive_sessions
from chatdump.export.destinations import open_destination
from chatdump.export.destinations.bucket import PART_SIZE, Bucket
from chatdump.export.download import NoProgress, Progress
from chatdump.export.storage_http import StorageClient
from chatdump.server.widget_files import REPO_ROOT
from chatdump.upstream.base import SessionInfo
from tests.fake_upstream import FakeChatReplay
from tests.flaky_server import flaky_server
from tests.s3 import S3
from tests.test_archive_s3 import (
    aws_env,
    chat,
    chats,
    cli_env,
    manifest,
    objects,
    read,
    serve_from_s3,
    session_ids,
    staged_left,
    uploads_left,
)

WAIT_SECONDS = 60  # any wait for another thread, bounded
T = TypeVar("T")


def bounded(call: Callable[[], T]) -> T:
    """``call()`` in a thread, failing the test if it has not returned within WAIT_SECONDS (a
    save waiting forever for a part buffer would otherwise hang the suite)."""
    result: list[T] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            result.append(call())
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(WAIT_SECONDS)
    assert not thread.is_alive(), f"still running after {WAIT_SECONDS} s"
    if errors:
        raise errors[0]
    return result[0]


@pytest.fixture
def prefix() -> str:
    return f"jobs-{session_ids(1)[0][:8]}"


def test_four_at_once_store_every_chat_whole_and_a_failure_costs_no_other(
    s3: S3, upstream: FakeChatReplay, upstream_base: str, tmp_path: Path, prefix: str
) -> None:
    *sids, refused = session_ids(7)  # storage refuses the last one's URL, and every fresh one
    sizes = [40_000, 300_000, 9_000_000, 17_000_000, 2_000, 5_000_000]  # two multipart
    bodies = {
        sid: chat(size, str(i)) for i, (sid, size) in enumerate(zip(sids, sizes, strict=True))
    }
    serve_from_s3(s3, upstream, bodies)
    upstream.listed = [*bodies, refused]
    env = cli_env(s3, upstream_base, tmp_path)
    target = f"s3://{s3.closed_bucket}/{prefix}"
    with flaky_server(b"never served", ["403"]) as storage:
        presigned = upstream.download_url
        upstream.download_url = lambda sid: storage.url if sid == refused else presigned(sid)
        first = archive_with_jobs(target, env, 4)
        assert first.returncode == 4, first.stderr  # refused
        assert "6 archived, 0 already there, 0 live, 0 no chat, 1 failed" in first.stderr
        assert refused in first.stderr

        lines = manifest(s3, prefix)
        assert sorted(line["session"] for line in lines) == sorted(bodies)  # one line each
        for line in lines:
            stored = read(s3, f"{prefix}/{line['file']}")
            assert stored == bodies[line["session"]]
            assert line["sha256"] == hashlib.sha256(stored).hexdigest()
        assert len(chats(s3, prefix)) == 6
        assert staged_left(s3, prefix) == [] and uploads_left(s3) == []

        before = objects(s3, prefix)
        second = archive_with_jobs(target, env, 4)
    assert "0 archived, 6 already there, 0 live, 0 no chat, 1 failed" in second.stderr
    after = objects(s3, prefix)
    assert {k: (v["ETag"], v["LastModified"]) for k, v in after.items()} == {
        k: (v["ETag"], v["LastModified"]) for k, v in before.items()
    }


def archive_with_jobs(
    target: str, env: dict[str, str], jobs: int
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "chatdump", "archive", target, "--jobs", str(jobs)],
        env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=180,
    )  # fmt: skip


@pytest.fixture
def aws(s3: S3, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in aws_env(s3, tmp_path).items():
        monkeypatch.setenv(name, value)
    yield


def stored_in_s3(s3: S3, bodies: dict[str, bytes]) -> UrlSource:
    """Each chat in s3rver, and the presigned URL the upstream would hand out for it."""
    urls = {}
    for sid, body in bodies.items():
        s3.put(f"storage/{sid}.csv", body)
        urls[sid] = s3.presign(f"storage/{sid}.csv", expires_in=600)
    return lambda sid: lambda fresh: urls[sid]


def counted(bucket: Bucket) -> Counter[str]:
    """Every request the bucket's client sends from now on, by operation."""
    calls: Counter[str] = Counter()
    bucket.client.meta.events.register(
        "before-call.s3", lambda model, **_: calls.update([model.name])
    )
    return calls


def run(
    target: str, sessions: list[SessionInfo], urls: UrlSource, jobs: int
) -> tuple[Bucket, list[Outcome], Counter[str]]:
    bucket = cast(Bucket, open_destination(target, jobs))
    calls = counted(bucket)
    with StorageClient() as client:
        outcomes = bounded(
            lambda: list(archive_sessions(bucket, sessions, urls, client=client, jobs=jobs))
        )
    return bucket, outcomes, calls


@pytest.mark.usefixtures("aws")
def test_a_run_asks_nothing_per_chat_but_its_upload_and_the_rerun_nothing_at_all(
    s3: S3, prefix: str
) -> None:
    bodies = {sid: chat(50_000, str(i)) for i, sid in enumerate(session_ids(12))}
    urls = stored_in_s3(s3, bodies)
    sessions = [SessionInfo(sid) for sid in bodies]
    target = f"s3://{s3.closed_bucket}/{prefix}"

    _, outcomes, calls = run(target, sessions, urls, jobs=3)
    assert Counter(o.status for o in outcomes) == {"archived": 12}
    # Per chat: its PutObject and its entry record. Per run: a listing, the manifest.
    assert calls["HeadObject"] == 0
    assert calls["PutObject"] == 2 * 12 + 1

    _, again, calls = run(target, sessions, urls, jobs=3)
    assert Counter(o.status for o in again) == {"already there": 12}
    assert "PutObject" not in calls and "HeadObject" not in calls
    assert sum(calls.values()) <= 6  # the manifest and the listings, whatever the sessions


@pytest.mark.usefixtures("aws")
def test_chats_over_the_part_size_at_once_share_the_buffers_and_land_whole(
    s3: S3, prefix: str
) -> None:
    bodies = {sid: chat(2 * PART_SIZE + 1000, str(i)) for i, sid in enumerate(session_ids(5))}
    urls = stored_in_s3(s3, bodies)
    target = f"s3://{s3.closed_bucket}/{prefix}"
    bucket, outcomes, _ = run(target, [SessionInfo(sid) for sid in bodies], urls, jobs=4)
    assert Counter(o.status for o in outcomes) == {"archived": 5}
    # Four chats at once hold the four buffers: each sends its parts from its own, none waits
    # for a buffer held by another (a wait there would never end), and memory stays 4 parts.
    assert bucket.buffers.made <= 4
    for outcome in outcomes:
        assert outcome.entry is not None
        assert read(s3, f"{prefix}/{outcome.entry.file}") == bodies[outcome.session.session_id]
    assert staged_left(s3, prefix) == [] and uploads_left(s3) == []


class HoldAt:
    """Progress displays that hold one chat's download once ``at`` bytes are in, until the run
    is stopped, so that the stop meets it mid-chat."""

    def __init__(self, session: str, at: int, stop: threading.Event) -> None:
        self.session, self.at, self.stop = session, at, stop
        self.reached = threading.Event()

    def __call__(self, label: str) -> AbstractContextManager[Progress]:
        return self._bar(label)

    @contextmanager
    def _bar(self, label: str) -> Iterator[Progress]:
        yield self._Held(self) if self.session.startswith(label) else NoProgress()

    class _Held(NoProgress):
        def __init__(self, hold: HoldAt) -> None:
            self.hold, self.done = hold, 0

        def advance(self, size: int) -> None:
            self.done += size
            if self.done >= self.hold.at:
                self.hold.reached.set()
                self.hold.stop.wait(WAIT_SECONDS)


@pytest.mark.usefixtures("aws")
def test_a_stopped_run_leaves_no_object_nor_parts_of_the_chat_it_was_saving(
    s3: S3, prefix: str
) -> None:
    small, large = session_ids(2)
    bodies = {small: chat(30_000, "small"), large: chat(2 * PART_SIZE + 1000, "large")}
    urls = stored_in_s3(s3, bodies)
    stop = threading.Event()
    hold = HoldAt(large, PART_SIZE + 1, stop)  # its first part is already uploading
    bucket = cast(Bucket, open_destination(f"s3://{s3.closed_bucket}/{prefix}", 2))
    sessions = [SessionInfo(large), SessionInfo(small)]

    def interrupted() -> Outcome:
        with StorageClient() as client:
            outcomes = archive_sessions(
                bucket, sessions, urls, client=client, jobs=2, bars=hold, stop=stop
            )
            first = next(outcomes)
            assert hold.reached.wait(WAIT_SECONDS)
            outcomes.close()  # as Ctrl-C does: the held chat goes on, and meets the stop
        return first

    first = bounded(interrupted)
    assert (first.session.session_id, first.status) == (small, "archived")
    assert first.entry is not None
    assert [line["session"] for line in manifest(s3, prefix)] == [small]
    assert list(chats(s3, prefix)) == [f"{prefix}/{first.entry.file}"]
    assert staged_left(s3, prefix) == [] and uploads_left(s3) == []
