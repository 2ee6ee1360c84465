"""Where a body of a given size goes in a given browser (``chatdump.core.save_plan``)."""

from __future__ import annotations

import pytest

from chatdump.core.save_plan import (
    BLOB_LIMITS,
    GB,
    UNKNOWN_ENGINE_LIMIT,
    BrowserAbilities,
    blob_limit,
    engine_of,
    fetch_in_parts,
    plan_save,
)

CHROMIUM = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0"
SAFARI = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15"
PICKER = BrowserAbilities(blob_limit=2 * GB, file_picker=True)
NO_PICKER = BrowserAbilities(blob_limit=2 * GB, file_picker=False)


def test_engines_are_told_apart_by_their_user_agent() -> None:
    assert engine_of(CHROMIUM) == "chromium"
    assert engine_of(FIREFOX) == "firefox"
    assert engine_of(SAFARI) == "other"


def test_each_engine_gets_its_measured_limit_and_an_unknown_one_the_smallest() -> None:
    assert blob_limit(CHROMIUM) == BLOB_LIMITS["chromium"]
    assert blob_limit(FIREFOX) == BLOB_LIMITS["firefox"]
    assert blob_limit(SAFARI) == UNKNOWN_ENGINE_LIMIT <= min(BLOB_LIMITS.values())


def test_the_host_page_can_lower_the_limit_but_never_raise_it() -> None:
    assert blob_limit(CHROMIUM, lowered_to=1000) == 1000
    assert blob_limit(CHROMIUM, lowered_to=100 * GB) == BLOB_LIMITS["chromium"]
    assert blob_limit(CHROMIUM, lowered_to=-5) == 0


@pytest.mark.parametrize("abilities", [PICKER, NO_PICKER])
def test_up_to_the_limit_and_of_unknown_size_the_body_is_a_blob(
    abilities: BrowserAbilities,
) -> None:
    for size in (0, 1, 2 * GB, None):
        for convert in (False, True):
            assert plan_save(size, convert=convert, in_parts=True, browser=abilities) == "blob"


def test_beyond_the_limit_a_csv_streams_into_the_chosen_file_where_the_picker_exists() -> None:
    assert plan_save(2 * GB + 1, convert=False, in_parts=True, browser=PICKER) == "file"


def test_beyond_the_limit_elsewhere_the_browser_downloads_it_itself() -> None:
    assert plan_save(3 * GB, convert=False, in_parts=True, browser=NO_PICKER) == "browser"
    # Storage that ignores ranges cannot feed the file part by part: the browser's download.
    assert plan_save(3 * GB, convert=False, in_parts=False, browser=PICKER) == "browser"


def test_beyond_the_limit_a_conversion_cannot_be_done_in_the_page() -> None:
    for abilities in (PICKER, NO_PICKER):
        assert plan_save(3 * GB, convert=True, in_parts=True, browser=abilities) == "nowhere"


def test_parts_only_where_they_are_faster_than_one_request() -> None:
    assert fetch_in_parts(CHROMIUM)
    assert not fetch_in_parts(FIREFOX)
    assert not fetch_in_parts(SAFARI)
