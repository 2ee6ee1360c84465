"""The token endpoint and widget server: ``create_app(settings)``, as ``chatdump serve`` runs it.

The pieces, each in its own module: the API routes (``api``), ``/healthz`` and ``/readyz``
(``readiness``), the widget's files (``widget_files``), the request log and common headers
(``middleware``), the one error edge (``errors``), the demo's URLs (``demo_urls``), and optionally
the chat-synced webhook (``webhooks``). Tests hand in their own provider, storage client or extra
mounts.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import httpx
from fastapi import APIRouter, FastAPI
from fastapi.telemetry import TelemetryConfig
from starlette.types import ASGIApp

from chatdump import __version__
from chatdump.server.api import Api
from chatdump.server.demo_urls import demo_url_presenter
from chatdump.server.errors import add_error_handlers
from chatdump.server.middleware import RequestLog
from chatdump.server.proxy import relay_client
from chatdump.server.readiness import readiness_router
from chatdump.server.redact import install as install_redaction
from chatdump.server.settings import Settings
from chatdump.server.warm_path import WarmPath
from chatdump.server.webhooks import WebhookSettings, webhook_router
from chatdump.server.widget_files import WidgetFiles, add_widget_routes
from chatdump.upstream import DemoConfig, Provider, build_provider
from chatdump.upstream.demo import STORAGE_PATH

if TYPE_CHECKING:
    from chatdump.server.shared.state import SharedState

DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"
# Set by `chatdump serve` for the workers it starts (each builds its own app from the environment).
DEMO_ENV = "CHATDUMP_SERVE_DEMO"
PUBLIC_URL_ENV = "CHATDUMP_SERVE_PUBLIC_URL"
ACCESS_LOG_ENV = "CHATDUMP_SERVE_ACCESS_LOG"
DEMO_STORAGE_KEY_ENV = "CHATDUMP_SERVE_DEMO_STORAGE_KEY"


def create_app(
    settings: Settings,
    provider: Provider | None = None,
    *,
    public_url: str = DEFAULT_PUBLIC_URL,
    webhook: WebhookSettings | None = None,
    widget: WidgetFiles | None = None,
    storage: httpx.AsyncClient | None = None,
    mounts: Mapping[str, ASGIApp] | None = None,
    routers: Sequence[APIRouter] = (),
) -> FastAPI:
    """The app; ``provider`` defaults to the one the settings name (the demo's storage mounted at
    ``public_url``, where browsers reach this server). ``storage`` fetches signed URLs for the CSV
    proxy (a bare client unless a test hands one); ``webhook`` adds ``POST /webhooks/chat-synced``.
    """
    mounts = dict(mounts or {})
    present = None
    if provider is None:
        provider = _provider(settings, public_url, mounts)
        if isinstance(settings.upstream, DemoConfig):
            present = demo_url_presenter(public_url)
    secrets = [*settings.secrets(), *([webhook.secret] if webhook else [])]
    install_redaction(secret.reveal() for secret in secrets)
    storage = storage or relay_client()
    shared = _shared_state(settings)
    api = Api(
        settings.grant_secrets, provider, storage, shared,
        grant_max_ttl=settings.grant_max_ttl, present=present,
    )  # fmt: skip

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await provider.aclose()
        await storage.aclose()
        if shared is not None:
            await shared.aclose()

    app = App(api, title="chatdump", version=__version__, lifespan=lifespan)
    add_error_handlers(app)

    app.include_router(readiness_router(provider, shared))
    app.include_router(api.router())
    if webhook is not None:
        app.include_router(webhook_router(webhook, provider))
    for router in routers:
        app.include_router(router)
    for prefix, mounted in mounts.items():
        app.mount(prefix, mounted)
    add_widget_routes(app, widget or WidgetFiles.load(), settings.frame_ancestors)
    return app


class App(FastAPI):
    """FastAPI, with chatdump's request log and warm path *around* FastAPI's own layers (its
    last-resort error page, telemetry and body limit) rather than inside them: a warm
    ``…/chat-url`` answer then costs none of those (measured: the endpoint's most frequent
    request), and even FastAPI's own 500 is logged with its status and carries the request id.

    FastAPI's OpenTelemetry instrumentation is off (it checks the global providers on every
    request): its spans and logs would bypass chatdump's redaction, and the access log is how
    requests are traced here.
    """

    def __init__(self, api: Api, **options: Any) -> None:
        self.api = api
        telemetry: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}
        super().__init__(telemetry=telemetry, docs_url=None, redoc_url=None, **options)

    def build_middleware_stack(self) -> ASGIApp:
        return RequestLog(WarmPath(super().build_middleware_stack(), self.api))


def _shared_state(settings: Settings) -> SharedState | None:
    if settings.redis_url is None:
        return None
    from chatdump.server.shared.state import SharedState

    return SharedState(settings.redis_url.reveal(), settings.redis_prefix)


def app_from_env() -> FastAPI:
    """The app from the environment, as each ``chatdump serve --workers N`` process builds it."""
    from chatdump.server.logs import configure as configure_logging
    from chatdump.server.webhooks import WebhookSettings

    # uvicorn spawns its workers: the parent's logging set-up does not reach them.
    configure_logging(access_log=os.environ.get(ACCESS_LOG_ENV) == "1")
    demo = os.environ.get(DEMO_ENV) == "1"
    settings = Settings.from_env(os.environ, demo=demo)
    public_url = os.environ.get(PUBLIC_URL_ENV, DEFAULT_PUBLIC_URL)
    return create_app(settings, public_url=public_url, webhook=WebhookSettings.from_env(os.environ))


def _provider(settings: Settings, public_url: str, mounts: dict[str, ASGIApp]) -> Provider:
    if isinstance(settings.upstream, DemoConfig):
        from chatdump.upstream.demo import DemoUpstream

        shared = os.environ.get(DEMO_STORAGE_KEY_ENV)  # set by `serve --workers N` for its workers
        demo = DemoUpstream(
            public_url,
            url_ttl=settings.upstream.url_ttl,
            storage_secret=bytes.fromhex(shared) if shared else None,
        )
        mounts[STORAGE_PATH] = demo.storage.app
        return demo.provider()
    return build_provider(settings.upstream)
