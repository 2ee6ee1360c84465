"""``POST /webhooks/chat-synced``: archive a chat the moment the upstream says it is ready.

Dyte sends ``meeting.chatSynced`` (``{"event", "sessionId", "meetingId", "chatDownloadUrl",
"chatDownloadUrlExpiry", ...}``) once the dump exists. The route needs a shared secret: in the
``X-Chatdump-Webhook-Secret`` header, or, for senders that cannot add headers (Dyte's webhook
settings take only a URL), as ``?secret=`` in the URL; the access log never records query strings.
It is compared in constant time. The route answers 202 at once and archives in the background
with the same code as ``chatdump archive`` (the file appears only when complete, the manifest
gets its line): the URL from the event first, a fresh one from the upstream if storage refuses.

Enabled when both CHATDUMP_WEBHOOK_SECRET and CHATDUMP_ARCHIVE_DIR are set.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import anyio
import anyio.from_thread
import anyio.to_thread
from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import JSONResponse

from chatdump.core import errors
from chatdump.core.chat_url import check_download_url
from chatdump.core.session_ids import check_session_id
from chatdump.export.archive import Archive
from chatdump.export.storage_http import StorageClient
from chatdump.secret import Secret
from chatdump.server.settings import MIN_SECRET_LENGTH
from chatdump.upstream.base import Provider, SessionInfo

log = logging.getLogger("chatdump")
PATH = "/webhooks/chat-synced"
SECRET_HEADER = "x-chatdump-webhook-secret"  # noqa: S105 - a header name
MAX_BODY = 64 * 1024  # the event is a few hundred bytes


@dataclass(frozen=True)
class WebhookSettings:
    secret: Secret
    archive_dir: Path

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> WebhookSettings | None:
        """None when the webhook is not configured; ConfigError when half of it is."""
        secret = env.get("CHATDUMP_WEBHOOK_SECRET", "").strip()
        folder = env.get("CHATDUMP_ARCHIVE_DIR", "").strip()
        if not secret and not folder:
            return None
        if not secret or not folder:
            missing = "CHATDUMP_WEBHOOK_SECRET" if not secret else "CHATDUMP_ARCHIVE_DIR"
            raise errors.ConfigError(f"{missing} is not set: the chat-synced webhook needs both.")
        if len(secret) < MIN_SECRET_LENGTH:
            raise errors.ConfigError(
                f"CHATDUMP_WEBHOOK_SECRET is shorter than {MIN_SECRET_LENGTH} characters; "
                "use a long random string."
            )
        return cls(Secret(secret), Path(folder))


@dataclass(frozen=True)
class ChatSynced:
    session_id: str
    meeting_id: str | None
    url: str | None  # None when missing or not a URL we may fetch: a fresh one is asked for


def read_chat_synced(body: bytes) -> ChatSynced:
    """Pure: the event, or BadRequest naming what is wrong with it."""
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise errors.BadRequest("The webhook body is not JSON.", code="bad_webhook") from exc
    if not isinstance(document, dict) or document.get("event") != "meeting.chatSynced":
        raise errors.BadRequest("Not a meeting.chatSynced event.", code="bad_webhook")
    session_id = document.get("sessionId")
    if not isinstance(session_id, str):
        raise errors.BadRequest("The event has no sessionId.", code="bad_webhook")
    check_session_id(session_id)
    meeting, url = document.get("meetingId"), document.get("chatDownloadUrl")
    try:
        usable = check_download_url(url) if isinstance(url, str) else None
    except errors.UpstreamError:
        usable = None
    return ChatSynced(session_id, meeting if isinstance(meeting, str) else None, usable)


def authorized(request: Request, secret: Secret) -> bool:
    given = request.headers.get(SECRET_HEADER) or request.query_params.get("secret") or ""
    return hmac.compare_digest(given.encode(), secret.reveal().encode())


def webhook_router(config: WebhookSettings, provider: Provider) -> APIRouter:
    router = APIRouter()
    archive = Archive(config.archive_dir)
    busy: set[str] = set()  # sessions being archived now: a re-sent event starts nothing new

    async def archive_chat(event: ChatSynced) -> None:
        try:
            info = await provider.session_info(event.session_id)
        except errors.ChatdumpError:
            info = SessionInfo(event.session_id, meeting_id=event.meeting_id)
        urls = [event.url] if event.url else []

        def get_url(fresh: bool) -> str:
            if urls and not fresh:
                return urls.pop()
            answer = anyio.from_thread.run(provider.chat_url, event.session_id)
            return answer.url

        def save() -> None:
            with StorageClient() as client:
                archive.save(info, get_url, client=client)

        try:
            await anyio.to_thread.run_sync(save)
            log.info("archived the chat of session %s", event.session_id)
        except errors.ChatdumpError as exc:
            log.warning("could not archive session %s: %s", event.session_id, exc.code)
        finally:
            busy.discard(event.session_id)

    @router.post(PATH, status_code=202, include_in_schema=False)
    async def chat_synced(request: Request, background: BackgroundTasks) -> JSONResponse:
        if not authorized(request, config.secret):
            raise errors.NotAuthenticated(
                "Missing or wrong webhook secret.", code="invalid_webhook_secret"
            )
        body = await _body(request)
        event = read_chat_synced(body)
        if event.session_id in busy:
            return JSONResponse({"session": event.session_id, "status": "archiving"}, 202)
        if archive.has(event.session_id):
            return JSONResponse({"session": event.session_id, "status": "already archived"}, 200)
        busy.add(event.session_id)
        background.add_task(archive_chat, event)
        return JSONResponse({"session": event.session_id, "status": "archiving"}, 202)

    return router


async def _body(request: Request) -> bytes:
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise errors.BadRequest("The webhook body is too large.", code="bad_webhook")
    return bytes(body)
