"""A plain-text transcript: ``[2026-11-24 10:03] Ana Émilie: hello``, one message a line."""

from __future__ import annotations

from chatdump.core.dump import Batch, Message, message_maker

INDENT = "    "


class TranscriptRenderer:
    def render(self, batch: Batch, index: dict[str, int]) -> str:
        rows = batch.messages
        if not rows:
            return ""
        message = message_maker(index)
        return "".join([transcript_line(message(row)) for row in rows])


def transcript_line(message: Message) -> str:
    """``[2026-11-24 10:03] Ana Émilie: hello``; further lines of the message indented."""
    text = message.text.replace("\n", "\n" + INDENT)
    return f"[{message.time}] {message.name}: {text}\n"
