"""A corpus of hostile chat dumps through `chatdump convert`, as a user would run it.

Each one ends in a converted file or a one-line error on stderr: never a traceback, never a hang
(every run is bounded), never a half-written output file.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HEADER = "id,participantId,sessionId,meetingId,displayName,pinned,isEdited,payloadType,payload,createdAt\r\n"
ROW = "m1,p1,s1,mt1,Ana,false,false,TEXT_MESSAGE,{payload},2026-11-24T10:03:00.000Z\r\n"
RUN_LIMIT_S = 60


def dump(payload: str) -> bytes:
    return (HEADER + ROW.format(payload=payload)).encode()


CORPUS: dict[str, bytes] = {
    "empty file": b"",
    "header only": HEADER.encode(),
    "missing columns": b"id,displayName\r\n1,Ana\r\n",
    "nul bytes": dump("hel\x00lo"),
    "invalid utf-8": HEADER.encode()
    + b"m1,p1,s1,mt1,\xff\xfe\xfa,false,false,TEXT_MESSAGE,x,2026-11-24T10:03:00Z\r\n",
    "1 MB single cell": dump('"' + "x" * 1_000_000 + '"'),
    "20 MB single cell": dump('"' + "y" * 20_000_000 + '"'),
    "unterminated quote": dump('"never closed'),
    "5 MB line without newline": HEADER.encode() + b"z" * 5_000_000,
    "cr-only newlines": HEADER.replace("\r\n", "\r").encode()
    + ROW.format(payload="a").replace("\r\n", "\r").encode(),
    "utf-8 bom": b"\xef\xbb\xbf" + dump("with bom"),
    "formula payloads": dump('=HYPERLINK("http://evil")') + ROW.format(payload="@SUM(1)").encode(),
    "binary noise": bytes(range(256)) * 400,
    "50k columns": (",".join(f"c{i}" for i in range(50_000)) + "\r\n").encode(),
}


@pytest.mark.parametrize("fmt", ["excel", "jsonl", "txt"])
@pytest.mark.parametrize("name", list(CORPUS))
def test_hostile_dumps_convert_or_fail_cleanly(tmp_path: Path, name: str, fmt: str) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(CORPUS[name])
    target = tmp_path / f"out.{fmt}"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "chatdump",
            "convert",
            str(source),
            "--format",
            fmt,
            "-o",
            str(target),
        ],
        capture_output=True,
        timeout=RUN_LIMIT_S,
        check=False,
    )
    stderr = done.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr, stderr[-2000:]
    if done.returncode == 0:
        assert target.is_file()
    else:
        assert stderr.strip(), "a failure must say why"
        assert len(stderr.strip().splitlines()) <= 2, stderr[:500]
        assert not target.exists(), "a failed conversion left an output file"
        assert [p.name for p in tmp_path.iterdir()] == ["in.csv"], (
            "temporary files were left behind"
        )
