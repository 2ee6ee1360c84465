"""The widget page's security headers: the pure builder, and what the server actually sends."""

import httpx
import pytest

from chatdump.core.origins import parse_ancestors
from chatdump.server.app import create_app
from chatdump.server.headers import content_security_policy, page_headers
from chatdump.server.settings import Settings

BASE = "http://127.0.0.1"


def directives(policy: str) -> dict[str, str]:
    parts = (part.strip().split(" ", 1) for part in policy.split(";"))
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts}


def test_the_policy_allows_pyscript_and_nothing_else() -> None:
    policy = directives(content_security_policy(parse_ancestors("")))
    assert policy["default-src"] == "'none'"
    # 'unsafe-eval', not just 'wasm-unsafe-eval': PyScript 0.7.31's bundle calls Function().
    assert policy["script-src"] == "'self' 'unsafe-eval'"
    assert "'unsafe-inline'" not in " ".join(policy.values())
    assert policy["style-src"] == "'self'"
    assert policy["base-uri"] == "'none'"
    assert policy["form-action"] == "'none'"
    assert (
        "frame-src" not in policy and "object-src" not in policy
    )  # default-src 'none' covers them


def test_connect_src_admits_https_storage_and_loopback_http_only() -> None:
    sources = directives(content_security_policy(parse_ancestors(""))).get("connect-src", "")
    assert sources.split() == [
        "'self'",
        "https:",
        "http://127.0.0.1:*",
        "http://localhost:*",
    ]
    assert "http:" not in sources.split() and "*" not in sources.split()


@pytest.mark.parametrize(
    ("configured", "expected"),
    [
        ("", "'self'"),
        ("'none'", "'none'"),
        ("https://dash.example.com", "https://dash.example.com"),
        (
            "'self', https://*.example.com http://localhost:*",
            "'self' https://*.example.com http://localhost:*",
        ),
    ],
)
def test_frame_ancestors_follows_the_setting(configured: str, expected: str) -> None:
    policy = directives(content_security_policy(parse_ancestors(configured)))
    assert policy["frame-ancestors"] == expected


def test_a_hostile_setting_cannot_add_directives() -> None:
    from chatdump.core.errors import ConfigError

    with pytest.raises(ConfigError):
        parse_ancestors("https://a.example; script-src *")


def test_page_headers_hold_the_policy_nosniff_and_no_referrer() -> None:
    headers = page_headers(parse_ancestors(""))
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "frame-ancestors 'self'" in headers["Content-Security-Policy"]


async def _get(settings: Settings, path: str) -> httpx.Response:
    app = create_app(settings, public_url=BASE)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
        return await client.get(path)


@pytest.mark.anyio
@pytest.mark.parametrize(
    "path", ["/", "/index.html", "/main.py", "/browser/boot.js", "/browser/widget.css"]
)
async def test_the_server_sends_the_policy_with_the_page_and_its_files(path: str) -> None:
    settings = Settings.from_env(
        {"CHATDUMP_FRAME_ANCESTORS": "https://dash.example.com"}, demo=True
    )
    answer = await _get(settings, path)
    assert answer.status_code == 200
    policy = directives(answer.headers["content-security-policy"])
    plain = directives(content_security_policy(settings.frame_ancestors))
    # The page adds the hashes of what it inlines (server/inline.py); nothing else differs.
    assert policy["script-src"].startswith(plain["script-src"])
    assert policy["style-src"].startswith(plain["style-src"])
    assert {k: v for k, v in policy.items() if not k.endswith("-src")} == {
        k: v for k, v in plain.items() if not k.endswith("-src")
    }
    assert policy["connect-src"] == plain["connect-src"]
    assert "frame-ancestors https://dash.example.com" in answer.headers["content-security-policy"]
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "no-referrer"


@pytest.mark.anyio
async def test_boot_js_is_served_as_javascript() -> None:
    answer = await _get(Settings.from_env({}, demo=True), "/browser/boot.js")
    assert answer.headers["content-type"].startswith("text/javascript")


@pytest.mark.anyio
async def test_embed_json_tells_the_page_who_may_frame_and_command_it() -> None:
    settings = Settings.from_env(
        {"CHATDUMP_FRAME_ANCESTORS": "'self' https://*.example.com"}, demo=True
    )
    answer = await _get(settings, "/embed.json")
    assert answer.status_code == 200
    assert answer.json() == {"frame_ancestors": ["'self'", "https://*.example.com"]}


@pytest.mark.anyio
async def test_embed_json_defaults_to_the_widgets_own_site() -> None:
    answer = await _get(Settings.from_env({}, demo=True), "/embed.json")
    assert answer.json() == {"frame_ancestors": ["'self'"]}


@pytest.mark.anyio
@pytest.mark.parametrize("path", ["/", "/index.html"])
async def test_the_page_inlines_its_scripts_and_styles_admitted_by_hash_only(path: str) -> None:
    answer = await _get(Settings.from_env({}, demo=True), path)
    policy = directives(answer.headers["content-security-policy"])
    assert answer.headers["content-type"].startswith("text/html")
    assert answer.headers["cache-control"] == "no-cache"
    assert '<script src="./browser/' not in answer.text and "<script>" in answer.text
    assert len(policy["script-src"].split()) == 4  # 'self' 'unsafe-eval' + boot.js, early_click.js
    assert all(s.startswith("'sha256-") for s in policy["script-src"].split()[2:])
    assert len(policy["style-src"].split()) == 3  # 'self' + widget.css, embed.css
    assert "'unsafe-inline'" not in answer.headers["content-security-policy"]


@pytest.mark.anyio
async def test_head_on_the_page_answers_like_get() -> None:
    app = create_app(Settings.from_env({}, demo=True), public_url=BASE)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
        head, get = await client.head("/"), await client.get("/")
    assert head.status_code == 200
    assert head.headers["content-security-policy"] == get.headers["content-security-policy"]
