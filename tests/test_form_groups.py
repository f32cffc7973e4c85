"""Repeating groups in forms: a list of items asked one at a time, "add another", a maximum,
back and edit as for any question, and the items handed to the confirm as a list."""

from __future__ import annotations

from typing import Any

import pytest

from bot.runtime import Runtime
from handlers import forms, router
from handlers.context import Turn
from handlers.forms import Choice, Field, Form, FormData, Group, ItemData
from handlers.messages import Outgoing, Text
from models.thaitext import ParseError
from tests.chat import RecordingDriver

SAVED: list[list[dict[str, Any]]] = []


def _name_prompt(data: ItemData) -> str:
    return f"ชื่อคนที่ {data.n}" + (f" (ก่อนหน้า {len(data.earlier)} คน)" if data.earlier else "")


GUESTS = Group(
    "guest",
    fields=(
        Field("name", "ชื่อ", _name_prompt, parse=lambda text, _data: text.strip()),
        Field(
            "meal",
            "อาหาร",
            "อาหาร",
            parse=lambda _text, _data: ParseError("กรุณากดปุ่ม"),
            choices=lambda _data: [Choice("ปกติ", "normal"), Choice("มังสวิรัติ", "veg")],
            depends_on=("name",),
        ),
    ),
    max_items=3,
    done_label="เสร็จแล้ว",
    more_prompt="มีแขกอีกหรือไม่",
    more_label="เพิ่มแขก",
    add_label="เพิ่มอีกคน",
    item_label="{label} (คนที่ {n})",
)
ROOMS = Group(  # "done" offered on the next item's first question, no separate question
    "room",
    fields=(
        Field(
            "kind",
            "ห้อง",
            "ห้องใด",
            parse=lambda _text, _data: ParseError("กรุณากดปุ่ม"),
            choices=lambda data: [
                Choice(k, k)
                for k in ("ใหญ่", "เล็ก")
                if k not in {e.get("kind") for e in data.earlier}  # type: ignore[attr-defined]
            ],
        ),
    ),
    max_items=2,
    done_label="พอแล้ว",
)


async def _confirm(_turn: Turn, data: FormData) -> list[Outgoing]:
    SAVED.append(GUESTS.items(data) + ROOMS.items(data))
    return [Text("บันทึกแล้ว")]


PARTY = forms.register(
    Form(
        name="test_party",
        title="งานเลี้ยง",
        fields=(*GUESTS.expand(), *ROOMS.expand()),
        header=lambda _data: "🎉 งานเลี้ยง",
        summary_title="สรุป",
        confirm_label="บันทึก",
        on_confirm=_confirm,
    )
)


@pytest.fixture
def party(demo: Runtime, monkeypatch: pytest.MonkeyPatch) -> RecordingDriver:
    async def start(turn: Turn, _args: str) -> list[Outgoing]:
        return await forms.start(turn, PARTY, {})

    monkeypatch.setitem(router.HANDLERS, "budget", start)  # "/budget" starts the test form
    SAVED.clear()
    return RecordingDriver(demo)


async def test_items_are_asked_until_done_and_confirmed_as_a_list(party: RecordingDriver) -> None:
    out = await party.say("officer", "/budget")
    assert "ขั้นที่ 1/4 ชื่อ\nชื่อคนที่ 1" in out
    await party.say("officer", "สมชาย")
    await party.press("officer", "ปกติ")
    out = await party.press("officer", "เพิ่มอีกคน")
    assert "ชื่อ (คนที่ 2)" in out and "ชื่อคนที่ 2 (ก่อนหน้า 1 คน)" in out
    await party.say("officer", "สมหญิง")
    await party.press("officer", "มังสวิรัติ")
    out = await party.press("officer", "เสร็จแล้ว")
    assert "ห้องใด" in out and party.buttons("officer")[:2] == ["ใหญ่", "เล็ก"]
    out = await party.press("officer", "ใหญ่")
    assert party.buttons("officer")[:2] == ["เล็ก", "พอแล้ว"]  # taken rooms drop out
    out = await party.press("officer", "พอแล้ว")
    assert "สรุป" in out and "สมหญิง" in out and "พอแล้ว" not in out
    out = await party.press("officer", "บันทึก")
    assert out == "บันทึกแล้ว"
    assert SAVED == [
        [
            {"name": "สมชาย", "meal": "normal"},
            {"name": "สมหญิง", "meal": "veg"},
            {"kind": "ใหญ่"},
        ]
    ]


async def test_the_maximum_ends_the_group_without_asking(party: RecordingDriver) -> None:
    await party.say("officer", "/budget")
    for n, name in enumerate(("ก", "ข", "ค"), start=1):
        await party.say("officer", name)
        out = await party.press("officer", "ปกติ")
        if n < 3:
            out = await party.press("officer", "เพิ่มอีกคน")
    assert "มีแขกอีกหรือไม่" not in out and "ห้องใด" in out  # three is the most


async def test_back_and_edit_work_inside_a_group(party: RecordingDriver) -> None:
    await party.say("officer", "/budget")
    await party.say("officer", "สมชาย")
    out = await party.press("officer", "ย้อนกลับ")
    assert "ชื่อคนที่ 1" in out
    await party.say("officer", "สมศักดิ์")
    await party.press("officer", "ปกติ")
    await party.press("officer", "เสร็จแล้ว")
    await party.press("officer", "ใหญ่")
    await party.press("officer", "พอแล้ว")
    await party.press("officer", "แก้ไข")
    assert "ชื่อ" in party.buttons("officer")
    await party.press("officer", "ชื่อ")
    out = await party.say("officer", "สมปอง")
    assert "อาหาร" in out  # the meal depended on the name: asked again
    out = await party.press("officer", "มังสวิรัติ")
    assert "สรุป" in out and "สมปอง" in out
    await party.press("officer", "บันทึก")
    assert SAVED[0][0]["name"] == "สมปอง" and SAVED[0][0]["meal"] == "veg"


async def test_a_typed_word_instead_of_the_more_buttons_says_which_to_press(
    party: RecordingDriver,
) -> None:
    await party.say("officer", "/budget")
    await party.say("officer", "สมชาย")
    await party.press("officer", "ปกติ")
    out = await party.say("officer", "ไม่รู้")
    assert out.startswith("กรุณากดปุ่ม เพิ่มอีกคน หรือ เสร็จแล้ว")
