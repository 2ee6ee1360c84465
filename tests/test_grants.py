from datetime import UTC, datetime, timedelta

import jwt
import pytest

from chatdump.core.errors import Forbidden, NotAuthenticated
from chatdump.secret import Secret
from chatdump.server.grants import GrantChecker, mint_grant

OLD = Secret("o" * 40)
NEW = Secret("n" * 40)
SESSION = "79365b9b-5e35-4d3a-9d1c-2b5b1c2f7a10"


def test_a_fresh_grant_allows_its_session() -> None:
    GrantChecker([NEW]).check(mint_grant(NEW, SESSION), SESSION)


def test_a_grant_for_another_session_is_forbidden() -> None:
    with pytest.raises(Forbidden) as caught:
        GrantChecker([NEW]).check(mint_grant(NEW, "other-session"), SESSION)
    assert caught.value.code == "grant_wrong_session"


def test_an_expired_grant_is_forbidden() -> None:
    old = mint_grant(NEW, SESSION, ttl=60, now=datetime.now(UTC) - timedelta(hours=1))
    with pytest.raises(Forbidden) as caught:
        GrantChecker([NEW]).check(old, SESSION)
    assert caught.value.code == "grant_expired"


def test_a_grant_signed_with_an_unknown_secret_is_not_authenticated() -> None:
    with pytest.raises(NotAuthenticated):
        GrantChecker([NEW]).check(mint_grant(Secret("x" * 40), SESSION), SESSION)


def test_an_expired_grant_with_a_bad_signature_is_invalid_not_expired() -> None:
    forged = mint_grant(
        Secret("x" * 40), SESSION, ttl=60, now=datetime.now(UTC) - timedelta(hours=1)
    )
    with pytest.raises(NotAuthenticated):
        GrantChecker([NEW]).check(forged, SESSION)


def test_rotation_accepts_grants_from_every_listed_secret() -> None:
    GrantChecker([OLD, NEW]).check(mint_grant(OLD, SESSION), SESSION)
    GrantChecker([OLD, NEW]).check(mint_grant(NEW, SESSION), SESSION)


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c", "x" * 5000])
def test_garbage_is_not_authenticated(token: str) -> None:
    with pytest.raises(NotAuthenticated):
        GrantChecker([NEW]).check(token, SESSION)


def test_the_none_algorithm_is_refused() -> None:
    unsigned = jwt.encode(
        {"sub": SESSION, "aud": "chatdump", "exp": 4102444800}, None, algorithm="none"
    )
    with pytest.raises(NotAuthenticated):
        GrantChecker([NEW]).check(unsigned, SESSION)


def test_a_grant_without_expiry_is_refused() -> None:
    token = jwt.encode({"sub": SESSION, "aud": "chatdump"}, NEW.reveal(), algorithm="HS256")
    with pytest.raises(NotAuthenticated):
        GrantChecker([NEW]).check(token, SESSION)


def test_ttl_is_bounded() -> None:
    with pytest.raises(ValueError):
        mint_grant(NEW, SESSION, ttl=0)


def test_the_grant_checker_remembers_a_grant_but_still_checks_expiry_and_session() -> None:
    secret = Secret("s" * 40)
    issued = datetime.now(UTC)
    grant = mint_grant(secret, "sess", ttl=60, now=issued)
    checker = GrantChecker([secret])
    checker.check(grant, "sess")
    checker.check(grant, "sess")  # from memory
    with pytest.raises(Forbidden) as wrong:
        checker.check(grant, "other")
    with pytest.raises(Forbidden) as expired:
        checker.check(grant, "sess", now=issued.timestamp() + 61)
    assert (wrong.value.code, expired.value.code) == ("grant_wrong_session", "grant_expired")


def test_the_grant_checker_refuses_forged_and_oversized_grants() -> None:
    checker = GrantChecker([Secret("s" * 40)])
    for token in (mint_grant(Secret("f" * 40), "sess"), "x" * 5000, ""):
        with pytest.raises(NotAuthenticated):
            checker.check(token, "sess")
