"""``chatdump serve`` and ``chatdump grant``: the server's commands (the one part of the CLI that
imports the server, and only when a command runs, so the other commands start quickly)."""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import quote

import click

from chatdump import __version__
from chatdump.core.errors import ChatdumpError
from chatdump.core.session_ids import check_session_id
from chatdump.server.grants import DEFAULT_TTL, MAX_TTL, mint_grant

if TYPE_CHECKING:
    from chatdump.server.settings import Settings
    from chatdump.server.webhooks import WebhookSettings

T = TypeVar("T")
GRACEFUL_SHUTDOWN_SECONDS = 10


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes (each builds the app from the environment).")  # fmt: skip
@click.option("--root-path", default="", metavar="/PREFIX",
              help="The path prefix a proxy mounts this under, when it does not strip it itself.")  # fmt: skip
@click.option("--forwarded-allow-ips", default="127.0.0.1,::1", show_default=True, metavar="IPS",
              help="Proxies whose X-Forwarded-For/-Proto are trusted (comma-separated, or '*').")  # fmt: skip
@click.option("--access-log/--no-access-log", default=False, show_default=True,
              help="A line per request on stderr: client, method, path, status, time, request id "
              "(never the query string or headers). Off by default: the proxy in front logs each "
              "request, and this line costs ~30% of a warm answer's CPU.")  # fmt: skip
@click.option("--demo", is_flag=True, help="Use the built-in demo upstream (no account needed).")
def serve(
    host: str, port: int, workers: int, root_path: str, forwarded_allow_ips: str,
    access_log: bool, demo: bool,
) -> None:  # fmt: skip
    """Serve the widget and the token endpoint.

    Upstream credentials come from the environment: CHATDUMP_PROVIDER (dyte, realtimekit or demo),
    DYTE_ORG_ID + DYTE_API_KEY (+ DYTE_API_BASE), or RTK_ACCOUNT_ID + RTK_APP_ID + RTK_API_TOKEN,
    and CHATDUMP_GRANT_SECRET (one or more comma-separated secrets; the last signs new grants).

    Behind a reverse proxy, every URL the page makes is relative to the page, so a proxy that
    strips its path prefix needs no option here. On SIGTERM, requests in flight get 10 s to finish.

    \b
    Examples:
        chatdump serve --demo --port 8123
        CHATDUMP_PROVIDER=dyte DYTE_ORG_ID=… DYTE_API_KEY=… CHATDUMP_GRANT_SECRET=… chatdump serve
        chatdump serve --workers 4 --forwarded-allow-ips 10.0.0.5
    """
    import uvicorn

    from chatdump.server.app import (
        ACCESS_LOG_ENV,
        DEMO_ENV,
        DEMO_STORAGE_KEY_ENV,
        PUBLIC_URL_ENV,
        create_app,
    )  # fmt: skip
    from chatdump.server.logs import configure as configure_logging
    from chatdump.upstream.demo import DEFAULT_SESSION_ID

    settings = _settings(demo=demo)
    webhook = _or_exit(_webhook_settings)
    public_url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"  # noqa: S104
    configure_logging(access_log=access_log)
    click.echo(f"chatdump {__version__} serving the {settings.provider} upstream on {public_url}")
    if settings.demo_secret_in_use:
        click.echo(
            "Demo mode: grants are signed with the built-in, public demo secret. "
            "Never use it for real chats (set CHATDUMP_GRANT_SECRET).",
            err=True,
        )
    if settings.provider == "demo":
        grant = mint_grant(settings.grant_secrets[-1], DEFAULT_SESSION_ID, ttl=MAX_TTL)
        click.echo(f"Open: {public_url}/#session={DEFAULT_SESSION_ID}&grant={quote(grant)}")
    sys.stdout.flush()
    options = uvicorn_options(host, port, root_path, forwarded_allow_ips)
    if workers == 1:
        app = create_app(settings, public_url=public_url, webhook=webhook)
        uvicorn.run(app, **options)  # type: ignore[arg-type]
        return
    # Several processes: each worker imports the factory and builds its app from the environment.
    os.environ[PUBLIC_URL_ENV] = public_url
    os.environ[DEMO_ENV] = "1" if demo else ""
    os.environ[ACCESS_LOG_ENV] = "1" if access_log else "0"
    os.environ[DEMO_STORAGE_KEY_ENV] = secrets.token_hex(32)
    uvicorn.run(
        "chatdump.server.app:app_from_env", factory=True, workers=workers,
        **options,  # type: ignore[arg-type]
    )  # fmt: skip


def uvicorn_options(
    host: str, port: int, root_path: str = "", forwarded_allow_ips: str = "127.0.0.1,::1"
) -> dict[str, object]:
    """How ``serve`` runs uvicorn (also what bench/bench_endpoint.py runs its baseline under)."""
    return {
        "host": host,
        "port": port,
        "root_path": root_path.rstrip("/"),
        # The C parser (a dependency): about twice the requests per CPU second of uvicorn's
        # pure-Python h11 (measured: 378k against 834k instructions per warm request).
        "http": "httptools",
        "proxy_headers": True,
        "forwarded_allow_ips": forwarded_allow_ips,
        "timeout_graceful_shutdown": GRACEFUL_SHUTDOWN_SECONDS,
        # chatdump's own access log (chatdump.server.middleware) replaces uvicorn's, which would
        # log the query string.
        "access_log": False,
        "log_level": "info",
    }


@click.command()
@click.argument("session_id")
@click.option("--ttl", default=DEFAULT_TTL, show_default=True, type=click.IntRange(1, MAX_TTL),
              help="Seconds the grant stays valid.")  # fmt: skip
@click.option("--demo", is_flag=True, help="Sign with the demo-only secret of `serve --demo`.")
def grant(session_id: str, ttl: int, demo: bool) -> None:
    """Print a grant that lets a page download SESSION_ID's chat.

    Signed with the last secret in CHATDUMP_GRANT_SECRET. Without one (and with no real provider
    configured), it is signed with the demo-only secret that `chatdump serve --demo` accepts.

    \b
    Example:
        chatdump grant 79365b9b-5e35-4d3a-9d1c-2b5b1c2f7a10 --ttl 900
    """
    try:
        check_session_id(session_id)
    except ChatdumpError as exc:
        raise click.BadParameter(exc.message, param_hint="SESSION_ID") from exc
    from chatdump.secret import Secret
    from chatdump.server.settings import DEMO_GRANT_SECRET, grant_secrets_from_env

    provider = os.environ.get("CHATDUMP_PROVIDER", "").strip().lower()
    demo = demo or provider in ("", "demo")
    secrets = _or_exit(lambda: grant_secrets_from_env(os.environ, demo=demo))
    if secrets == (Secret(DEMO_GRANT_SECRET),):
        click.echo(
            "Note: signed with the demo-only secret (set CHATDUMP_GRANT_SECRET for real use).",
            err=True,
        )
    click.echo(mint_grant(secrets[-1], session_id, ttl=ttl))


def _webhook_settings() -> WebhookSettings | None:
    from chatdump.server.webhooks import WebhookSettings

    return WebhookSettings.from_env(os.environ)


def _settings(*, demo: bool) -> Settings:
    from chatdump.server.settings import Settings

    return _or_exit(lambda: Settings.from_env(os.environ, demo=demo))


def _or_exit(build: Callable[[], T]) -> T:
    try:
        return build()
    except ChatdumpError as exc:
        raise click.ClickException(exc.message) from exc
