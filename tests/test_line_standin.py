"""The stand-in LINE API refuses what LINE refuses — otherwise the other tests prove little."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from bot.channels.line.client import LineApi, LineApiError, ReplyRejected
from tests.standins.line_api import LineApiStandIn, messaging_schemas

GOOD_FLEX = {
    "type": "flex",
    "altText": "📋 โครงการ",
    "contents": {
        "type": "bubble",
        "body": {
            "type": "box",
            "layout": "vertical",
            "contents": [
                {"type": "text", "text": "ก่อสร้างถนน", "wrap": True},
                {
                    "type": "button",
                    "action": {"type": "postback", "label": "เห็นชอบ", "data": "1|x|vote|1"},
                },
            ],
        },
    },
}


def flex_with(**changes: Any) -> dict[str, Any]:
    """GOOD_FLEX with one thing broken: a path of keys → a new value (None removes it)."""
    import copy

    message = copy.deepcopy(GOOD_FLEX)
    for path, value in changes.items():
        *parents, last = path.split("__")
        node: Any = message
        for key in parents:
            node = node[int(key)] if key.isdigit() else node[key]
        if value is None:
            del node[last]
        else:
            node[int(last) if last.isdigit() else last] = value
    return message


def errors(message: dict[str, Any]) -> list[str]:
    body = {"replyToken": "t", "messages": [message]}
    return messaging_schemas().errors("ReplyMessageRequest", body)


def test_a_good_flex_message_passes() -> None:
    assert errors(GOOD_FLEX) == []


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"contents__body__contents__0__type": "txt"}, "'txt' is not one of"),
        ({"contents__body__contents__0__colour": "#fff"}, "'colour' is not one of"),
        ({"contents__body__layout": "diagonal"}, "'diagonal' is not one of"),
        ({"contents__body__contents": None}, "'contents' is a required property"),
        ({"altText": None}, "'altText' is a required property"),
        ({"altText": "ก" * 1501}, "is too long"),
        ({"contents__type": "bubbles"}, "'bubbles' is not one of"),
        ({"contents__body__contents__1__action__label": "ไม่เห็นชอบกับร่างแผนฉบับนี้เลย"}, "too long"),
        ({"contents__body__contents__1__action__type": "postbak"}, "'postbak' is not one of"),
        (
            {"contents__body__contents__1__action": {"type": "uri", "label": "เปิด", "uri": "/d/x"}},
            "is not a 'uri'",
        ),
        ({"contents__body__contents__0__text": ""}, "should be non-empty"),
    ],
)
def test_a_flex_message_line_would_refuse_is_refused(changes: dict[str, Any], reason: str) -> None:
    found = errors(flex_with(**changes))
    assert any(reason in e for e in found), found


def test_fourteen_quick_replies_are_refused() -> None:
    item = {"type": "action", "action": {"type": "postback", "label": "x", "data": "d"}}
    message = {"type": "text", "text": "x", "quickReply": {"items": [item] * 14}}
    assert any("is too long" in e for e in errors(message))


def test_six_messages_in_one_reply_are_refused() -> None:
    body = {"replyToken": "t", "messages": [{"type": "text", "text": "x"}] * 6}
    assert messaging_schemas().errors("ReplyMessageRequest", body)


@pytest.fixture
async def api(line_api: LineApiStandIn) -> AsyncIterator[LineApi]:
    client = LineApi(line_api.access_token, line_api.api_base_url, line_api.data_base_url)
    yield client
    await client.close()


async def test_an_invalid_flex_message_sent_through_the_sdk_gets_400(
    api: LineApi, line_api: LineApiStandIn
) -> None:
    """The SDK's models take it (they check types, not LINE's limits); the stand-in does not."""
    token = line_api.issue_reply_token()
    label = "ไม่เห็นชอบกับร่างแผนฉบับนี้เลย"
    bad = flex_with(contents__body__contents__1__action__label=label)
    with pytest.raises(LineApiError) as refused:
        await api.reply(token, [bad])
    assert refused.value.status == 400
    assert any("is too long" in p for p in line_api.problems)
    line_api.problems.clear()  # expected here; any other test with a problem fails


async def test_a_reply_token_works_once(api: LineApi, line_api: LineApiStandIn) -> None:
    token = line_api.issue_reply_token()
    await api.reply(token, [GOOD_FLEX])
    with pytest.raises(ReplyRejected):
        await api.reply(token, [{"type": "text", "text": "อีกครั้ง"}])
    with pytest.raises(ReplyRejected):
        await api.reply("never-issued", [{"type": "text", "text": "x"}])
    assert len(line_api.replies) == 1


async def test_a_push_retried_with_the_same_key_is_not_sent_twice(
    api: LineApi, line_api: LineApiStandIn
) -> None:
    key = "5e0f9a4c-1f77-4c44-9f0e-6a1a8f2b7c11"
    message = [{"type": "text", "text": "⏰ อีก 3 วัน"}]
    assert await api.push("U" + "a" * 32, message, key) is True
    assert await api.push("U" + "a" * 32, message, key) is False  # LINE: 409, accepted before
    assert line_api.pushed_count == 1
    assert [c.status for c in line_api.calls if c.operation_id == "pushMessage"] == [200, 409]


async def test_quota_and_consumption(api: LineApi, line_api: LineApiStandIn) -> None:
    line_api.extra_usage = 120
    quota = await api.quota()
    assert (quota.limit, quota.used) == (1000, 120)
    line_api.quota_limit = None
    assert (await api.quota()).limit is None


async def test_calls_to_the_wrong_host_or_without_the_token_are_refused(
    line_api: LineApiStandIn,
) -> None:
    async with httpx.AsyncClient() as client:
        wrong_host = await client.post(
            f"{line_api.api_base_url}/v2/bot/richmenu/x/content",
            content=b"png",
            headers={"authorization": f"Bearer {line_api.access_token}"},
        )
        no_token = await client.get(f"{line_api.api_base_url}/v2/bot/message/quota")
        unknown = await client.get(
            f"{line_api.api_base_url}/v2/bot/nothing",
            headers={"authorization": f"Bearer {line_api.access_token}"},
        )
    assert (wrong_host.status_code, no_token.status_code, unknown.status_code) == (404, 401, 404)
    assert len(line_api.problems) == 3
    line_api.problems.clear()


async def test_a_server_error_is_retryable(api: LineApi, line_api: LineApiStandIn) -> None:
    line_api.failures["pushMessage"] = 1
    with pytest.raises(LineApiError) as failed:
        await api.push(
            "U" + "b" * 32, [{"type": "text", "text": "x"}], "5e0f9a4c-1f77-4c44-9f0e-6a1a8f2b7c12"
        )
    assert failed.value.status == 500 and failed.value.retryable


async def test_an_unreachable_line_is_an_error_not_a_hang() -> None:
    api = LineApi("t", "http://127.0.0.1:9", "http://127.0.0.1:9", timeout=2)
    try:
        with pytest.raises(LineApiError) as failed:
            await api.reply("t", [{"type": "text", "text": "x"}])
    finally:
        await api.close()
    assert failed.value.status == 0 and failed.value.retryable


async def test_multicast_is_checked_against_the_spec_and_keyed_like_push(
    api: LineApi, line_api: LineApiStandIn
) -> None:
    """/v2/bot/message/multicast with X-Line-Retry-Key: once per key, counted per recipient;
    more than 500 recipients is refused as LINE's OpenAPI file says."""
    key = "5e0f9a4c-1f77-4c44-9f0e-6a1a8f2b7c13"
    users = ["U" + c * 32 for c in "abc"]
    message = [{"type": "text", "text": "⏰ อีก 3 วัน"}]
    assert await api.multicast(users, message, key) is True
    assert await api.multicast(users, message, key) is False  # LINE: 409, accepted before
    assert [c.status for c in line_api.multicasts] == [200]
    assert [c.headers["x-line-retry-key"] for c in line_api.multicasts] == [key]
    assert line_api.pushed_count == 3 and line_api.retries_absorbed == 1
    assert all(line_api.delivered[u] == [message] for u in users)
    too_many = ["U" + f"{i:032x}" for i in range(501)]  # the SDK itself refuses this: post it
    async with httpx.AsyncClient() as client:
        refused = await client.post(
            f"{line_api.api_base_url}/v2/bot/message/multicast",
            json={"to": too_many, "messages": message},
            headers={"authorization": f"Bearer {line_api.access_token}"},
        )
    assert refused.status_code == 400
    assert any(p.startswith("multicast: to") for p in line_api.problems), line_api.problems
    line_api.problems.clear()


async def test_a_push_to_a_user_line_does_not_know_is_refused(
    api: LineApi, line_api: LineApiStandIn
) -> None:
    gone = "U" + "d" * 32
    line_api.unknown_users.add(gone)
    with pytest.raises(LineApiError) as refused:
        await api.push(
            gone, [{"type": "text", "text": "x"}], "5e0f9a4c-1f77-4c44-9f0e-6a1a8f2b7c15"
        )
    assert (refused.value.status, refused.value.message) == (400, "Failed to send messages")
