"""Download tickets: a short-lived, single-purpose permission to fetch one session's ``chat.csv``
by its URL alone.

Why: a dump too big for a Blob in the browser is saved by the browser's own download of the
server's streaming route (``chatdump.core.save_plan``). A download is a navigation and cannot carry
``Authorization``; a grant in the URL would sit in the browser's download list for as long as the
grant lives (up to a day). A ticket instead is minted by the endpoint for a grant holder
(``POST /api/sessions/{id}/chat.csv/ticket``) and

- lives ``TICKET_TTL`` seconds, never past the grant's own expiry: long enough for the browser to
  start the download, too short to be worth stealing from a download list;
- names its session and its one purpose (``aud`` ``chatdump:chat.csv``): it opens nothing else,
  and it is never a grant (another audience, and another key);
- is signed with a key derived from the grant secrets (HMAC of a fixed label), so every worker
  holding the secrets accepts it, and rotating the grant secret rotates it too.

The route checks it once, when the download starts. The access log never records query strings
(``chatdump.server.middleware``). Not single-use: a download the browser resumes within the minute
still works, and single use across several workers would need shared state.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

import jwt

from chatdump.core.errors import Forbidden, NotAuthenticated
from chatdump.secret import Secret

TICKET_TTL = 60
AUDIENCE = "chatdump:chat.csv"
ALGORITHM = "HS256"
MAX_TICKET_LENGTH = 1024
_LABEL = b"chatdump download ticket v1"


def ticket_key(secret: Secret) -> bytes:
    """The ticket key for a grant secret: derived, so a ticket can never pass as a grant."""
    return hmac.new(secret.reveal().encode(), _LABEL, hashlib.sha256).digest()


def ticket_expiry(now: float, grant_expires: float) -> int:
    """``TICKET_TTL`` seconds from ``now``, never past the grant's own expiry (whole seconds)."""
    return int(min(now + TICKET_TTL, grant_expires))


def mint_ticket(secret: Secret, session_id: str, *, now: float, expires: int) -> str:
    """A ticket for ``session_id`` until ``expires`` (Unix seconds)."""
    claims = {"sub": session_id, "aud": AUDIENCE, "iat": int(now), "exp": expires}
    return jwt.encode(claims, ticket_key(secret), algorithm=ALGORITHM)


def check_ticket(secrets: Sequence[Secret], token: str, session_id: str, *, now: float) -> None:
    """Return if ``token`` is a live ticket for ``session_id``; raise 401/403 otherwise."""
    if not token or len(token) > MAX_TICKET_LENGTH:
        raise NotAuthenticated(
            "The download ticket is missing or malformed.", code="invalid_ticket"
        )
    for secret in secrets:
        try:  # exp is checked below against ``now``, strictly; iat is ours, so not checked
            claims = jwt.decode(
                token, ticket_key(secret), algorithms=[ALGORITHM], audience=AUDIENCE,
                options={"require": ["exp", "sub", "aud"], "verify_exp": False, "verify_iat": False},
            )  # fmt: skip
        except jwt.InvalidSignatureError:
            continue  # maybe signed with another of the secrets
        except (jwt.InvalidTokenError, OverflowError, ValueError, TypeError) as exc:
            raise NotAuthenticated(
                "The download ticket is not valid.", code="invalid_ticket"
            ) from exc
        _check_claims(claims, session_id, now)
        return
    raise NotAuthenticated("The download ticket is not valid.", code="invalid_ticket")


def _check_claims(claims: dict[str, object], session_id: str, now: float) -> None:
    expires = claims.get("exp")
    if isinstance(expires, bool) or not isinstance(expires, int | float) or now >= expires:
        raise Forbidden(
            "This download link has expired: press Download again.", code="ticket_expired"
        )
    if claims.get("sub") != session_id:
        raise Forbidden("This download ticket is for another session.", code="grant_wrong_session")
