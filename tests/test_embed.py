"""chatdump.core.origins and .embed: the allow-list of framing sites, the host page's commands,
the events."""

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chatdump.core import embed, origins
from chatdump.core.errors import BadRequest, ConfigError, NotAuthenticated
from chatdump.core.formats import FORMATS
from chatdump.core.link import is_grant_shaped, read_page_params

OWN = "https://chatdump.example.org"
SESSION = "79365b9b-5e35-4d3a-9d1c-2b5b1c2f7a10"


def allows(config: str, origin: str) -> bool:
    return origins.parse_ancestors(config).allows(origin, OWN)


@pytest.mark.parametrize(
    ("config", "origin"),
    [
        ("", OWN),
        ("'self'", "https://chatdump.example.org:443"),
        ("self", OWN),
        ("https://dash.example.com", "https://dash.example.com"),
        ("https://dash.example.com", "https://DASH.example.com"),
        ("https://dash.example.com:443", "https://dash.example.com"),
        ("https://*.example.com", "https://a.b.example.com"),
        ("http://localhost:*", "http://localhost:5173"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
    ],
)
def test_allowed_origins(config: str, origin: str) -> None:
    assert allows(config, origin)


@pytest.mark.parametrize(
    ("config", "origin"),
    [
        ("'none'", OWN),
        ("https://dash.example.com", OWN),  # 'self' only when listed
        ("https://dash.example.com", "http://dash.example.com"),  # scheme counts
        ("https://dash.example.com", "https://dash.example.com:8443"),
        ("https://dash.example.com", "https://dash.example.com.evil.test"),
        ("https://dash.example.com", "https://evildash.example.com"),
        ("https://*.example.com", "https://example.com"),  # as in CSP: a subdomain is required
        ("https://*.example.com", "https://example.com.evil.test"),
        ("http://localhost:*", "http://localhost.evil.test:80"),
        ("'self'", "null"),  # opaque origins never match
        ("'self'", ""),
        ("'self'", "https://chatdump.example.org/path"),
        ("'self'", "javascript:alert(1)"),
    ],
)
def test_refused_origins(config: str, origin: str) -> None:
    assert not allows(config, origin)


@pytest.mark.parametrize(
    "config",
    [
        "*",
        "https:",
        "https://*",
        "https://a.example.com/path",
        "https://a.example.com?x",
        "https://user@a.example.com",
        "ftp://a.example.com",
        "https://a.example.com:99999",
        "https://a.*.example.com",
        "https://a.example.com; script-src *",
        "'none' 'self'",
        "'unsafe-inline'",
        "https://exa mple.com",
        "https://a_b.example.com",
        "https://\u00e9xample.com",
        "https://" + "a" * 300 + ".com",
        " ".join(f"https://a{i}.example.com" for i in range(40)),
    ],
)
def test_hostile_configuration_is_refused_with_a_config_error(config: str) -> None:
    with pytest.raises(ConfigError):
        origins.parse_ancestors(config)


def test_sources_are_normalised_and_deduplicated() -> None:
    ancestors = origins.parse_ancestors(
        "HTTPS://Dash.Example.com:443/, https://dash.example.com 'self' http://a.test:8080"
    )
    assert ancestors.sources == ("'self'", "https://dash.example.com", "http://a.test:8080")
    assert ancestors.csp_value() == "'self' https://dash.example.com http://a.test:8080"


def test_none_and_empty_lists() -> None:
    assert origins.parse_ancestors("'none'").sources == ("'none'",)
    assert origins.parse_ancestors("  ").sources == ("'self'",)


@given(st.text(max_size=80))
def test_parsing_never_fails_other_than_with_a_config_error(text: str) -> None:
    try:
        ancestors = origins.parse_ancestors(text)
    except ConfigError:
        return
    for source in ancestors.sources:
        assert ";" not in source and "," not in source and " " not in source


def test_embed_json_round_trips_through_the_page_parser() -> None:
    ancestors = origins.parse_ancestors("'self' https://*.example.com http://localhost:*")
    assert origins.ancestors_from_json(json.dumps(origins.embed_json(ancestors))) == ancestors


@pytest.mark.parametrize(
    "body",
    [
        "",
        "[]",
        '{"frame_ancestors": "x"}',
        '{"frame_ancestors": [1]}',
        '{"frame_ancestors": ["*"]}',
    ],
)
def test_a_bad_embed_json_is_a_config_error(body: str) -> None:
    with pytest.raises(ConfigError):
        origins.ancestors_from_json(body)


def test_events_go_to_the_known_parent_only_when_it_is_allowed() -> None:
    ancestors = origins.parse_ancestors("https://*.example.com https://dash.test")
    assert embed.event_targets("https://a.example.com", ancestors, OWN) == (
        "https://a.example.com",
    )
    assert embed.event_targets("https://evil.test", ancestors, OWN) == ()


def test_with_an_unknown_parent_events_fan_out_to_exact_allowed_origins_never_star() -> None:
    ancestors = origins.parse_ancestors("'self' https://*.example.com https://dash.test")
    targets = embed.event_targets(None, ancestors, OWN)
    assert targets == (OWN, "https://dash.test")
    assert "*" not in targets


def test_events_have_the_documented_shape() -> None:
    assert embed.ready_event(has_grant=False) == {
        "source": "chatdump",
        "type": "ready",
        "has_grant": False,
    }
    assert embed.done_event(1234, "a.csv") == {
        "source": "chatdump",
        "type": "done",
        "bytes": 1234,
        "filename": "a.csv",
    }
    assert embed.error_event("storage_forbidden", "Refused.") == {
        "source": "chatdump",
        "type": "error",
        "code": "storage_forbidden",
        "message": "Refused.",
    }
    assert embed.progress_event(10, None)["total"] is None
    assert embed.resize_event(120.6) == {"source": "chatdump", "type": "resize", "height": 121}
    assert embed.resize_event(-5)["height"] == 0


def command(**data: object) -> str:
    return json.dumps({"target": "chatdump", **data})


def test_set_grant_is_read_and_its_repr_hides_the_grant() -> None:
    read = embed.read_command(command(type="set-grant", session="abc-123", grant="x.y.z"))
    assert read == embed.Command("set-grant", session_id="abc-123", grant="x.y.z")
    assert "x.y.z" not in repr(read)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"type": "set-format", "format": "excel"}, embed.Command("set-format", value="excel")),
        ({"type": "set-theme", "theme": "dark"}, embed.Command("set-theme", value="dark")),
        ({"type": "download"}, embed.Command("download")),
        (
            {"type": "set-sandbox", "sandbox": "allow-scripts  allow-same-origin bogus"},
            embed.Command("set-sandbox", flags=frozenset({"allow-scripts", "allow-same-origin"})),
        ),
    ],
)
def test_commands_are_read_as_data(data: dict[str, object], expected: embed.Command) -> None:
    assert embed.read_command(command(**data)) == expected


@pytest.mark.parametrize("name", list(FORMATS))
def test_set_format_accepts_every_registered_format(name: str) -> None:
    assert embed.read_command(command(type="set-format", format=name)) == embed.Command(
        "set-format", value=name
    )


@pytest.mark.parametrize("grant", ["a" * 2048, "a" * 2049, "a b", "x~y.z-_", "é"])
def test_set_grant_checks_the_same_grant_shape_as_the_link(grant: str) -> None:
    text = command(type="set-grant", session=SESSION, grant=grant)
    if is_grant_shaped(grant):
        assert read_page_params(f"?session={SESSION}&grant={grant}", "").grant == grant
        assert embed.read_command(text) == embed.Command(
            "set-grant", session_id=SESSION, grant=grant
        )
    else:
        with pytest.raises(NotAuthenticated):
            read_page_params(f"?session={SESSION}&grant={grant}", "")
        with pytest.raises(BadRequest, match="grant is missing or malformed"):
            embed.read_command(text)


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        '"chatdump"',
        json.dumps({"type": "download"}),  # not addressed to chatdump
        json.dumps({"target": "other", "type": "download"}),
        command(type="download", padding="x" * 10_000),  # too large to be ours
    ],
)
def test_messages_not_addressed_to_chatdump_are_ignored(text: str) -> None:
    assert embed.read_command(text) is None


@pytest.mark.parametrize(
    "data",
    [
        {"type": "explode"},
        {"type": ["download"]},
        {"type": "set-grant", "session": "abc", "grant": ""},
        {"type": "set-grant", "session": "../etc", "grant": "a.b.c"},
        {"type": "set-grant", "session": "abc", "grant": "<script>"},
        {"type": "set-grant", "session": 5, "grant": "a.b.c"},
        {"type": "set-grant", "session": "abc", "grant": "a" * 5000},
        {"type": "set-format", "format": "pdf"},
        {"type": "set-format"},
        {"type": "set-theme", "theme": "url(javascript:x)"},
        {"type": "set-sandbox", "sandbox": ["allow-downloads"]},
    ],
)
def test_malformed_commands_are_a_bad_command_error(data: dict[str, object]) -> None:
    with pytest.raises(BadRequest) as caught:
        embed.read_command(command(**data))
    assert caught.value.code == "bad_command"


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
                    max_leaves=10))  # fmt: skip
def test_any_json_is_a_command_none_or_a_bad_command(data: object) -> None:
    for value in (
        data,
        {"target": "chatdump", "type": "set-grant", "session": data, "grant": data},
    ):
        try:
            embed.read_command(json.dumps(value))
        except BadRequest as exc:
            assert exc.code == "bad_command"


def test_missing_flags_and_the_fallback() -> None:
    declared = embed.sandbox_flags("allow-scripts allow-same-origin allow-popups")
    assert embed.missing_flags(declared) == ("allow-downloads",)
    assert not embed.can_open_fallback(declared)
    assert embed.can_open_fallback(declared | {"allow-popups-to-escape-sandbox"})
    message = embed.sandbox_message(("allow-downloads",), fallback=True)
    assert "allow-downloads" in message and "new tab" in message


@pytest.mark.parametrize(
    ("query", "fragment", "expected"),
    [
        ("", "", embed.EmbedParams()),
        ("?layout=embed", "", embed.EmbedParams(layout="embed")),
        ("?layout=embed", "#layout=page", embed.EmbedParams()),  # the fragment wins
        ("", "#layout=<b>", embed.EmbedParams()),
        (
            "",
            "#session=a&sandbox=allow-scripts+allow-same-origin",
            embed.EmbedParams(sandbox=frozenset({"allow-scripts", "allow-same-origin"})),
        ),
        ("", "#sandbox=", embed.EmbedParams(sandbox=frozenset())),
    ],
)
def test_embed_params_come_from_the_link(
    query: str, fragment: str, expected: embed.EmbedParams
) -> None:
    assert embed.read_embed_params(query, fragment) == expected


def test_no_advice_outside_a_sandbox_or_when_downloads_are_allowed() -> None:
    assert embed.download_advice(False, frozenset()) is None
    assert embed.download_advice(True, None) is None  # flags unknown: try, then hint
    assert embed.download_advice(True, embed.sandbox_flags(RECOMMENDED_FLAGS)) is None


def test_a_declared_sandbox_without_downloads_gets_advice_and_maybe_a_new_tab() -> None:
    flags = embed.sandbox_flags("allow-scripts allow-same-origin")
    code, message, fallback = embed.download_advice(True, flags) or ("", "", True)
    assert code == "sandbox_blocks_downloads"
    assert "allow-downloads" in message and not fallback
    popups = flags | set(embed.POPUP_FLAGS)
    assert embed.download_advice(True, frozenset(popups)) == (
        "sandbox_blocks_downloads",
        embed.sandbox_message(("allow-downloads",), fallback=True),
        True,
    )


def test_the_hint_after_saving_only_when_the_sandbox_is_unknown() -> None:
    assert "allow-downloads" in embed.after_save_hint(True, None)
    assert embed.after_save_hint(False, None) == ""
    assert embed.after_save_hint(True, embed.sandbox_flags(RECOMMENDED_FLAGS)) == ""


RECOMMENDED_FLAGS = "allow-scripts allow-same-origin allow-downloads"


def test_the_page_ships_its_embedding_files() -> None:
    from chatdump.server.widget_files import REPO_ROOT, WidgetFiles
    from tools.widget_modules import widget_modules

    shipped = widget_modules(REPO_ROOT)
    assert {"browser/embedding.py", "chatdump/core/embed.py", "chatdump/core/origins.py"} <= set(
        shipped
    )
    served = WidgetFiles.load().files
    assert {"browser/boot.js", "browser/embed.css"} <= set(served)
    page = (REPO_ROOT / "index.html").read_text(encoding="utf-8")
    # boot.js must run before PyScript's core.js, or PyScript never starts in third-party frames.
    # (A modulepreload of core.js before it only fetches the module; it does not run it.)
    core = re.search(r'<script type="module" src="[^"]*/core\.js">', page)
    assert core is not None
    assert page.index('<script src="./browser/boot.js">') < core.start()


@pytest.mark.parametrize(
    "config",
    ["https://*.com", "https://*.io", "http://*.localhost:*", "https://*.co.uk",
     "https://*.com.au", "https://*.ac.jp", "https://*.org.br:8443"],
)  # fmt: skip
def test_a_wildcard_over_a_public_suffix_is_refused(config: str) -> None:
    with pytest.raises(ConfigError, match="public suffix"):
        origins.parse_ancestors(config)


@pytest.mark.parametrize(
    "config", ["https://*.example.com", "https://*.example.co.uk", "https://*.dash.io"]
)
def test_a_wildcard_over_a_registered_domain_stays_allowed(config: str) -> None:
    assert origins.parse_ancestors(config).patterns
