"""The LINE webhook: signature, size and body checks, the inbox, exactly-once, every event type."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select

from bot.channels.line import webhook
from bot.channels.line.inbox import DONE, PENDING, Inbox
from handlers.messages import Text, to_payload
from models import db, outbox
from models.enums import Channel
from models.org import ChannelAccount
from models.records import InboxEvent, OutboundMessage, ProcessedEvent
from tests.line_harness import LineHarness, line_user, message_text
from tests.standins.line_api import webhook_schemas

USER = line_user("somchai")


async def inbox_rows(line: LineHarness) -> list[InboxEvent]:
    async with line.runtime.sessions() as session:
        return list((await session.exec(select(InboxEvent).order_by(InboxEvent.id))).all())


# -- what is refused before anything is stored ----------------------------------------------


async def test_a_wrong_signature_is_refused_and_nothing_is_stored(line: LineHarness) -> None:
    body = line.webhooks.body(line.webhooks.text(USER, "ช่วยเหลือ"))
    forged = {"content-type": "application/json", "x-line-signature": line.webhooks.sign(b"x")}
    response = await line.post(body, forged)
    assert response.status_code == 400
    assert await inbox_rows(line) == []
    assert line.stand_in.calls == []


async def test_a_missing_signature_is_refused(line: LineHarness) -> None:
    body = line.webhooks.body(line.webhooks.text(USER, "ช่วยเหลือ"))
    response = await line.post(body, {"content-type": "application/json"})
    assert response.status_code == 400
    assert await inbox_rows(line) == []


async def test_a_signature_made_with_another_secret_is_refused(line: LineHarness) -> None:
    body = line.webhooks.body(line.webhooks.text(USER, "ช่วยเหลือ"))
    other = type(line.webhooks)("another-secret")
    response = await line.post(body, other.headers(body))
    assert response.status_code == 400


async def test_a_body_over_one_megabyte_is_refused_with_413(line: LineHarness) -> None:
    huge = line.webhooks.text(USER, "ก" * (webhook.MAX_BODY // 3 + 10))
    body = line.webhooks.body(huge)
    assert len(body) > webhook.MAX_BODY
    response = await line.post(body)  # correctly signed, still too big
    assert response.status_code == 413
    assert await inbox_rows(line) == []


async def test_a_big_body_without_content_length_is_cut_off_at_one_megabyte(
    line: LineHarness,
) -> None:
    async def chunks() -> Any:
        for _ in range(20):
            yield b"x" * 100_000

    response = await line.client.post(
        "/webhooks/line", content=chunks(), headers={"x-line-signature": "abc"}
    )
    assert response.status_code == 413


async def test_malformed_json_with_a_valid_signature_is_refused(line: LineHarness) -> None:
    body = b'{"destination": "U0", "events": [ {"type": '
    response = await line.post(body)
    assert response.status_code == 400
    assert await inbox_rows(line) == []


@pytest.mark.parametrize("levels", [100_000, 1_000, 40])
async def test_deeply_nested_json_with_a_valid_signature_is_a_400_not_a_500(
    line: LineHarness, levels: int
) -> None:
    """100,000 deep made the JSON decoder raise RecursionError (a 500 with a traceback); a
    few hundred deep parsed. Either way it is no LINE event: refused, nothing stored."""
    nested = b'{"destination": "U0", "events": [{"x": ' + b"[" * levels + b"]" * levels + b"}]}"
    response = await line.post(nested)  # signed with the channel secret
    assert response.status_code == 400
    assert "nested deeper" in response.json()["message"]
    assert await inbox_rows(line) == []


@pytest.mark.parametrize("body", [b"[]", b'{"destination": "U0"}', b'{"events": [1, 2]}'])
async def test_json_that_is_not_a_webhook_body_is_refused(line: LineHarness, body: bytes) -> None:
    assert (await line.post(body)).status_code == 400


async def test_the_verify_button_sends_no_events_and_gets_200(line: LineHarness) -> None:
    response = await line.post(line.webhooks.body())
    assert response.status_code == 200
    assert await inbox_rows(line) == []


# -- stored, acknowledged, handled once -----------------------------------------------------


async def test_a_message_is_stored_answered_by_reply_and_marked_done(line: LineHarness) -> None:
    event = line.webhooks.text(USER, "ช่วยเหลือ")
    response = await line.send(event)
    assert response.status_code == 200
    replies = line.replies_to(event)
    assert "เข้าร่วม" in message_text(replies[0])  # a stranger is told how to join
    [row] = await inbox_rows(line)
    assert (row.event_id, row.status, row.channel) == (event["webhookEventId"], DONE, Channel.LINE)
    assert row.processed_at is not None
    assert line.stand_in.pushes == []


async def test_a_replayed_event_is_handled_once(line: LineHarness) -> None:
    event = line.webhooks.text(USER, "ช่วยเหลือ")
    await line.send(event)
    again = {**event, "deliveryContext": {"isRedelivery": True}}
    assert (await line.send(again)).status_code == 200
    assert (await line.send(event)).status_code == 200
    assert len(line.stand_in.replies) == 1
    assert len(await inbox_rows(line)) == 1
    async with line.runtime.sessions() as session:
        seen = (await session.exec(select(ProcessedEvent))).all()
    assert [e.event_id for e in seen] == [f"line:{event['webhookEventId']}"]


async def test_an_unseen_redelivered_event_is_handled_once_by_push(line: LineHarness) -> None:
    """A redelivered event's reply token is not to be trusted: the answer is pushed."""
    event = line.webhooks.text(USER, "ช่วยเหลือ")
    event["deliveryContext"] = {"isRedelivery": True}
    await line.send(event)
    await line.send(event)
    assert line.stand_in.replies == []
    [push] = line.stand_in.pushes
    assert push.body["to"] == USER
    assert "x-line-retry-key" in push.headers
    assert "เข้าร่วม" in message_text(push.body["messages"][0])


async def test_two_events_in_one_delivery_are_handled_in_order(line: LineHarness) -> None:
    first = line.webhooks.text(USER, "สวัสดี")
    second = line.webhooks.text(USER, "ช่วยเหลือ")
    await line.send(first, second)
    tokens = [c.body["replyToken"] for c in line.stand_in.replies]
    assert tokens == [first["replyToken"], second["replyToken"]]


async def test_a_stale_reply_token_falls_back_to_push(line: LineHarness) -> None:
    event = line.webhooks.text(USER, "ช่วยเหลือ")
    event["timestamp"] -= 2 * 60 * 1000  # LINE delivered it two minutes after it happened
    await line.send(event)
    assert line.stand_in.replies == []
    assert len(line.pushes_to(USER)) == 1


async def test_a_reply_token_line_refuses_falls_back_to_push(line: LineHarness) -> None:
    event = line.webhooks.text(USER, "ช่วยเหลือ")
    line.stand_in.expire_reply_token(event["replyToken"])
    await line.send(event)
    assert [c.status for c in line.stand_in.calls if c.operation_id == "replyMessage"] == [400]
    assert len(line.pushes_to(USER)) == 1


async def test_events_stored_before_a_crash_are_handled_at_start_up(
    line: LineHarness,
) -> None:
    """LINE got its 200, then the process died: the next start handles the stored events."""
    await line.service.stop()
    rt = line.runtime
    event = line.webhooks.text(USER, "ช่วยเหลือ")
    await Inbox(rt.engine, rt.clock).store([event])
    assert [r.status for r in await inbox_rows(line)] == [PENDING]
    await line.service.start(rt)
    await line.service.drain()
    assert [r.status for r in await inbox_rows(line)] == [DONE]
    assert len(line.replies_to(event)) == 1


async def test_a_failing_event_is_kept_pending_with_its_error(
    line: LineHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_: Any) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(line.service, "_turn", broken)
    await line.send(line.webhooks.text(USER, "ช่วยเหลือ"))
    [row] = await inbox_rows(line)
    assert (row.status, row.attempts) == (PENDING, 1)
    assert "database went away" in (row.last_error or "")


async def test_the_webhook_answers_503_when_events_cannot_be_stored(line: LineHarness) -> None:
    await line.service.stop()  # not running: nothing can be stored
    body = line.webhooks.body(line.webhooks.text(USER, "ช่วยเหลือ"))
    assert (await line.post(body)).status_code == 503


# -- every event type ------------------------------------------------------------------------


def every_event(line: LineHarness) -> list[dict[str, Any]]:
    """One event of every type (and message type) webhook.yml knows, and a future one."""
    w = line.webhooks
    user, content = USER, {"type": "line"}
    group = {"type": "group", "groupId": "C" + "1" * 32, "userId": user}
    messages = [
        {"type": "image", "id": "1", "contentProvider": content, "quoteToken": "q"},
        {"type": "video", "id": "2", "contentProvider": content, "quoteToken": "q"},
        {"type": "audio", "id": "3", "contentProvider": content, "duration": 1000},
        {"type": "file", "id": "4", "fileName": "ผด.01.pdf", "fileSize": 1024},
        {"type": "location", "id": "5", "latitude": 16.6, "longitude": 102.4, "title": "อบต."},
        {
            "type": "sticker",
            "id": "6",
            "packageId": "446",
            "stickerId": "1988",
            "stickerResourceType": "STATIC",
            "quoteToken": "q",
        },
    ]
    members = {"members": [{"type": "user", "userId": user}]}
    token = w.reply_token
    module = {"type": "attached", "botId": "U" + "2" * 32, "scopes": ["message:send"]}
    return [
        w.text(user, "ช่วยเหลือ"),
        *(w.event("message", user, replyToken=token(), message=m) for m in messages),
        w.postback(user, "1|x|cmd|0|สถานะ"),
        w.postback(user, "line|date", {"date": "2025-10-01"}),
        w.follow(user),
        w.unfollow(user),
        w.event("join", None, source=group, replyToken=token()),
        w.event("leave", None, source={"type": "group", "groupId": "C" + "1" * 32}),
        w.event("memberJoined", None, source=group, replyToken=token(), joined=members),
        w.event("memberLeft", None, source=group, left=members),
        w.event("unsend", user, unsend={"messageId": "1"}),
        w.event("accountLink", user, replyToken=token(), link={"result": "ok", "nonce": "n"}),
        w.event("beacon", user, replyToken=token(), beacon={"hwid": "d41d8cd98f", "type": "enter"}),
        w.event(
            "videoPlayComplete", user, replyToken=token(), videoPlayComplete={"trackingId": "t"}
        ),
        w.event(
            "membership", user, replyToken=token(), membership={"type": "joined", "membershipId": 1}
        ),
        w.event("module", None, module=module),
        w.event("activated", user, chatControl={"expireAt": 1}),
        w.event("deactivated", user),
        w.event("botSuspended", None),
        w.event("botResumed", None),
        w.event("delivery", user, delivery={"data": "d"}),
    ]


async def test_every_event_type_of_webhook_yml_is_accepted(line: LineHarness) -> None:
    events = every_event(line)
    known = set(
        webhook_schemas().document["components"]["schemas"]["Event"]["discriminator"]["mapping"]
    )
    assert known <= {e["type"] for e in events}, "an event type of webhook.yml is not tested"
    future = line.webhooks.event("somethingNew", USER, replyToken=line.webhooks.reply_token())
    future_message = line.webhooks.event(
        "message",
        USER,
        replyToken=line.webhooks.reply_token(),
        message={"type": "story", "id": "9"},
    )
    for event in events:
        assert (await line.send(event)).status_code == 200, event["type"]
    response = await line.send(future, future_message, check=False)
    assert response.status_code == 200
    rows = await inbox_rows(line)
    assert len(rows) == len(events) + 2
    assert {r.status for r in rows} == {DONE}, [(r.payload["type"], r.last_error) for r in rows]


async def test_stickers_and_files_get_a_polite_answer(line: LineHarness) -> None:
    [_, image, *_] = every_event(line)
    await line.send(image)
    [answer] = line.replies_to(image)
    assert "รูปภาพ" in message_text(answer) or "ไฟล์" in message_text(answer)


async def test_follow_greets_with_how_to_join(line: LineHarness) -> None:
    event = line.webhooks.follow(USER)
    await line.send(event)
    [greeting] = line.replies_to(event)
    assert "ยินดีต้อนรับ" in message_text(greeting)
    assert "เข้าร่วม" in message_text(greeting)


async def test_unfollow_makes_the_account_inactive_and_stops_pushes(line: LineHarness) -> None:
    await line.send(line.webhooks.follow(USER))
    await line.send(line.webhooks.unfollow(USER))
    rt = line.runtime
    async with db.transaction(rt.sessions) as session:
        account = (
            await session.exec(select(ChannelAccount).where(ChannelAccount.external_id == USER))
        ).one()
        assert account.active is False
        assert account.id is not None
        await outbox.enqueue(
            session, rt.clock, account.id, to_payload([Text("⏰ เตือน")]), "test:unfollowed"
        )
    await line.service.drain()
    assert line.stand_in.pushes == []
    async with rt.sessions() as session:
        row = (await session.exec(select(OutboundMessage))).one()
    assert row.sent_at is None  # kept for when they come back
    await line.send(line.webhooks.follow(USER))  # re-followed: active again, the notice goes
    assert len(line.pushes_to(USER)) == 1


async def test_a_group_message_not_meant_for_the_bot_is_ignored(line: LineHarness) -> None:
    group = {"type": "group", "groupId": "C" + "3" * 32, "userId": USER}
    chatter = line.webhooks.text(USER, "พรุ่งนี้ประชุมกี่โมงครับ", source=group)
    command = line.webhooks.text(USER, "ช่วยเหลือ", source=group)
    await line.send(chatter, command)
    assert line.replies_to(chatter) == []
    assert len(line.replies_to(command)) == 1  # a command word works without a mention


async def test_what_the_bot_ignores_is_kept_as_its_id_and_handled_events_lose_their_content(
    line: LineHarness,
) -> None:
    """PDPA: a group's chatter reached the inbox whole (text and user id) and stayed there
    forever. Now it is stored as its id alone, done at once (a redelivery is still known);
    what the bot handled keeps only its id once handled."""
    group = {"type": "group", "groupId": "C" + "5" * 32, "userId": USER}
    chatter = line.webhooks.text(USER, "เรื่องส่วนตัวในกลุ่ม 5511", source=group)
    command = line.webhooks.text(USER, "ช่วยเหลือ", source=group)
    beacon = line.webhooks.event(
        "beacon",
        USER,
        replyToken=line.webhooks.reply_token(),
        beacon={"hwid": "d41d8cd98f", "type": "enter"},
    )
    await line.send(chatter, command, beacon)
    rows = {r.event_id: r for r in await inbox_rows(line)}
    assert {e["webhookEventId"] for e in (chatter, command, beacon)} == set(rows)
    assert all(r.status == DONE and r.payload == {} for r in rows.values())
    assert rows[chatter["webhookEventId"]].attempts == 0  # never handled: nothing to do
    assert len(line.replies_to(command)) == 1
    await line.send(chatter)  # redelivered: still known, still nothing
    assert len(await inbox_rows(line)) == 3
    assert line.replies_to(chatter) == []


async def test_a_group_message_that_mentions_the_bot_is_answered(line: LineHarness) -> None:
    room = {"type": "room", "roomId": "R" + "4" * 32, "userId": USER}
    text = "@planbot สวัสดี"
    mention = {
        "mentionees": [
            {"type": "user", "index": 0, "length": 8, "userId": "U" + "0" * 32, "isSelf": True}
        ]
    }
    event = line.webhooks.text(USER, text, source=room)
    event["message"]["mention"] = mention
    await line.send(event)
    assert len(line.replies_to(event)) == 1


def test_webhook_bodies_the_tests_build_follow_webhook_yml(line_api: Any) -> None:
    from tests.standins.line_api import WebhookFactory

    factory = WebhookFactory("s")
    event = factory.text(USER, "x")
    event.pop("webhookEventId")
    with pytest.raises(AssertionError, match="webhookEventId"):
        factory.body(event)
    body = json.loads(factory.body(factory.postback(USER, "d", {"date": "2025-10-01"})))
    assert body["events"][0]["postback"]["params"] == {"date": "2025-10-01"}


async def test_pending_rows_older_than_a_minute_are_retried_by_the_sweep(
    line: LineHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = 0
    real_turn = line.service._turn

    async def flaky(inbound: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("first try fails")
        await real_turn(inbound)

    monkeypatch.setattr(line.service, "_turn", flaky)
    event = line.webhooks.text(USER, "ช่วยเหลือ")
    await line.send(event)
    line.runtime.clock.advance(timedelta(minutes=2))  # type: ignore[attr-defined]
    for item in await line.service.inbox.pending(older_than=timedelta(seconds=60)):
        line.service._submit(item)
    await line.service.drain()
    assert [r.status for r in await inbox_rows(line)] == [DONE]
    assert len(line.pushes_to(USER)) == 1  # the token had gone stale by then: pushed
