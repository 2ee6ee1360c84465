"""``POST /webhooks/chat-synced``: archive a chat the moment the upstream says it is ready.

Dyte sends ``meeting.chatSynced`` (``{"event", "sessionId", "meetingId", "chatDownloadUrl",
"chatDownloadUrlExpiry", ...}``) once the dump exists. The route needs a shared secret: in the
``X-Chatdump-Webhook-Secret`` header, or, for senders that cannot add headers (Dyte's webhook
settings take only a URL), as ``?secret=`` in the URL; the access log never records query strings.
It is compared in constant time. The route answers 202 at once and archives in the background
with the same code as ``chatdump archive`` (the file appears only when complete, the manifest
gets its line).

Only the session id is taken from the event: the chat's URL is always asked of the upstream, as
the CLI does. The event's ``chatDownloadUrl`` is never fetched, so whoever holds the secret (or
replays an event) cannot make the server fetch a URL of their choosing and store it as a chat.
Replays are harmless: a session already archived answers "already archived" and starts nothing;
a re-download never overwrites an archived file (see ``Archive.save``).

Archive work has its own lane: at most ``WORKERS`` downloads at once (an anyio CapacityLimiter of
its own, not the default thread pool that serves the page's static files), at most
``MAX_PENDING`` sessions waiting (beyond: 503 with Retry-After, the sender retries), and each
download ends by ``DEADLINE_SECONDS`` whatever storage does. A flood of events at a storage that
never answers therefore cannot stall the page or the API.

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
from chatdump.core.session_ids import check_session_id
from chatdump.export.destinations import open_destination
from chatdump.export.storage_http import DeadlineStorageClient
from chatdump.secret import Secret
from chatdump.server.settings import MIN_SECRET_LENGTH
from chatdump.upstream.base import Provider, SessionInfo

log = logging.getLogger("chatdump")
PATH = "/webhooks/chat-synced"
SECRET_HEADER = "x-chatdump-webhook-secret"  # noqa: S105 - a header name
MAX_BODY = 64 * 1024  # the event is a few hundred bytes
WORKERS = 2  # downloads at once: archive work is disk- and network-bound, not urgent
MAX_PENDING = 64  # sessions queued or running; a day of meetings rarely ends all at once
DEADLINE_SECONDS = 600.0  # per download, retries included: 10 minutes is ~GBs over a slow link


@dataclass(frozen=True)
class WebhookSettings:
    secret: Secret
    archive_to: str | Path  # a folder, or s3://BUCKET/PREFIX (chatdump.export.destinations)
    workers: int = WORKERS
    max_pending: int = MAX_PENDING
    deadline: float = DEADLINE_SECONDS

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
        open_destination(folder)  # a bad or unusable target fails at start, not per event
        return cls(Secret(secret), folder)


@dataclass(frozen=True)
class ChatSynced:
    session_id: str
    meeting_id: str | None


def read_chat_synced(body: bytes) -> ChatSynced:
    """Pure: the event, or BadRequest naming what is wrong with it."""
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        # RecursionError: thousands of nested brackets; a 400 like any other broken body.
        raise errors.BadRequest("The webhook body is not JSON.", code="bad_webhook") from exc
    if not isinstance(document, dict) or document.get("event") != "meeting.chatSynced":
        raise errors.BadRequest("Not a meeting.chatSynced event.", code="bad_webhook")
    session_id = document.get("sessionId")
    if not isinstance(session_id, str):
        raise errors.BadRequest("The event has no sessionId.", code="bad_webhook")
    check_session_id(session_id)
    meeting = document.get("meetingId")
    return ChatSynced(session_id, meeting if isinstance(meeting, str) else None)


def authorized(request: Request, secret: Secret) -> bool:
    given = request.headers.get(SECRET_HEADER) or request.query_params.get("secret") or ""
    return hmac.compare_digest(given.encode(), secret.reveal().encode())


def webhook_router(config: WebhookSettings, provider: Provider) -> APIRouter:
    router = APIRouter()
    archive = open_destination(config.archive_to, config.workers)  # saves from as many threads
    busy: set[str] = set()  # sessions queued or being archived: a re-sent event starts nothing
    lane = anyio.CapacityLimiter(config.workers)  # not the default pool the static files use

    async def archive_chat(event: ChatSynced) -> None:
        try:
            info = await provider.session_info(event.session_id)
        except errors.ChatdumpError:
            info = SessionInfo(event.session_id, meeting_id=event.meeting_id)

        def get_url(fresh: bool) -> str:
            # Always the upstream's own signed URL, never the event's.
            return anyio.from_thread.run(provider.chat_url, event.session_id).url

        def save() -> None:
            # The deadline starts when a worker takes the session, not while it waits.
            with DeadlineStorageClient(config.deadline) as client:
                archive.save(info, get_url, client=client)
            archive.flush()

        try:
            await anyio.to_thread.run_sync(save, limiter=lane)
            log.info("archived the chat of session %s", event.session_id)
        except errors.ChatdumpError as exc:
            log.warning("could not archive session %s: %s", event.session_id, exc.code)
        except OSError as exc:
            log.warning("could not archive session %s: %s", event.session_id, exc.strerror)
        finally:
            busy.discard(event.session_id)

    @router.post(PATH, status_code=202, include_in_schema=False)
    async def chat_synced(request: Request, background: BackgroundTasks) -> JSONResponse:
        if not authorized(request, config.secret):
            raise errors.NotAuthenticated(
                "Missing or wrong webhook secret.", code="invalid_webhook_secret"
            )
        event = read_chat_synced(await _body(request))
        if event.session_id in busy:
            return JSONResponse({"session": event.session_id, "status": "archiving"}, 202)
        if await anyio.to_thread.run_sync(archive.has, event.session_id):  # a bucket: I/O
            return JSONResponse({"session": event.session_id, "status": "already archived"}, 200)
        if len(busy) >= config.max_pending:
            raise errors.UpstreamUnavailable(
                "Too many chats are being archived; send the event again later.",
                code="archive_queue_full",
                retry_after=60,
            )
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
