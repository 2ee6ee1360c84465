"""The token endpoint and widget server: ``create_app(settings)``, as ``chatdump serve`` runs it.

The pieces, each in its own module: the API routes (``api``), the widget's files
(``widget_files``), the request log and common headers (``middleware``), the one error edge
(``errors``), and optionally the chat-synced webhook (``webhooks``). Tests hand in their own
provider, storage client or extra mounts.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import httpx
from fastapi import APIRouter, FastAPI
from starlette.types import ASGIApp

from chatdump import __version__
from chatdump.server.api import Api
from chatdump.server.errors import add_error_handlers
from chatdump.server.middleware import RequestLog
from chatdump.server.proxy import relay_client
from chatdump.server.redact import install as install_redaction
from chatdump.server.settings import Settings
from chatdump.server.webhooks import WebhookSettings, webhook_router
from chatdump.server.widget_files import WidgetFiles, add_widget_routes
from chatdump.upstream import DemoConfig, Provider, build_provider

if TYPE_CHECKING:
    from chatdump.server.shared.state import SharedState

DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"


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
    if provider is None:
        provider = _provider(settings, public_url, mounts)
    secrets = [*settings.secrets(), *([webhook.secret] if webhook else [])]
    install_redaction(secret.reveal() for secret in secrets)
    storage = storage or relay_client()
    shared = _shared_state(settings)
    api = Api(
        settings.grant_secrets, provider, storage, shared, grant_max_ttl=settings.grant_max_ttl
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await provider.aclose()
        await storage.aclose()
        if shared is not None:
            await shared.aclose()

    app = FastAPI(
        title="chatdump", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None
    )
    app.add_middleware(RequestLog)
    add_error_handlers(app)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "provider": provider.name}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> dict[str, str]:
        # Redis unreachable is not an outage (the per-process state answers): still 200.
        if shared is not None and not await shared.ready():
            return {"status": "degraded", "redis": "unreachable"}
        return {"status": "ready"}

    app.include_router(api.router())
    if webhook is not None:
        app.include_router(webhook_router(webhook, provider))
    for router in routers:
        app.include_router(router)
    for prefix, mounted in mounts.items():
        app.mount(prefix, mounted)
    add_widget_routes(app, widget or WidgetFiles.load(), settings.frame_ancestors)
    return app


def _shared_state(settings: Settings) -> SharedState | None:
    if settings.redis_url is None:
        return None
    from chatdump.server.shared.state import SharedState

    return SharedState(settings.redis_url.reveal(), settings.redis_prefix)


def _provider(settings: Settings, public_url: str, mounts: dict[str, ASGIApp]) -> Provider:
    if isinstance(settings.upstream, DemoConfig):
        from chatdump.upstream.demo import STORAGE_PATH, DemoUpstream

        demo = DemoUpstream(public_url, url_ttl=settings.upstream.url_ttl)
        mounts[STORAGE_PATH] = demo.storage.app
        return demo.provider()
    return build_provider(settings.upstream)
