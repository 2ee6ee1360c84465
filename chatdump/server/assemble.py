"""Assembles the app for ``chatdump serve``: settings + provider (+ the demo upstream)."""

from __future__ import annotations

from fastapi import FastAPI

from chatdump.server.app import create_app
from chatdump.server.settings import Settings
from chatdump.server.webhooks import WebhookSettings, webhook_router
from chatdump.upstream import build_provider
from chatdump.upstream.base import Provider
from chatdump.upstream.demo import STORAGE_PATH, DemoUpstream


def build_app(
    settings: Settings, *, public_url: str, webhook: WebhookSettings | None = None
) -> FastAPI:
    """``public_url`` is where browsers reach this server; the demo's storage URLs point there.

    ``webhook`` (from ``WebhookSettings.from_env``) adds ``POST /webhooks/chat-synced``.
    """
    mounts = {}
    if settings.provider == "demo":
        demo = DemoUpstream(public_url, url_ttl=settings.demo_url_ttl)
        provider: Provider = demo.provider()
        mounts[STORAGE_PATH] = demo.storage.app
    else:
        provider = build_provider(settings)
    routers = [webhook_router(webhook, provider)] if webhook is not None else []
    return create_app(settings, provider, mounts=mounts, routers=routers)
