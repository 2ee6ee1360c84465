import pytest

from chatdump.core.errors import InvalidSessionId
from chatdump.core.session_ids import check_session_id


@pytest.mark.parametrize("value", ["79365b9b-5e35-4d3a-9d1c-2b5b1c2f7a10", "abc_DEF-123", "x" * 64])
def test_plausible_ids_pass_unchanged(value: str) -> None:
    assert check_session_id(value) == value


@pytest.mark.parametrize(
    "value", ["", "x" * 65, "../etc/passwd", "a b", "a%2Fb", "é", "id\x00", "a/b", "<script>"]
)
def test_implausible_ids_are_refused_with_a_reason(value: str) -> None:
    with pytest.raises(InvalidSessionId) as caught:
        check_session_id(value)
    assert caught.value.status == 400
    assert "session id" in caught.value.message
