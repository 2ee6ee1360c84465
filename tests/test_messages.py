"""The message catalogue: every language complete, placeholders kept, the language negotiated."""

from __future__ import annotations

import re

import pytest

from chatdump.core import embed, messages
from chatdump.core.formats import FORMATS
from chatdump.server.widget_files import REPO_ROOT

SOURCE = messages.LANGUAGES["en"].messages
OTHERS = [tag for tag in messages.LANGUAGES if tag != "en"]
# Where the language's word is the English one.
SAME_WORDS = {
    "fr": {"summary.messages", "summary.participants", "format_name.csv"},
    "es": {"format_name.csv"},
}
CLDR_CATEGORIES = {"zero", "one", "two", "few", "many", "other"}


def test_the_six_languages_are_registered_and_arabic_is_right_to_left() -> None:
    assert list(messages.LANGUAGES) == ["en", "de", "fr", "es", "ja", "ar"]
    assert {tag: lang.direction for tag, lang in messages.LANGUAGES.items()} == {
        "en": "ltr", "de": "ltr", "fr": "ltr", "es": "ltr", "ja": "ltr", "ar": "rtl"
    }  # fmt: skip
    assert all(tag == lang.tag for tag, lang in messages.LANGUAGES.items())


@pytest.mark.parametrize("lang", OTHERS)
def test_every_language_has_exactly_the_sources_keys(lang: str) -> None:
    keys = set(messages.LANGUAGES[lang].messages)
    assert keys - set(SOURCE) == set(), "keys English does not have"
    assert set(SOURCE) - keys == set(), "keys still to translate"


@pytest.mark.parametrize("lang", OTHERS)
def test_every_translation_keeps_the_sources_placeholders(lang: str) -> None:
    for key, message in messages.LANGUAGES[lang].messages.items():
        wanted = set().union(*messages.placeholders(SOURCE[key]).values())
        found = messages.placeholders(message)
        if isinstance(message, dict):
            # Plural forms: "other" says everything; "one"/"two" may spell the number as a word.
            assert found["other"] == wanted, (key, found)
            assert all(names <= wanted for names in found.values()), (key, found)
        else:
            assert found[""] == wanted, (key, found)


@pytest.mark.parametrize("lang", list(messages.LANGUAGES))
def test_plural_messages_use_cldr_categories_and_always_have_other(lang: str) -> None:
    for key, message in messages.LANGUAGES[lang].messages.items():
        if isinstance(SOURCE[key], dict) or isinstance(message, dict):
            assert isinstance(message, dict) and isinstance(SOURCE[key], dict), key
            assert "other" in message and set(message) <= CLDR_CATEGORIES, (lang, key)


@pytest.mark.parametrize("lang", OTHERS)
def test_translations_are_not_left_in_english(lang: str) -> None:
    # Product and format names stay as they are; everything a person reads is translated.
    same = {key for key, text in messages.LANGUAGES[lang].messages.items() if text == SOURCE[key]}
    assert same <= {"format.label", "format.jsonl", "format_name.jsonl"} | SAME_WORDS.get(
        lang, set()
    )


def test_every_format_has_its_names_in_every_language() -> None:
    for lang in messages.LANGUAGES:
        for name in FORMATS:
            assert messages.has(lang, f"format.{name}") and messages.has(
                lang, f"format_name.{name}"
            )


def test_english_format_names_are_the_registrys_own() -> None:
    assert [messages.text("en", f"format.{name}") for name in FORMATS] == [
        f.option for f in FORMATS.values()
    ]


def test_the_pages_first_paint_english_is_the_catalogues() -> None:
    """index.html paints English before Python runs; each labelled element says en's words."""
    page = (REPO_ROOT / "index.html").read_text()
    labelled = re.findall(r'data-chatdump-text="([a-z_.]+)"[^>]*>([^<]*)<', page)
    assert len(labelled) >= 8
    for key, text in labelled:
        assert text == messages.text("en", key), key
    assert f"<title>{messages.text('en', 'page.title')}</title>" in page


@pytest.mark.parametrize(
    ("param", "browser", "expected"),
    [
        ("", [], "en"),
        ("de", ["fr-FR"], "de"),
        ("de-CH", [], "de"),
        ("AR", [], "ar"),
        ("ja_JP", [], "ja"),
        ("", ["ko-KR", "es-419", "en"], "es"),
        ("xx", ["fr-CA"], "fr"),  # an unknown param falls through to the browser's list
        ("<script>", ["<b>"], "en"),
        ("d" * 100, [], "en"),
        ("", ["zh-Hans-CN", "pt-BR"], "en"),
    ],
)
def test_the_language_is_the_param_then_the_browsers_then_english(
    param: str, browser: list[str], expected: str
) -> None:
    assert messages.negotiate(param, browser) == expected


def test_text_fills_placeholders_and_picks_the_plural_form() -> None:
    assert messages.text("de", "status.saved", filename="a.csv", size="1,2 kB") == (
        "a.csv gespeichert (1,2 kB)."
    )
    assert messages.text("ar", "summary.messages", "two", count="٢") == "رسالتان"
    assert messages.text("ar", "summary.messages", "few", count="٣") == "٣ رسائل"
    # Japanese has no "one": Intl's answer there is always "other", and any category falls back.
    assert messages.text("ja", "summary.messages", "one", count="1") == "メッセージ 1 件"


def test_the_set_lang_command_takes_a_supported_language_only() -> None:
    command = embed.read_command('{"target": "chatdump", "type": "set-lang", "lang": "ja"}')
    assert command is not None and (command.kind, command.value) == ("set-lang", "ja")
    with pytest.raises(Exception, match="must be one of en, de, fr, es, ja, ar") as caught:
        embed.read_command('{"target": "chatdump", "type": "set-lang", "lang": "klingon"}')
    assert getattr(caught.value, "code", "") == "bad_command"


def test_the_sandbox_advice_speaks_the_persons_language() -> None:
    flags = embed.sandbox_flags("allow-scripts allow-same-origin")
    advice = embed.download_advice(True, flags, "de")
    assert advice is not None
    assert advice[1].startswith("Der Rahmen dieser Seite blockiert Downloads")
    assert "allow-downloads" in advice[1]
