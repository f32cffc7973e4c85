"""The conversation engine's promises: exactly once, in order, durable, never crashing."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select

from bot.runtime import Runtime
from handlers import engine as engine_module
from handlers import router
from handlers.engine import Engine
from handlers.messages import Incoming, plain_text
from models.clock import FixedClock
from models.enums import Channel
from models.records import ConversationState, ProcessedEvent
from tests.chat import RecordingDriver


def said(who: str, text: str, event_id: str | None = None) -> Incoming:
    return Incoming(Channel.CONSOLE, who, text=text, event_id=event_id)


async def state_of(rt: Runtime, who: str) -> ConversationState | None:
    from models.org import ChannelAccount

    async with rt.sessions() as session:
        return (
            await session.exec(
                select(ConversationState)
                .join(ChannelAccount, ChannelAccount.id == ConversationState.account_id)
                .where(ChannelAccount.external_id == who)
            )
        ).first()


async def test_a_redelivered_event_is_ignored(demo: Runtime) -> None:
    engine = Engine(demo.sessions, demo.clock, demo.days_off)
    first = await engine.handle(said("officer", "/budget", event_id="ev-1"))
    assert "ปีงบประมาณ" in plain_text(first)
    assert await engine.handle(said("officer", "/budget", event_id="ev-1")) == []
    state = await state_of(demo, "officer")
    assert state is not None and state.version == 1
    async with demo.sessions() as session:
        assert len((await session.exec(select(ProcessedEvent))).all()) == 1


async def test_a_failing_handler_answers_sorry_and_changes_nothing(
    demo: Runtime, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    engine = Engine(demo.sessions, demo.clock, demo.days_off)
    await engine.handle(said("officer", "/budget"))
    before = await state_of(demo, "officer")

    async def boom(turn: object, args: str) -> list[object]:
        raise RuntimeError("kaboom")

    monkeypatch.setitem(router.HANDLERS, "status", boom)
    with caplog.at_level(logging.ERROR):
        answer = await engine.handle(said("officer", "/status", event_id="ev-boom"))
    assert plain_text(answer).startswith("ขออภัย เกิดข้อผิดพลาด")
    assert "ev-boom" in caplog.text and "kaboom" in caplog.text
    after = await state_of(demo, "officer")
    assert (after.version, after.step) == (before.version, before.step)  # type: ignore[union-attr]
    # the poison event is remembered: a redelivery does not fail again
    assert await engine.handle(said("officer", "/status", event_id="ev-boom")) == []


async def test_a_stale_form_button_is_expired(demo: Runtime) -> None:
    chat = RecordingDriver(demo)
    await chat.say("officer", "/budget")
    old_buttons = chat.last["officer"]
    await chat.press("officer", "พ.ศ. 2569")
    chat.last["officer"] = old_buttons  # press a button of the earlier question again
    out = await chat.press("officer", "พ.ศ. 2570")
    assert out.startswith("รายการนี้หมดอายุแล้ว")
    assert "ขั้นที่ 2/3" in out  # and the current question is asked again
    garbage = await chat.send(Incoming(Channel.CONSOLE, "officer", button_data="v0|zz"))
    assert garbage.startswith("รายการนี้หมดอายุแล้ว")


async def test_idle_form_expires_after_24_hours(demo: Runtime) -> None:
    chat = RecordingDriver(demo)
    await chat.say("officer", "/budget")
    demo.clock.advance(timedelta(hours=24, minutes=1))  # type: ignore[attr-defined]
    out = await chat.say("officer", "2569")
    assert out.startswith("⏰ แบบฟอร์มที่ค้างไว้หมดอายุแล้ว")
    assert "ขั้นที่" not in out  # "2569" outside any form gets the help menu
    assert (await state_of(demo, "officer")).flow is None  # type: ignore[union-attr]


async def test_restart_mid_form_resumes_at_the_same_step(demo: Runtime) -> None:
    chat = RecordingDriver(demo)
    await chat.say("officer", "/budget")
    await chat.press("officer", "พ.ศ. 2569")
    chat.restart()
    out = await chat.press("officer", "ข้อบัญญัติงบประมาณรายจ่ายประจำปี")  # button from before
    assert "ขั้นที่ 3/3 วันที่" in out
    out = await chat.say("officer", "1 ต.ค. 2568")
    assert "พ.ศ. 2569" in out and "ข้อบัญญัติงบประมาณรายจ่ายประจำปี" in out


async def test_sticker_inside_a_form_is_reasked_politely(demo: Runtime) -> None:
    chat = RecordingDriver(demo)
    await chat.say("officer", "/budget")
    out = await chat.send(
        Incoming(Channel.CONSOLE, "officer", attachment="s1", attachment_kind="sticker")
    )
    assert "ข้อความ" in out and "ขั้นที่ 1/3" in out
    out = await chat.send(
        Incoming(Channel.CONSOLE, "agency", attachment="s1", attachment_kind="sticker")
    )
    assert "สติกเกอร์" in out


async def test_peek_commands_keep_the_form(demo: Runtime) -> None:
    chat = RecordingDriver(demo)
    await chat.say("officer", "/budget")
    out = await chat.say("officer", "ช่วยเหลือ")
    assert "พิมพ์คำสั่ง" in out and "ขั้นที่ 1/3" in out
    out = await chat.say("officer", "เชิญ")  # a new flow replaces the form, saying so
    assert "(ยกเลิกการเปิดรอบที่ค้างไว้แล้ว)" in out


@pytest.mark.parametrize("workers", [1, 2])
async def test_twenty_concurrent_messages_are_applied_in_turn(demo: Runtime, workers: int) -> None:
    """Twenty answers at once, through one engine or two (two workers): none lost or doubled."""
    engines = [Engine(demo.sessions, demo.clock, demo.days_off) for _ in range(workers)]
    await engines[0].handle(said("officer", "/invite"))
    await engines[0].handle(said("officer", "ผู้เสนอโครงการ"))  # now at the free-text unit step
    start = await state_of(demo, "officer")
    answers = await asyncio.gather(
        *(
            engines[i % workers].handle(said("officer", f"หน่วยที่ {i}", event_id=f"c{workers}-{i}"))
            for i in range(20)
        )
    )
    texts = [plain_text(a) for a in answers]
    assert not any("ขออภัย" in t for t in texts)
    assert sum("ตรวจสอบก่อนสร้างรหัสเชิญ" in t for t in texts) == 20  # 1 answer + 19 re-shows
    end = await state_of(demo, "officer")
    assert end is not None and start is not None
    assert end.version == start.version + 20  # every turn saved exactly once, none lost
    assert end.data["ask"] == start.data["ask"] + 20
    assert end.step == "_summary" and end.data["values"]["unit"].startswith("หน่วยที่ ")


async def test_two_workers_take_turns_instead_of_retrying(
    demo: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Turns of one account wait for each other (a brand-new account too): none needs a retry.

    With a single attempt allowed, a turn that read state another worker was changing (or
    created the account another worker was creating) would answer "ขออภัย"; waiting for the
    account's turn lock first means it reads what the other committed.
    """
    monkeypatch.setattr(engine_module, "MAX_ATTEMPTS", 1)
    engines = [Engine(demo.sessions, demo.clock, demo.days_off) for _ in range(2)]
    await engines[0].handle(said("officer", "/invite"))
    await engines[0].handle(said("officer", "ผู้เสนอโครงการ"))
    start = await state_of(demo, "officer")
    answers = await asyncio.gather(
        *(engines[i % 2].handle(said("officer", f"หน่วยที่ {i}")) for i in range(20)),
        *(engines[i % 2].handle(said("newcomer", "ช่วยเหลือ")) for i in range(6)),
    )
    assert not any("ขออภัย" in plain_text(a) for a in answers)
    end = await state_of(demo, "officer")
    assert end is not None and start is not None and end.version == start.version + 20


async def test_a_turn_that_changes_no_state_writes_none(demo: Runtime) -> None:
    """A turn that reads only writes no state: /status again, with the same answer (the
    first one remembers its buttons, so their labels can be typed), bumps nothing."""
    engine = Engine(demo.sessions, demo.clock, demo.days_off)
    await engine.handle(said("officer", "/status", event_id="ro-1"))
    first = await state_of(demo, "officer")
    assert first is not None and first.version == 1 and "labels" in first.data
    await engine.handle(said("officer", "/status", event_id="ro-2"))
    again = await state_of(demo, "officer")
    assert again is not None and again.version == 1
    await engine.handle(said("officer", "/budget", event_id="ro-3"))
    await engine.handle(said("officer", "ยกเลิก", event_id="ro-4"))
    cancelled = await state_of(demo, "officer")
    assert cancelled is not None and cancelled.flow is None and cancelled.version == 3
    await engine.handle(said("officer", "ช่วยเหลือ", event_id="ro-5"))
    helped = await state_of(demo, "officer")
    assert helped is not None and helped.version == 4
    await engine.handle(said("officer", "ช่วยเหลือ", event_id="ro-6"))
    after = await state_of(demo, "officer")
    assert after is not None and after.version == 4


async def test_nested_changes_to_form_data_are_saved(
    demo: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A handler that edits a nested part of the form data in place still gets it saved."""
    engine = Engine(demo.sessions, demo.clock, demo.days_off)
    await engine.handle(said("officer", "/invite"))
    before = await state_of(demo, "officer")
    assert before is not None and isinstance(before.data.get("values"), dict)

    async def scribble(turn: Any, args: str) -> list[object]:
        turn.state.data["values"]["note"] = "แก้ในที่"
        return []

    monkeypatch.setitem(router.HANDLERS, "status", scribble)
    await engine.handle(said("officer", "/status"))
    after = await state_of(demo, "officer")
    assert after is not None and after.version == before.version + 1
    assert after.data["values"]["note"] == "แก้ในที่"


async def test_last_seen_is_kept_to_the_nearest_five_minutes(demo: Runtime) -> None:
    from models.org import ChannelAccount

    async def last_seen() -> object:
        async with demo.sessions() as session:
            account = (
                await session.exec(
                    select(ChannelAccount).where(ChannelAccount.external_id == "officer")
                )
            ).one()
            return account.last_seen_at

    engine = Engine(demo.sessions, demo.clock, demo.days_off)
    clock = demo.clock
    assert isinstance(clock, FixedClock)
    await engine.handle(said("officer", "/status"))
    first = await last_seen()
    assert first == clock.now()
    clock.advance(timedelta(minutes=4))
    await engine.handle(said("officer", "/status"))
    assert await last_seen() == first  # not rewritten for every message
    clock.advance(timedelta(minutes=2))
    await engine.handle(said("officer", "/status"))
    assert await last_seen() == clock.now()


def test_an_in_place_edit_of_nested_form_data_counts_as_a_change() -> None:
    """The state is compared as text taken at load: a nested edit shares objects with the
    loaded row, so comparing live objects would call it unchanged and drop it."""
    from handlers.engine import LoadedState

    row = ConversationState(
        account_id=1, flow="invite", step="unit", data={"values": {"role": "x"}}, version=3
    )
    loaded = LoadedState(row)
    state = loaded.state()
    assert loaded.unchanged(state)
    state.data["values"]["note"] = "แก้ในที่"
    assert not loaded.unchanged(state)
