"""Posting (ปิดประกาศ) and taking down (ปลดประกาศ) an edition in force, as the plan officer."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from bot.runtime import Runtime
from handlers.messages import Incoming
from models.enums import Channel
from tests.chat import RecordingDriver
from tests.flows import dates_of
from tests.test_executive import audit_rows, edition, in_force_edition


async def test_posting_with_two_places_and_a_photo(chat: Any, demo: Runtime) -> None:
    if not isinstance(chat, RecordingDriver):
        pytest.skip("the console types text only: it cannot send a photo")
    edition_id = await in_force_edition(demo, announced_on=date(2025, 10, 1))
    demo.clock.advance(timedelta(days=1))  # type: ignore[attr-defined]
    out = await chat.say("officer", "บันทึกการปิดประกาศ")
    assert "ขั้นที่ 1/3 วันที่ปิดประกาศ" in out
    assert "ประกาศใช้ 1 ต.ค. 2568 · ⏰ ต้องปิดประกาศภายใน 16 ต.ค. 2568 (อีก 14 วัน)" in out
    out = await chat.press("officer", "วันนี้ 2 ต.ค. 2568")
    assert "ขั้นที่ 2/3 สถานที่ปิดประกาศ" in out
    assert chat.buttons("officer")[:3] == ["บอร์ดประชาสัมพันธ์ที่ทำการ", "เว็บไซต์", "อื่น ๆ"]
    out = await chat.press("officer", "บอร์ดประชาสัมพันธ์ที่ทำการ")
    assert "สถานที่ปิดประกาศ (ที่ 2)" in out
    assert chat.buttons("officer")[:3] == ["เว็บไซต์", "อื่น ๆ", "เสร็จแล้ว"]  # one board
    out = await chat.press("officer", "เว็บไซต์")
    assert "ที่อยู่เว็บไซต์" in out
    out = await chat.say("officer", "ประกาศที่เว็บ")
    assert "ยังอ่านที่อยู่เว็บไซต์ไม่ได้" in out and "https://" in out
    out = await chat.say("officer", "www.nongwaeng.go.th/plan2569")
    assert "สถานที่ปิดประกาศ (ที่ 3)" in out
    out = await chat.press("officer", "เสร็จแล้ว")
    assert "รูปถ่ายประกาศ" in out and "ข้าม" in chat.buttons("officer")
    out = await chat.say("officer", "ถ่ายไว้แล้ว")
    assert "ขั้นนี้ต้องการรูปภาพ" in out
    out = await chat.send(
        Incoming(
            Channel.CONSOLE,
            "officer",
            attachment="line-image-5501",
            attachment_kind="image",
            event_id="photo-1",
        )
    )
    assert "✅ ได้รับรูปภาพแล้ว" in out
    assert "ตรวจสอบก่อนบันทึกการปิดประกาศ" in out
    assert "สถานที่ปิดประกาศ: บอร์ดประชาสัมพันธ์ที่ทำการ" in out
    assert "สถานที่ปิดประกาศ (ที่ 2): เว็บไซต์ https://www.nongwaeng.go.th/plan2569" in out
    assert "เสร็จแล้ว" not in out  # a steering answer is not a row
    out = await chat.press("officer", "บันทึกการปิดประกาศ")
    assert "✅ บันทึกการปิดประกาศแล้ว" in out
    assert "ปิดประกาศ 2 ต.ค. 2568 ที่ บอร์ดประชาสัมพันธ์ที่ทำการ · เว็บไซต์ https://" in out
    assert "📌 ปลดประกาศได้ตั้งแต่ 2 พ.ย. 2568 (ต้องปิดประกาศไว้อย่างน้อย 30 วัน)" in out
    assert "เกินกำหนด" not in out

    stored = await edition(demo, edition_id)
    removal = (await dates_of(demo, edition_id)).earliest_removal
    assert (stored.posted_on, removal) == (date(2025, 10, 2), date(2025, 11, 2))
    assert stored.posted_places == [
        {"kind": "board", "text": "บอร์ดประชาสัมพันธ์ที่ทำการ"},
        {"kind": "web", "text": "https://www.nongwaeng.go.th/plan2569"},
    ]
    assert stored.posting_photo == "line-image-5501"
    [row] = await audit_rows(demo, "plan.post")
    assert row.role == "plan_officer" and row.after is not None
    assert row.after["posted_on"] == "2025-10-02" and row.after["late"] is False
    out = await chat.say("officer", "สถานะ")
    assert "ปิดประกาศ 2 ต.ค. 2568 · ปลดประกาศได้ตั้งแต่ 2 พ.ย. 2568" in out
    assert "ไม่มีแผนที่ประกาศใช้แล้วและรอบันทึกการปิดประกาศ" in await chat.say("officer", "/posted")


async def test_posting_late_is_recorded_and_flagged(chat: Any, demo: Runtime) -> None:
    edition_id = await in_force_edition(demo, announced_on=date(2025, 10, 1))
    out = await chat.say("officer", "สถานะ")
    assert "⏰ ต้องปิดประกาศภายใน 16 ต.ค. 2568 (อีก 15 วัน)" in out
    demo.clock.advance(timedelta(days=21))  # type: ignore[attr-defined] — Wed 22 Oct
    await chat.say("officer", "/posted")
    out = await chat.say("officer", "30 ก.ย. 68")
    assert "ต้องไม่ก่อนวันที่ประกาศใช้ (1 ต.ค. 2568)" in out
    out = await chat.say("officer", "20 ต.ค. 2568")
    assert "✅ 20 ต.ค. 2568 ⚠️ เกินกำหนด 15 วัน (ต้องปิดประกาศภายใน 16 ต.ค. 2568)" in out
    await chat.press("officer", "อื่น ๆ")
    await chat.say("officer", "ศาลาประชาคม หมู่ที่ 5")
    await chat.press("officer", "เสร็จแล้ว")
    out = await chat.press("officer", "ข้าม")
    assert "รูปถ่ายประกาศ: — (ไม่ระบุ)" in out
    out = await chat.say("officer", "บันทึกการปิดประกาศ")  # the label typed: confirms
    assert "ปิดประกาศ 20 ต.ค. 2568 ที่ ศาลาประชาคม หมู่ที่ 5" in out
    assert "⚠️ เกินกำหนด 15 วัน — ต้องปิดประกาศภายใน 16 ต.ค. 2568 (ช้าไป 4 วัน)" in out
    stored = await edition(demo, edition_id)
    assert stored.posted_on == date(2025, 10, 20) and stored.posting_photo is None
    [row] = await audit_rows(demo, "plan.post")
    assert row.after is not None and row.after["late"] is True


async def test_removal_refused_on_day_29_and_recorded_on_day_31(chat: Any, demo: Runtime) -> None:
    edition_id = await in_force_edition(demo, posted_on=date(2025, 10, 2))
    assert "ไม่มีแผนที่ปิดประกาศอยู่" not in await chat.say("officer", "สถานะ")
    demo.clock.advance(timedelta(days=30))  # type: ignore[attr-defined] — 31 Oct: day 29
    out = await chat.say("officer", "บันทึกการปลดประกาศ")
    assert "ยังปลดประกาศไม่ได้ — ต้องปิดประกาศไว้อย่างน้อย 30 วัน ปลดได้ตั้งแต่ 2 พ.ย. 2568 (อีก 2 วัน)" in out
    assert "ขั้นที่" not in out and (await edition(demo, edition_id)).removed_on is None

    demo.clock.advance(timedelta(days=2))  # type: ignore[attr-defined] — 2 Nov: day 31
    out = await chat.say("officer", "/removed")
    assert "ขั้นที่ 1/1 วันที่ปลดประกาศ" in out and "ปลดได้ตั้งแต่ 2 พ.ย. 2568" in out
    out = await chat.say("officer", "1 พ.ย. 68")
    assert "ยังปลดประกาศไม่ได้" in out and "ปลดได้ตั้งแต่ 2 พ.ย. 2568" in out
    out = await chat.press("officer", "วันนี้ 2 พ.ย. 2568")
    assert "ตรวจสอบก่อนบันทึกการปลดประกาศ" in out
    out = await chat.press("officer", "บันทึกการปลดประกาศ")
    assert "✅ บันทึกการปลดประกาศแล้ว" in out and "2 ต.ค. 2568 – 2 พ.ย. 2568 (รวม 31 วัน)" in out
    assert (await edition(demo, edition_id)).removed_on == date(2025, 11, 2)
    [row] = await audit_rows(demo, "plan.remove")
    assert (row.before, row.after) == ({"removed_on": None}, {"removed_on": "2025-11-02"})
    assert "ปลดประกาศ 2 พ.ย. 2568" in await chat.say("officer", "สถานะ")
    assert "ไม่มีแผนที่ปิดประกาศอยู่" in await chat.say("officer", "/removed")


async def test_only_the_plan_officer_records_posting(chat: Any, demo: Runtime) -> None:
    await in_force_edition(demo)
    assert "⛔" in await chat.say("mayor", "/posted")
    assert "⛔" in await chat.say("s1", "/removed")
    assert len(await audit_rows(demo, "denied:plan.post")) == 2
