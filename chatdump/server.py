"""Assembles the app for ``chatdump serve``: settings + provider (+ the demo upstream)."""

from __future__ import annotations

from fastapi import FastAPI

from chatdump.app import create_app
from chatdump.demo import STORAGE_PATH, DemoUpstream
from chatdump.providers import build_provider
from chatdump.settings import Settings


def build_app(settings: Settings, *, public_url: str) -> FastAPI:
    """``public_url`` is where browsers reach this server; the demo's storage URLs point there."""
    if settings.provider == "demo":
        demo = DemoUpstream(public_url, url_ttl=settings.demo_url_ttl)
        return create_app(settings, demo.provider(), mounts={STORAGE_PATH: demo.storage.app})
    return create_app(settings, build_provider(settings))
