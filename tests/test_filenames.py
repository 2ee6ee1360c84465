import re
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chatdump.core.filenames import (
    MAX_NAME_BYTES,
    MAX_STEM,
    archive_filename,
    chat_filename,
    safe_filename,
    slug,
    with_extension,
)

SAFE = re.compile(r"[\w-]{1,80}\.[a-z0-9]{1,8}")


def test_title_and_start_date_name_the_file() -> None:
    started = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    assert (
        chat_filename("s1", title="Team Standup", started_at=started)
        == "team-standup-2026-11-24.csv"
    )


def test_accents_and_cjk_survive_while_punctuation_goes() -> None:
    assert chat_filename("s1", title="Café Rétro — Q4 planning 🚀") == "café-rétro-q4-planning.csv"
    assert chat_filename("s1", title="設計レビュー") == "設計レビュー.csv"


@pytest.mark.parametrize("title", [None, "", "🚀🚀", "../../", "   "])
def test_no_usable_title_falls_back_to_the_session_id(title: str | None) -> None:
    assert chat_filename("79365b9b-5e35", title=title) == "79365b9b-5e35.csv"


@pytest.mark.parametrize("title", ["CON", "nul", "Com1"])
def test_windows_device_names_are_never_produced(title: str) -> None:
    assert chat_filename("s", title=title).split(".")[0] not in {"con", "nul", "com1"}


def test_the_extension_follows_the_format() -> None:
    assert chat_filename("abc", extension="jsonl") == "abc.jsonl"
    with pytest.raises(ValueError):
        chat_filename("abc", extension="../x")


@given(title=st.text(max_size=500), session=st.from_regex(r"[A-Za-z0-9_-]{1,64}", fullmatch=True))
def test_any_title_gives_a_safe_name(title: str, session: str) -> None:
    name = chat_filename(session, title=title)
    assert SAFE.fullmatch(name), name
    assert len(name.split(".")[0]) <= MAX_STEM


@given(st.text(max_size=300))
def test_any_name_from_the_wire_is_made_safe(untrusted: str) -> None:
    assert SAFE.fullmatch(safe_filename(untrusted))


@pytest.mark.parametrize(
    ("untrusted", "expected"),
    [
        ("team-standup-2026-11-24.csv", "team-standup-2026-11-24.csv"),
        ("../../etc/passwd", "chat.csv"),
        ("..\\evil.exe.csv", "evil-exe.csv"),
        ("x.CSV", "x.csv"),
        ("nothing", "chat.csv"),
    ],
)
def test_names_from_the_wire(untrusted: str, expected: str) -> None:
    assert safe_filename(untrusted) == expected


def test_with_extension_names_another_format_of_the_same_chat() -> None:
    assert with_extension("team-standup.csv", "csv", suffix="excel") == "team-standup-excel.csv"
    assert with_extension("team-standup.csv", "jsonl") == "team-standup.jsonl"
    assert with_extension("../../etc/passwd", "txt") == "chat.txt"
    assert with_extension("con.csv", "txt") == "con-chat.txt"


@given(st.text(), st.sampled_from(["", "excel"]))
def test_with_extension_is_always_safe(name: str, suffix: str) -> None:
    assert SAFE.fullmatch(with_extension(name, "jsonl", suffix=suffix))


ANY_TITLE = st.text(st.characters(blacklist_categories=["Cs"]), max_size=400)
SESSION_ID = st.from_regex(r"[A-Za-z0-9_-]{1,64}", fullmatch=True)
DAY = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31))


@given(title=ANY_TITLE, session=SESSION_ID, started=st.none() | DAY)
def test_every_name_fits_in_bytes_and_keeps_the_date(
    title: str, session: str, started: datetime | None
) -> None:
    name = chat_filename(session, title=title, started_at=started)
    assert len(name.encode("utf-8")) <= MAX_NAME_BYTES
    if started is not None and slug(title):
        assert name.endswith(f"-{started:%Y-%m-%d}.csv"), name


@given(title=ANY_TITLE, session=SESSION_ID, started=st.none() | DAY)
def test_archive_names_fit_and_keep_the_session_id_whole(
    title: str, session: str, started: datetime | None
) -> None:
    name = archive_filename(session, title=title, started_at=started)
    assert len(name.encode("utf-8")) <= MAX_NAME_BYTES
    assert (
        name.endswith(f"--{session}.csv")
        or name == f"{session}.csv"
        or name.startswith(f"{session}-chat")
    ), name
    assert "/" not in name and "\0" not in name


@given(st.text(max_size=600), st.sampled_from(["", "excel"]))
def test_names_from_the_wire_and_their_formats_fit_in_bytes(name: str, suffix: str) -> None:
    assert len(safe_filename(name).encode("utf-8")) <= MAX_NAME_BYTES
    assert len(with_extension(name, "jsonl", suffix=suffix).encode()) <= MAX_NAME_BYTES


def test_a_long_title_of_four_byte_characters_is_cut_on_a_character_boundary() -> None:
    name = chat_filename("s1", title="𠀀" * 100, started_at=datetime(2026, 11, 24))
    assert name == "𠀀" * 46 + "-2026-11-24.csv"  # 184 + 15 bytes


def test_session_ids_differing_only_in_case_get_different_archive_files() -> None:
    assert archive_filename("AbC-1", title="x") != archive_filename("abc-1", title="x")
    assert archive_filename("AbC-1") == "AbC-1.csv"
