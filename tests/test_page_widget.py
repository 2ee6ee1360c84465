"""The widget's page decisions: format param, progress line, whether the save needs a fresh click."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chatdump.core import errors
from chatdump.core.formats import FORMATS
from chatdump.core.link import read_format, read_max_blob, read_page_params
from chatdump.core.progress import progress_text
from chatdump.core.save_gesture import ACTIVATION_WINDOW_MS, needs_save_click
from chatdump.server.widget_files import REPO_ROOT

SESSION = "79365b9b-5e35-4d3a-9d1c-2b5b1c2f7a10"


def test_the_format_defaults_to_the_csv_as_stored() -> None:
    assert read_page_params(f"?session={SESSION}&grant=g", "").format == "csv"


def test_the_format_param_is_read_case_insensitively_from_the_fragment() -> None:
    assert read_page_params("", f"#session={SESSION}&grant=g&format=JSONL").format == "jsonl"


def test_an_unknown_format_is_refused_with_the_choices() -> None:
    with pytest.raises(errors.BadRequest, match="csv, excel, jsonl, txt") as caught:
        read_format("<script>")
    assert caught.value.code == "unknown_format"


@pytest.mark.parametrize(
    ("given", "size"),
    [("", None), ("500MB", 500_000_000), ("2gb", 2_000_000_000), ("1000", 1000),
     (" 3 kB ", 3000), ("lots", None), ("-5", None), ("1.5GB", None), ("9" * 16, None)],
)  # fmt: skip
def test_the_max_blob_param_is_a_size_or_nothing(given: str, size: int | None) -> None:
    assert read_max_blob("", f"#session={SESSION}&max_blob={given}") == size
    assert read_max_blob(f"?max_blob={given}", "") == size


def test_the_pages_format_select_offers_the_registry_in_order() -> None:
    page = (REPO_ROOT / "index.html").read_text()
    select = re.search(r'<select id="chatdump-format"[^>]*>(.*?)</select>', page, re.DOTALL)
    assert select is not None
    options = re.findall(r'<option value="([a-z]+)"[^>]*>([^<]*)</option>', select[1])
    assert options == [(f.name, f.option) for f in FORMATS.values()]


def test_progress_with_a_known_total_has_bytes_total_and_percent() -> None:
    assert progress_text(2_500_000, 10_000_000) == ("2.5 MB of 10.0 MB (25%)", 0.25)


@pytest.mark.parametrize("total", [None, 0, -1, 10])
def test_progress_without_a_usable_total_is_indeterminate(total: int | None) -> None:
    text, fraction = progress_text(20, total)
    assert fraction is None
    assert text == "20 bytes received"


@given(st.integers(0, 10**12), st.one_of(st.none(), st.integers(-5, 10**12)))
def test_progress_fractions_stay_between_zero_and_one(received: int, total: int | None) -> None:
    text, fraction = progress_text(received, total)
    assert text
    assert fraction is None or 0.0 <= fraction <= 1.0


def test_the_browsers_own_activation_answer_wins() -> None:
    assert needs_save_click(True, 60_000) is False
    assert needs_save_click(False, 10) is True


def test_without_it_an_old_click_counts_as_lapsed() -> None:
    assert needs_save_click(None, 100) is False
    assert needs_save_click(None, ACTIVATION_WINDOW_MS + 1) is True
    assert needs_save_click(None, -1) is True  # a clock that went backwards: ask for a click
