"""Whether saving may still use the click that started the download, or needs a fresh one."""

from __future__ import annotations

# Chromium counts a click as the user's gesture for about 5 s; stay safely inside that.
ACTIVATION_WINDOW_MS = 4000.0


def needs_save_click(user_active: bool | None, elapsed_ms: float) -> bool:
    """Whether the save must wait for a fresh click, the original gesture having lapsed.

    ``user_active`` is ``navigator.userActivation.isActive`` where the browser has it (the real
    answer); elsewhere, a click older than ``ACTIVATION_WINDOW_MS`` is taken as lapsed.
    """
    if user_active is not None:
        return not user_active
    return not 0 <= elapsed_ms <= ACTIVATION_WINDOW_MS
