"""English: the source every other language translates.

Format names come from the format registry itself, so a new format has its English in one place.
Error messages are keyed by the error's ``code``; in English the widget shows the words the error
was raised with (they can be more specific), so these entries are what translators work from.
"""

from __future__ import annotations

from chatdump.core.formats import FORMATS
from chatdump.core.messages.base import Language, Message

MESSAGES: dict[str, Message] = {
    "page.title": "Download chat · chatdump",
    "title": "Meeting chat",
    "button.download": "Download chat",
    "button.retry": "Retry",
    "button.cancel": "Cancel",
    "button.save": "Save file",
    "format.label": "Format",
    **{f"format.{f.name}": f.option for f in FORMATS.values()},
    **{f"format_name.{f.name}": f.label for f in FORMATS.values()},
    "preview.label": "Preview the first messages",
    "status.loading": "Loading…",
    "status.ready": "Ready.",
    "status.waiting_for_grant": "Waiting for the page to pass a grant…",
    "status.downloading": "Downloading the chat…",
    "status.converting": "Converting to {format}…",
    "status.cancelled": "Cancelled; nothing was saved.",
    "status.save_ready": "{filename} is ready ({size}). Press Save file to keep it.",
    "status.saved": "Saved {filename} ({size}).",
    "status.handed_off": (
        "Your browser is downloading {filename} ({size}); its downloads list shows the progress."
    ),
    "progress.received": "{received} received",
    "progress.of": "{received} of {total} ({percent})",
    "summary.summarising": "Summarising…",
    "summary.too_big": "{size}; no summary for a file this big.",
    "summary.unreadable": "Saved as is, but it is not a readable chat dump.",
    "summary.messages": {"one": "{count} message", "other": "{count} messages"},
    "summary.participants": {"one": "{count} participant", "other": "{count} participants"},
    "summary.line": "{messages} from {participants}.",
    "summary.line_dated": "{messages} from {participants}, {range}.",
    "embed.open_new_tab": "Open in a new tab",
    "embed.sandbox_blocks": (
        "This page's frame blocks downloads: the page embedding chatdump must add {missing} "
        'to the iframe\'s sandbox attribute (sandbox="{needed}").'
    ),
    "embed.sandbox_fallback": "Meanwhile, open the download in a new tab.",
    "embed.after_save": (
        "No file? This frame is sandboxed: the page embedding chatdump must allow downloads "
        '(sandbox="{needed}").'
    ),
    "embed.popup_blocked": (
        "The browser blocked the new tab: the page embedding chatdump must add {flags} to the "
        "iframe's sandbox."
    ),
    "error.no_grant_passed": (
        "The page embedding chatdump passed no grant: it must put one in the link "
        "(#session=…&grant=…) or send a set-grant message."
    ),
    "error.not_started": "The widget did not start.",
    "error.unexpected": "The download failed unexpectedly; nothing was saved.",
    "error.generic": "The download failed; nothing was saved. Try again in a moment.",
    "error.missing_session": "This link has no session: ask the page that sent you here for a new link.",
    "error.invalid_session_id": "This link's session id is not valid.",
    "error.missing_grant": "This link has no grant: ask the page that sent you here for a download link.",
    "error.invalid_grant": "This link's grant is not valid: ask for a new download link.",
    "error.grant_expired": "This download link has expired: ask for a new one.",
    "error.grant_wrong_session": "This link's grant is for another session.",
    "error.forbidden": "This link does not allow downloading this chat.",
    "error.unknown_format": "This link asks for a format that does not exist.",
    "error.not_found": "There is no such meeting, or it has no chat.",
    "error.no_chat": "This meeting has no chat to download.",
    "error.too_many_requests": "Too many attempts; wait a moment, then try again.",
    "error.fresh_rate_limited": "Too many attempts; wait a moment, then try again.",
    "error.network_error": "The server could not be reached; nothing was saved. Check the connection and try again.",
    "error.interrupted": "The download was interrupted before the whole file arrived; nothing was saved.",
    "error.truncated": "The file arrived incomplete; nothing was saved.",
    "error.changed": (
        "The chat changed in storage while it was downloading; nothing was saved. Try again."
    ),
    "error.too_large": (
        "This chat is too large to convert in this browser; nothing was saved. Choose CSV (as stored), or convert it with the chatdump command line."
    ),
    "error.upstream_error": "The chat platform gave an answer we cannot use; try again later.",
    "error.upstream_unavailable": "The chat platform is unavailable right now; try again later.",
    "error.upstream_timeout": "The chat platform took too long to answer; try again.",
    "error.storage_error": "The chat's storage gave an error; nothing was saved. Try again.",
}

LANGUAGE = Language("en", "English", "ltr", MESSAGES)
