"""The widget's six languages in headless Chromium against `chatdump serve --demo`: chosen by the
``lang`` param, by the host's ``set-lang`` message and by the browser's own languages; numbers,
sizes and plurals from ``Intl``; the saved file the same in every language."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from chatdump.core import messages
from chatdump.core.dump import summarise
from chatdump.upstream.demo import DEFAULT_SESSION_ID
from tests.browser.conftest import demo_grant, wait_for_state


def lang_url(server: str, lang: str = "", fmt: str = "") -> str:
    """Language and format in the query, so that going from one to the next loads the page anew."""
    query = "&".join(f"{key}={value}" for key, value in (("lang", lang), ("format", fmt)) if value)
    grant = quote(demo_grant(DEFAULT_SESSION_ID))
    return f"{server}/?{query}#session={DEFAULT_SESSION_ID}&grant={grant}"


@pytest.fixture
def localised(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A page in a browser whose person prefers ``request.param`` (sets navigator.languages)."""
    context = browser.new_context(accept_downloads=True, locale=request.param)
    yield context.new_page()
    context.close()


def html_lang_dir(page: Page) -> tuple[str, str]:
    found = page.evaluate("[document.documentElement.lang, document.documentElement.dir]")
    return found[0], found[1]


@pytest.mark.parametrize("lang", ["de", "fr", "es", "ja", "ar"])
def test_the_lang_param_switches_labels_html_lang_and_direction(
    page: Page, server: str, lang: str
) -> None:
    page.goto(lang_url(server, lang))
    assert wait_for_state(page, "ready", "error") == "ready"
    expect(page.locator("#chatdump-download")).to_have_text(messages.text(lang, "button.download"))
    expect(page.get_by_role("status")).to_have_text(messages.text(lang, "status.ready"))
    expect(page.locator("#chatdump-format option[value=txt]")).to_have_text(
        messages.text(lang, "format.txt")
    )
    assert html_lang_dir(page) == (lang, messages.direction(lang))
    assert page.title() == messages.text(lang, "page.title")


def test_an_unsupported_lang_param_falls_back_to_english(page: Page, server: str) -> None:
    page.goto(lang_url(server, "<b>xx</b>"))
    assert wait_for_state(page, "ready", "error") == "ready"
    expect(page.locator("#chatdump-download")).to_have_text("Download chat")
    assert html_lang_dir(page) == ("en", "ltr")


@pytest.mark.parametrize("localised", ["de-AT"], indirect=True)
def test_the_browsers_language_is_used_without_a_param(localised: Page, server: str) -> None:
    localised.goto(lang_url(server))
    assert wait_for_state(localised, "ready", "error") == "ready"
    expect(localised.locator("#chatdump-download")).to_have_text("Chat herunterladen")
    assert html_lang_dir(localised) == ("de", "ltr")


@pytest.mark.parametrize("localised", ["ja-JP"], indirect=True)
def test_the_lang_param_wins_over_the_browsers_language(localised: Page, server: str) -> None:
    localised.goto(lang_url(server, "ar"))
    assert wait_for_state(localised, "ready", "error") == "ready"
    assert html_lang_dir(localised) == ("ar", "rtl")


@pytest.mark.parametrize("localised", ["ko-KR"], indirect=True)
def test_a_browser_language_we_do_not_speak_gets_english(localised: Page, server: str) -> None:
    localised.goto(lang_url(server))
    assert wait_for_state(localised, "ready", "error") == "ready"
    expect(localised.locator("#chatdump-download")).to_have_text("Download chat")


def test_an_error_is_said_in_the_chosen_language(page: Page, server: str) -> None:
    page.goto(f"{server}/#lang=fr")
    assert wait_for_state(page, "ready", "error") == "error"
    expect(page.get_by_role("status")).to_have_text(messages.text("fr", "error.missing_session"))
    expect(page.locator("#chatdump-download")).to_have_text("Réessayer")


def save_in(page: Page, tmp_path: Path, lang: str) -> tuple[str, bytes, str]:
    """Click, save; the file's name and bytes and the status line said about it."""
    wait_for_state(page, "ready")
    with page.expect_download() as info:
        page.locator("#chatdump-download").click()
    target = tmp_path / f"saved-{lang}"
    info.value.save_as(target)
    wait_for_state(page, "done")
    return (
        info.value.suggested_filename,
        target.read_bytes(),
        page.locator("#chatdump-status").inner_text(),
    )


@pytest.mark.parametrize("fmt", ["csv", "txt"])
def test_the_saved_file_is_the_same_in_every_language(
    page: Page, server: str, tmp_path: Path, fmt: str
) -> None:
    saved = {}
    for lang in ("en", "ja", "ar"):
        page.goto(lang_url(server, lang, fmt))
        name, body, _ = save_in(page, tmp_path, lang)
        saved[lang] = (name, body)
    assert len(set(saved.values())) == 1, {lang: found[0] for lang, found in saved.items()}


def stored_csv(server: str) -> bytes:
    grant = demo_grant(DEFAULT_SESSION_ID)
    api = httpx.get(
        f"{server}/api/sessions/{DEFAULT_SESSION_ID}/chat-url",
        headers={"Authorization": f"Bearer {grant}"},
    ).json()
    return httpx.get(api["url"]).content


def isolated(lang: str, text: str) -> str:
    """A value as the widget puts it into a right-to-left sentence (first-strong isolates)."""
    return f"\u2068{text}\u2069" if messages.direction(lang) == "rtl" else text


@pytest.mark.parametrize(
    ("lang", "mark"),
    [("de", ","), ("ja", "KB"), ("ar", "كيلوبايت")],  # decimal comma; unit names
)
def test_sizes_and_plurals_are_in_the_locales_form(
    page: Page, server: str, tmp_path: Path, lang: str, mark: str
) -> None:
    page.goto(lang_url(server, lang, "txt"))
    _, body, status = save_in(page, tmp_path, lang)
    size = page.evaluate(
        """([lang, size]) => new Intl.NumberFormat(lang, {style: "unit", unit: "kilobyte",
            unitDisplay: "short", minimumFractionDigits: 1, maximumFractionDigits: 1})
            .format(size / 1000)""",
        [lang, len(body)],
    )
    print(f"{lang}: status {status!r}; Intl's size {size!r}")
    assert mark in size
    assert isolated(lang, size) in status
    count = summarise([stored_csv(server)]).messages
    category, number = page.evaluate(
        """([lang, n]) => [new Intl.PluralRules(lang).select(n), new Intl.NumberFormat(lang).format(n)]""",
        [lang, count],
    )
    said = messages.text(lang, "summary.messages", category, count=isolated(lang, number))
    summary = page.locator("#chatdump-summary")
    expect(summary).to_contain_text(said)
    print(f"{lang}: {count} messages are {category!r}: summary {summary.inner_text()!r}")


def test_set_lang_from_the_host_switches_the_language_and_the_current_state(
    page: Page, server: str
) -> None:
    """The host page frames the widget and sends set-lang; the widget speaks it at once."""
    widget = lang_url(server)
    host = f"""<!doctype html><title>host</title>
        <iframe id="w" src={json.dumps(widget)} width="400" height="300"></iframe>"""
    page.route(
        f"{server}/host-i18n.html",
        lambda route: route.fulfill(status=200, content_type="text/html", body=host),
    )
    page.goto(f"{server}/host-i18n.html")
    frame = page.frame_locator("#w")
    expect(frame.locator("html[data-chatdump-state=ready]")).to_have_count(1, timeout=60_000)
    page.evaluate(
        """() => document.getElementById("w").contentWindow.postMessage(
            {target: "chatdump", type: "set-lang", lang: "ar"}, "*")"""
    )
    expect(frame.locator("html")).to_have_attribute("lang", "ar")
    expect(frame.locator("html")).to_have_attribute("dir", "rtl")
    expect(frame.locator("#chatdump-download")).to_have_text("تنزيل الدردشة")
    expect(frame.locator("#chatdump-status")).to_have_text(messages.text("ar", "status.ready"))
