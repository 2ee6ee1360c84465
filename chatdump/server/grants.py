"""Grants: short-lived, signed permission to download one session's chat.

A grant is a JWT (HS256) with ``sub`` = session id, ``aud`` = "chatdump" and ``exp``. JWT because a
host app can then mint grants in any language with its usual library. Several secrets may be
accepted at once so they can be rotated: grants are minted with the last, checked against all.

Lifetimes are bounded: ``exp`` must be a number (not a string, not ``10**400``) and at most
``max_ttl`` seconds after ``iat`` (or after now, without ``iat``), so a leaked grant cannot live for
a century. ``iat`` and ``nbf`` may be up to ``LEEWAY`` seconds in the future (clock skew between
the host app and this server); ``exp`` gets no leeway.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections import OrderedDict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import jwt

from chatdump.core.errors import Forbidden, NotAuthenticated
from chatdump.secret import Secret

AUDIENCE = "chatdump"
ALGORITHM = "HS256"
DEFAULT_TTL = 3600
MAX_TTL = 24 * 3600  # the default of CHATDUMP_GRANT_MAX_TTL: `chatdump grant` mints no longer
LEEWAY = 30  # seconds of clock skew allowed for iat / nbf
# Grants travel in headers and URL fragments: anything longer is not one of ours.
MAX_GRANT_LENGTH = 2048
EXPIRED_MESSAGE = "This grant has expired: ask the page that sent you here for a new link."


def mint_grant(
    secret: Secret, session_id: str, *, ttl: int = DEFAULT_TTL, now: datetime | None = None
) -> str:
    if not 1 <= ttl <= MAX_TTL:
        raise ValueError(f"ttl must be between 1 and {MAX_TTL} seconds")
    issued = now or datetime.now(UTC)
    claims = {
        "sub": session_id,
        "aud": AUDIENCE,
        "iat": issued,
        "exp": issued + timedelta(seconds=ttl),
    }
    return jwt.encode(claims, secret.reveal(), algorithm=ALGORITHM)


class GrantChecker:
    """The one check of a grant: ``check(token, session_id)`` returns the grant's expiry (Unix
    seconds) if the token allows downloading that session, and raises 401/403 errors otherwise.

    Grants it has verified are remembered (by digest): a page asking again with the same grant
    costs a dictionary look-up instead of an HMAC and two JSON parses. Expiry and session are
    still checked on every call."""

    def __init__(
        self, secrets: Sequence[Secret], *, max_ttl: int = MAX_TTL, max_entries: int = 10_000
    ) -> None:
        self._secrets = tuple(secrets)
        self._max_ttl = max_ttl
        self._max_entries = max_entries
        self._verified: OrderedDict[bytes, tuple[object, float]] = OrderedDict()

    def check(self, token: str, session_id: str, now: float | None = None) -> float:
        if not token or len(token) > MAX_GRANT_LENGTH:
            raise NotAuthenticated("The grant is missing or malformed.", code="invalid_grant")
        key = hashlib.sha256(token.encode()).digest()
        known = self._verified.get(key)
        if known is None:
            claims = _verified_claims(self._secrets, token)
            known = (claims.get("sub"), _lifetime_checked(claims, self._max_ttl, now))
            self._remember(key, known)
        subject, expires = known
        if (time.time() if now is None else now) >= expires:
            raise Forbidden(EXPIRED_MESSAGE, code="grant_expired")
        if subject != session_id:
            raise Forbidden("This grant is for another session.", code="grant_wrong_session")
        return expires

    def _remember(self, key: bytes, known: tuple[object, float]) -> None:
        self._verified[key] = known
        while len(self._verified) > self._max_entries:
            self._verified.popitem(last=False)


def _verified_claims(secrets: Sequence[Secret], token: str) -> dict[str, object]:
    for secret in secrets:
        try:
            claims: dict[str, object] = jwt.decode(
                token,
                secret.reveal(),
                algorithms=[ALGORITHM],
                audience=AUDIENCE,
                options={"require": ["exp", "sub", "aud"]},
                leeway=LEEWAY,  # exp is checked again, strictly, by GrantChecker.check
            )
            return claims
        except jwt.InvalidSignatureError:
            continue  # maybe signed with another (older or newer) secret
        except jwt.ExpiredSignatureError as exc:  # raised only after the signature checked out
            raise Forbidden(EXPIRED_MESSAGE, code="grant_expired") from exc
        except (jwt.InvalidTokenError, OverflowError, ValueError, TypeError) as exc:
            # OverflowError, ValueError: numeric claims too large for a date (exp = 10**400).
            raise NotAuthenticated("The grant is not valid.", code="invalid_grant") from exc
    raise NotAuthenticated("The grant is not valid.", code="invalid_grant")


def _lifetime_checked(claims: dict[str, object], max_ttl: int, now: float | None) -> float:
    """``exp`` as seconds, once it is a finite number at most ``max_ttl`` after it was issued."""
    exp, iat = _seconds(claims.get("exp")), claims.get("iat")
    start = _seconds(iat) if iat is not None else (time.time() if now is None else now)
    if exp is None or start is None:
        raise NotAuthenticated("The grant's exp or iat is not a number.", code="invalid_grant")
    if exp - start > max_ttl:
        raise NotAuthenticated(
            f"The grant lives longer than this server allows ({max_ttl} s); mint a shorter one.",
            code="grant_too_long",
        )
    return exp


def _seconds(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None  # a string exp is not a NumericDate (RFC 7519), even if it reads as one
    try:
        seconds = float(value)
    except OverflowError:
        return None
    return seconds if math.isfinite(seconds) else None
