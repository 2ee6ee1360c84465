from pathlib import Path

import pytest

from chatdump.export import atomic as files
from chatdump.export.atomic import atomic_write


def test_a_complete_write_appears_under_its_name_and_nothing_else_is_left(tmp_path: Path) -> None:
    target = tmp_path / "chat.csv"
    with atomic_write(target, durable=False) as out:
        out.write(b"id\n")
        assert not target.exists()
    assert target.read_bytes() == b"id\n"
    assert list(tmp_path.iterdir()) == [target]


def test_a_failed_write_leaves_no_file_and_keeps_the_old_one(tmp_path: Path) -> None:
    target = tmp_path / "chat.csv"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_write(target, durable=True) as out:
        out.write(b"half")
        raise RuntimeError("cut")
    assert target.read_bytes() == b"old"
    assert list(tmp_path.iterdir()) == [target]


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to tell fds apart")
def test_a_durable_write_is_flushed_while_written_then_file_and_folder_fsynced(
    tmp_path: Path, synced: list[str]
) -> None:
    with atomic_write(tmp_path / "chat.csv", durable=True) as out:
        for _ in range(20):
            out.write(b"x" * 1000)
            if "data" in synced:
                break
            files.threading.Event().wait(0.01)
    assert "data" in synced  # the background flush ran during the write
    assert synced[-2:] == ["file", "folder"]


def test_a_plain_write_does_not_wait_for_the_disk(tmp_path: Path, synced: list[str]) -> None:
    with atomic_write(tmp_path / "chat.csv", durable=False) as out:
        out.write(b"x")
        files.threading.Event().wait(0.05)
    assert synced == []
