"""`chatdump download`, `convert` and `archive`, run through click against the demo upstream
(served on a real loopback port) and a real `chatdump serve --demo` for the endpoint path."""

from __future__ import annotations

import functools
import json
import os
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from chatdump.cli import cli
from chatdump.core.formats import convert
from chatdump.export.archive import archive_filename
from chatdump.secret import Secret
from chatdump.server.grants import mint_grant
from chatdump.server.settings import DEMO_GRANT_SECRET
from chatdump.upstream.base import SessionInfo
from chatdump.upstream.demo import DEMO_SESSIONS, DemoUpstream, render_dump
from chatdump.upstream.demo.dumps import DemoSession

SESSION = DEMO_SESSIONS[0].session_id
DEMO_ENV = {"CHATDUMP_PROVIDER": "", "CHATDUMP_GRANT_SECRET": ""}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_download_saves_the_exact_bytes_under_the_meetings_name(
    runner: CliRunner, tmp_path: Path
) -> None:
    result = runner.invoke(cli, ["download", SESSION, "--demo", "-o", str(tmp_path)], env=DEMO_ENV)
    assert result.exit_code == 0, result.output
    assert [p.name for p in tmp_path.iterdir()] == ["team-standup-2026-11-24.csv"]
    assert (tmp_path / "team-standup-2026-11-24.csv").read_bytes() == render_dump(DEMO_SESSIONS[0])


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to tell fds apart")
@pytest.mark.parametrize(("flags", "expected"), [([], []), (["--fsync"], ["file", "folder"])])
def test_download_reaches_the_disk_before_exiting_only_with_fsync(
    runner: CliRunner, tmp_path: Path, synced: list[str], flags: list[str], expected: list[str]
) -> None:
    args = ["download", SESSION, "--demo", "-o", str(tmp_path), *flags]
    result = runner.invoke(cli, args, env=DEMO_ENV)
    assert result.exit_code == 0, result.output
    assert [call for call in synced if call != "data"] == expected


def test_download_to_stdout_writes_the_dump_and_nothing_else(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["download", SESSION, "--demo", "-o", "-"], env=DEMO_ENV)
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == render_dump(DEMO_SESSIONS[0])


@pytest.mark.parametrize(("fmt", "name"), [("excel", "team-standup-2026-11-24-excel.csv"),
                                           ("jsonl", "team-standup-2026-11-24.jsonl"),
                                           ("txt", "team-standup-2026-11-24.txt")])  # fmt: skip
def test_download_in_another_format_converts_the_whole_dump(
    runner: CliRunner, tmp_path: Path, fmt: str, name: str
) -> None:
    result = runner.invoke(
        cli, ["download", SESSION, "--demo", "--format", fmt, "-o", str(tmp_path)], env=DEMO_ENV
    )
    assert result.exit_code == 0, result.output
    assert [p.name for p in tmp_path.iterdir()] == [name]
    expected = "".join(convert([render_dump(DEMO_SESSIONS[0])], fmt)).encode()
    assert (tmp_path / name).read_bytes() == expected


@pytest.mark.parametrize(
    ("args", "env", "code", "words"),
    [
        (["download", "not a session!", "--demo"], {}, 2, "session"),
        (["download", "00000000-0000-4000-8000-000000000000", "--demo"], {}, 5, "No chat"),
        (["download", SESSION], {"CHATDUMP_PROVIDER": ""}, 3, "CHATDUMP_PROVIDER"),
        (["download", SESSION, "--endpoint", "http://127.0.0.1:9"], {}, 2, "--grant"),
        (["download", SESSION, "--endpoint", "http://127.0.0.1:9", "--grant", "x"], {}, 6,
         "Could not reach"),
    ],
)  # fmt: skip
def test_failures_are_one_line_on_stderr_with_a_documented_exit_code(
    runner: CliRunner, tmp_path: Path, args: list[str], env: dict[str, str], code: int, words: str
) -> None:
    result = runner.invoke(cli, [*args, "-o", str(tmp_path)], env={**DEMO_ENV, **env})
    assert result.exit_code == code, result.output
    lines = result.stderr.strip().splitlines()
    assert words in lines[-1] and lines[-1].startswith("Error: ")
    if code != 2:  # usage errors also show click's usage line, as every click command does
        assert len(lines) == 1
    assert list(tmp_path.iterdir()) == []


def test_download_through_a_token_endpoint_needs_no_upstream_credentials(
    runner: CliRunner, tmp_path: Path, server: str
) -> None:
    grant = mint_grant(Secret(DEMO_GRANT_SECRET), SESSION)
    result = runner.invoke(
        cli,
        ["download", SESSION, "--endpoint", server, "--grant", grant, "-o", str(tmp_path)],
        env={"CHATDUMP_PROVIDER": "dyte", "DYTE_API_KEY": ""},  # nothing usable here
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "team-standup-2026-11-24.csv").read_bytes() == render_dump(DEMO_SESSIONS[0])


def test_download_through_a_token_endpoint_with_a_bad_grant_is_refused(
    runner: CliRunner, tmp_path: Path, server: str
) -> None:
    result = runner.invoke(
        cli, ["download", SESSION, "--endpoint", server, "--grant", "bad", "-o",
              str(tmp_path)],
    )  # fmt: skip
    assert result.exit_code == 4, result.output
    assert list(tmp_path.iterdir()) == []


def test_convert_writes_next_to_the_input(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "team-standup.csv"
    source.write_bytes(render_dump(DEMO_SESSIONS[1]))
    result = runner.invoke(cli, ["convert", str(source), "--format", "excel"])
    assert result.exit_code == 0, result.output
    out = (tmp_path / "team-standup-excel.csv").read_bytes()
    assert out.startswith("\ufeff".encode()) and b"'=SUM(A1:A3)" in out


def test_convert_of_a_file_that_is_not_a_chat_dump_exits_7_and_writes_nothing(
    runner: CliRunner, tmp_path: Path
) -> None:
    source = tmp_path / "notes.csv"
    source.write_bytes(b"name,phone\r\nAna,123\r\n")
    result = runner.invoke(cli, ["convert", str(source), "--format", "jsonl"])
    assert result.exit_code == 7
    assert "no id, participantId" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.csv"]


def test_archive_twice_downloads_nothing_new_and_repairs_what_is_missing(
    runner: CliRunner, tmp_path: Path
) -> None:
    first = runner.invoke(cli, ["archive", str(tmp_path), "--demo"], env=DEMO_ENV)
    assert first.exit_code == 0, first.output
    assert "3 archived" in first.stderr
    manifest = [json.loads(line) for line in (tmp_path / "manifest.jsonl").read_text().splitlines()]
    assert {m["session"] for m in manifest} == {s.session_id for s in DEMO_SESSIONS}
    for entry in manifest:
        session = next(s for s in DEMO_SESSIONS if s.session_id == entry["session"])
        assert (tmp_path / entry["file"]).read_bytes() == render_dump(session)
        assert entry["bytes"] == len(render_dump(session))
    mtimes = {p.name: p.stat().st_mtime_ns for p in tmp_path.glob("*.csv")}

    second = runner.invoke(cli, ["archive", str(tmp_path), "--demo"], env=DEMO_ENV)
    assert second.exit_code == 0
    assert "0 archived, 3 already there" in second.stderr
    assert {p.name: p.stat().st_mtime_ns for p in tmp_path.glob("*.csv")} == mtimes

    os.remove(tmp_path / manifest[0]["file"])
    third = runner.invoke(cli, ["archive", str(tmp_path), "--demo"], env=DEMO_ENV)
    assert "1 archived, 2 already there" in third.stderr
    assert (tmp_path / manifest[0]["file"]).exists()


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to tell fds apart")
def test_archive_puts_every_chat_on_disk_before_its_manifest_line(
    runner: CliRunner, tmp_path: Path, synced: list[str]
) -> None:
    # One chat at a time: with several at once, each keeps this order but their calls interleave.
    result = runner.invoke(cli, ["archive", str(tmp_path), "--demo", "--jobs", "1"], env=DEMO_ENV)
    assert result.exit_code == 0, result.output
    # Per chat: the file, its folder (the rename), then the manifest with its new line.
    assert [call for call in synced if call != "data"] == ["file", "folder", "file"] * 3


def test_archive_filters_by_meeting_and_start(runner: CliRunner, tmp_path: Path) -> None:
    meeting = DEMO_SESSIONS[1].meeting_id  # two sessions: 2026-11-25 and 2026-11-26
    result = runner.invoke(
        cli, ["archive", str(tmp_path), "--demo", "--meeting", meeting, "--since", "2026-11-26"],
        env=DEMO_ENV,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "1 archived" in result.stderr
    assert [p.name for p in tmp_path.glob("*.csv")] == [
        f"設計レビュー-2026-11-26--{DEMO_SESSIONS[2].session_id}.csv"
    ]


def test_every_exit_code_is_documented_in_the_help(runner: CliRunner) -> None:
    from chatdump.cli import exit_codes

    documented = runner.invoke(cli, ["download", "--help"]).output
    for name in ("OK", "UNEXPECTED", "USAGE", "CONFIG", "REFUSED", "NOT_FOUND", "UPSTREAM",
                 "INVALID_INPUT", "LOCAL_FILE", "INTERRUPTED"):  # fmt: skip
        assert f"{getattr(exit_codes, name)} " in documented, name


def _demo_with(monkeypatch: pytest.MonkeyPatch, sessions: tuple[DemoSession, ...]) -> None:
    """`--demo` serving these sessions instead of the built-in ones."""
    import chatdump.upstream.demo.local as local

    monkeypatch.setattr(local, "DemoUpstream", functools.partial(DemoUpstream, sessions=sessions))


LONG_CJK = "長い会議名" * 14  # 70 characters, 210 bytes: over 255 with the date and the id


def test_archive_saves_a_chat_whose_title_is_70_cjk_characters(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = replace(DEMO_SESSIONS[0], title=LONG_CJK)
    _demo_with(monkeypatch, (session, *DEMO_SESSIONS[1:]))
    result = runner.invoke(cli, ["archive", str(tmp_path), "--demo"], env=DEMO_ENV)
    assert result.exit_code == 0, result.output
    assert "3 archived" in result.stderr
    [saved] = [p for p in tmp_path.glob("*.csv") if p.name.startswith("長い")]
    assert len(saved.name.encode()) <= 200
    assert saved.name.endswith(f"-2026-11-24--{session.session_id}.csv")
    assert saved.read_bytes() == render_dump(session)


def test_archive_goes_on_after_a_session_fails_and_reports_it_at_the_end(
    runner: CliRunner, tmp_path: Path
) -> None:
    blocked = archive_filename(
        SessionInfo(DEMO_SESSIONS[0].session_id, title="Team Standup",
                    started_at=DEMO_SESSIONS[0].started_at)
    )  # fmt: skip
    (tmp_path / blocked).mkdir()  # the file cannot be renamed into place: an OSError
    result = runner.invoke(cli, ["archive", str(tmp_path), "--demo"], env=DEMO_ENV)
    assert result.exit_code == 8, result.output
    assert f"{DEMO_SESSIONS[0].session_id}: " in result.stderr
    assert "2 archived, 0 already there, 0 live, 0 no chat, 1 failed" in result.stderr
    manifest = (tmp_path / "manifest.jsonl").read_text().splitlines()
    assert {json.loads(line)["session"] for line in manifest} == {
        s.session_id for s in DEMO_SESSIONS[1:]
    }
