"""The widget's download flow, driven with plain values: every rung of the recovery ladder."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chatdump.core import errors
from chatdump.core.chat_url import ChatUrl
from chatdump.core.flow import (
    Answer,
    AskForUrl,
    Cancelled,
    Failed,
    Fetch,
    HandOff,
    Oversized,
    Reply,
    Save,
    Step,
    UrlReply,
    download_flow,
    drive_flow,
    run_flow,
    stream_path,
)

SESSION = "79365b9b-5e35-4d3a-9d1c-2b5b1c2f7a10"
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
STREAM = stream_path(SESSION)


def chat(name: str, *, expires_in: int = 600) -> ChatUrl:
    return ChatUrl(f"https://s3.test/{name}", NOW + timedelta(seconds=expires_in), "standup.csv")


def ok(size: int = 100) -> Answer:
    return Answer(200, str(size), size)


class Script:
    """Answers each step from queues and records the steps, like a scripted network."""

    def __init__(self, urls: list[ChatUrl], fetches: list[Reply]) -> None:
        self.urls: Iterator[ChatUrl] = iter(urls)
        self.fetches: Iterator[Reply] = iter(fetches)
        self.steps: list[Step] = []

    def __call__(self, step: Step) -> Reply:
        self.steps.append(step)
        if isinstance(step, AskForUrl):
            return UrlReply(next(self.urls), NOW)
        return next(self.fetches)


def run(prefetched: ChatUrl | None, script: Script) -> Save | Cancelled:
    return run_flow(download_flow(SESSION, prefetched, NOW), script)


def test_a_usable_prefetched_url_is_fetched_without_asking_again() -> None:
    script = Script([], [ok(42)])
    assert run(chat("a"), script) == Save("standup.csv", 42, "storage")
    assert script.steps == [Fetch("https://s3.test/a", "storage")]


@pytest.mark.parametrize("expires_in", [-5, 0, 29])
def test_a_stale_or_nearly_stale_url_is_replaced_before_fetching(expires_in: int) -> None:
    script = Script([chat("b")], [ok()])
    run(chat("a", expires_in=expires_in), script)
    assert script.steps == [AskForUrl(fresh=False), Fetch("https://s3.test/b", "storage")]


def test_no_prefetched_url_asks_the_endpoint_first() -> None:
    script = Script([chat("b")], [ok()])
    run(None, script)
    assert script.steps[0] == AskForUrl(fresh=False)


def test_a_stale_answer_from_the_cache_is_bypassed_once_then_storage_judges() -> None:
    script = Script([chat("b", expires_in=1), chat("c", expires_in=1)], [ok()])
    assert isinstance(run(None, script), Save)
    assert script.steps == [
        AskForUrl(fresh=False),
        AskForUrl(fresh=True),
        Fetch("https://s3.test/c", "storage"),
    ]


@pytest.mark.parametrize("refusal", [Answer(403, "120", 120), Failed("network")])
def test_a_refused_url_is_renewed_bypassing_the_cache(refusal: Reply) -> None:
    script = Script([chat("b")], [refusal, ok()])
    assert run(chat("a"), script) == Save("standup.csv", 100, "storage")
    assert script.steps == [
        Fetch("https://s3.test/a", "storage"),
        AskForUrl(fresh=True),
        Fetch("https://s3.test/b", "storage"),
    ]


def test_a_second_refusal_falls_back_to_the_streaming_route() -> None:
    script = Script([chat("b")], [Answer(403, None, 0), Failed("network"), ok(7)])
    assert run(chat("a"), script) == Save("standup.csv", 7, "endpoint")
    assert script.steps[-1] == Fetch(STREAM, "endpoint")
    assert f"./api/sessions/{SESSION}/chat.csv" == STREAM  # relative: it keeps a proxy prefix


def test_after_a_cache_bypass_for_staleness_a_refusal_goes_straight_to_the_fallback() -> None:
    script = Script([chat("b", expires_in=1), chat("c", expires_in=1)], [Failed("network"), ok()])
    run(None, script)
    assert [s for s in script.steps if isinstance(s, AskForUrl)] == [
        AskForUrl(fresh=False),
        AskForUrl(fresh=True),
    ]
    assert script.steps[-1] == Fetch(STREAM, "endpoint")


def test_the_fallbacks_own_error_message_is_shown() -> None:
    body = b'{"error": {"code": "forbidden", "message": "This grant has expired."}}'
    script = Script([chat("b")], [Failed("network"), Failed("network"), Answer(403, None, 0, body)])
    with pytest.raises(errors.ChatdumpError, match="grant has expired") as caught:
        run(chat("a"), script)
    assert caught.value.code == "forbidden"


def test_an_unreachable_fallback_says_nothing_was_saved() -> None:
    script = Script([chat("b")], [Failed("network")] * 3)
    with pytest.raises(errors.EndpointError, match="nothing was saved"):
        run(chat("a"), script)


def test_a_body_too_big_for_the_page_is_handed_to_the_browser_without_more_requests() -> None:
    script = Script([], [Oversized(3_000_000_000, "browser")])
    assert run(chat("a"), script) == HandOff("standup.csv", 3_000_000_000)
    assert script.steps == [Fetch("https://s3.test/a", "storage")]


def test_the_streaming_routes_body_too_big_for_the_page_is_handed_off_too() -> None:
    script = Script([chat("b")], [Failed("network"), Failed("network"), Oversized(5, "browser")])
    assert run(chat("a"), script) == HandOff("standup.csv", 5)


def test_a_conversion_too_big_for_the_page_says_so_and_saves_nothing() -> None:
    script = Script([], [Oversized(3_000_000_000, "nowhere")])
    with pytest.raises(errors.ChatdumpError, match=r"3\.0 GB, too large to convert") as caught:
        run(chat("a"), script)
    assert caught.value.code == "too_large"
    assert "nothing was saved" in caught.value.message
    assert len(script.steps) == 1


def test_a_body_cut_short_is_an_error_not_a_retry() -> None:
    script = Script([], [Answer(200, "1000", 400)])
    with pytest.raises(errors.UpstreamError, match="400 of 1,000 bytes") as caught:
        run(chat("a"), script)
    assert caught.value.code == "truncated"
    assert len(script.steps) == 1


def test_a_stream_error_is_an_error_not_a_retry() -> None:
    script = Script([], [Failed("stream")])
    with pytest.raises(errors.UpstreamError, match="interrupted") as caught:
        run(chat("a"), script)
    assert caught.value.code == "interrupted"
    assert len(script.steps) == 1


def test_a_cancelled_fetch_ends_the_flow_quietly() -> None:
    assert run(chat("a"), Script([], [Failed("aborted")])) == Cancelled()


@pytest.mark.parametrize(("status", "code"), [(404, "storage_not_found"), (500, "storage_error")])
def test_other_storage_statuses_are_errors_without_recovery(status: int, code: str) -> None:
    script = Script([], [Answer(status, None, 0)])
    with pytest.raises(errors.ChatdumpError) as caught:
        run(chat("a"), script)
    assert caught.value.code == code
    assert len(script.steps) == 1


def test_an_unknown_length_body_is_saved_as_it_came() -> None:
    assert run(chat("a"), Script([], [Answer(200, None, 12)])) == Save("standup.csv", 12, "storage")


# --- properties: whatever the network does, the flow ends, within a few steps, and only a whole
# body is ever saved.

fetch_replies = st.one_of(
    st.builds(Failed, st.sampled_from(["network", "stream", "aborted"])),
    st.builds(
        lambda status, length, received: Answer(status, length, received),
        st.sampled_from([0, 200, 200, 200, 403, 404, 500, 503]),
        st.one_of(st.none(), st.integers(0, 10**6).map(str), st.just("junk")),
        st.integers(0, 10**6),
    ),
)
url_lifetimes = st.integers(-3600, 3600)


@given(
    prefetched=st.one_of(st.none(), url_lifetimes),
    lifetimes=st.lists(url_lifetimes, min_size=3, max_size=3),
    replies=st.lists(fetch_replies, min_size=3, max_size=3),
)
def test_any_network_behaviour_ends_in_a_whole_file_an_error_or_a_cancel(
    prefetched: int | None, lifetimes: list[int], replies: list[Reply]
) -> None:
    script = Script([chat(f"u{i}", expires_in=t) for i, t in enumerate(lifetimes)], replies)
    start = None if prefetched is None else chat("p", expires_in=prefetched)
    try:
        outcome = run(start, script)
    except errors.ChatdumpError as exc:
        assert exc.message
        return
    finally:
        assert len(script.steps) <= 5
        assert sum(isinstance(s, AskForUrl) and s.fresh for s in script.steps) <= 1
    if isinstance(outcome, Save):
        last = replies[sum(isinstance(s, Fetch) for s in script.steps) - 1]
        assert isinstance(last, Answer) and last.status == 200
        if last.content_length is not None and last.content_length.isdigit():
            assert int(last.content_length) == outcome.size == last.received


@given(replies=st.lists(fetch_replies, min_size=3, max_size=3))
def test_a_stale_url_is_never_fetched(replies: list[Reply]) -> None:
    script = Script([chat("b"), chat("c")], replies)
    with contextlib.suppress(errors.ChatdumpError):
        run(chat("stale", expires_in=-1), script)
    assert Fetch("https://s3.test/stale", "storage") not in script.steps


def perform_with(table: dict[str, Reply]) -> Callable[[Step], Reply]:
    def perform(step: Step) -> Reply:
        if isinstance(step, AskForUrl):
            return UrlReply(chat("fresh" if step.fresh else "again"), NOW)
        return table[step.url]

    return perform


def test_the_flow_can_be_driven_by_any_perform_function() -> None:
    perform = perform_with({"https://s3.test/a": Failed("network"), "https://s3.test/fresh": ok()})
    assert run_flow(download_flow(SESSION, chat("a"), NOW), perform).source == "storage"  # type: ignore[union-attr]


@pytest.mark.anyio
async def test_an_async_driver_runs_the_same_flow() -> None:
    script = Script([chat("b")], [Answer(403, None, 0), ok(5)])

    async def perform(step: Step) -> Reply:
        return script(step)

    outcome = await drive_flow(download_flow(SESSION, chat("a"), NOW), perform)
    assert outcome == Save("standup.csv", 5, "storage")
    assert [type(s) for s in script.steps] == [Fetch, AskForUrl, Fetch]
