"""What people type is used or answered with why not (issue 11, items 3–6 and 12): typed text
at a summary, button labels typed by hand, meaningless answers, village echoes, unknown
commands — through the chat drivers, as a newcomer types them."""

from __future__ import annotations

from typing import Any

from bot.runtime import Runtime
from tests.flows import Press, add_projects, open_fy_round, step, submit
from tests.test_submit import projects


async def test_text_typed_at_a_summary_is_never_dropped(chat: Any, demo: Runtime) -> None:
    """Item 3: at the round-opening summary, typed text is answered (not silently kept),
    a field's name opens it, and a number outside the buttons is said to be one."""
    await chat.say("officer", "/budget")
    await chat.press("officer", "พ.ศ. 2569")
    await chat.press("officer", "ข้อบัญญัติงบประมาณรายจ่ายประจำปี")
    out = await chat.say("officer", "วันนี้")
    assert "ตรวจสอบก่อนเปิดรอบ" in out
    out = await chat.say("officer", "ขอแก้เป็นเมื่อวาน")
    assert out.startswith("ข้อความที่พิมพ์ยังไม่ได้บันทึก — ขั้นนี้เป็นการตรวจสอบ: กด เปิดรอบ เพื่อบันทึก")
    assert "ตรวจสอบก่อนเปิดรอบ" in out  # and the summary again
    out = await chat.say("officer", "วันที่")  # a field's name: that question
    assert "ขั้นที่ 3/3 วันที่" in out
    out = await chat.say("officer", "เมื่อวาน")
    assert "ตรวจสอบก่อนเปิดรอบ" in out and "30 กันยายน 2568" in out
    out = await chat.say("officer", "5")  # three buttons on screen: 5 is none of them
    assert "ยังไม่ได้บันทึก" in out


async def test_a_better_reason_typed_at_the_summary_replaces_the_first(
    chat: Any, demo: Runtime
) -> None:
    """Item 3: at "ตรวจสอบก่อนส่งกลับ", the real reason typed after a bad one is used."""
    edition = await open_fy_round(demo)
    await add_projects(demo, edition, [100_000])
    await chat.say("s1", "ตรวจโครงการ")
    await chat.press("s1", "ส่งกลับแก้ไข #1")
    await chat.say("s1", "ราคาสูง")
    out = await chat.say("s1", "ราคาสูงกว่าราคากลาง กรุณาแนบใบเสนอราคา 3 ราย")
    assert "✅ เปลี่ยนเหตุผลที่ส่งกลับเป็นข้อความที่พิมพ์ล่าสุดแล้ว" in out
    assert "ราคาสูงกว่าราคากลาง กรุณาแนบใบเสนอราคา 3 ราย" in out
    out = await chat.press("s1", "ยืนยันส่งกลับ")
    assert "เหตุผล: ราคาสูงกว่าราคากลาง กรุณาแนบใบเสนอราคา 3 ราย" in out
    [project] = await projects(demo)
    assert project.status_reason == "ราคาสูงกว่าราคากลาง กรุณาแนบใบเสนอราคา 3 ราย"


async def test_action_buttons_can_be_typed_by_their_labels(chat: Any, demo: Runtime) -> None:
    """Item 4: ยืนยันถอน, ดูที่รับเข้าแผนแล้ว and รับเข้าแผน 2569-003 typed work like presses."""
    await open_fy_round(demo)
    for title in ("ถนนสายหนึ่ง หมู่ที่ 1", "ถนนสายสอง หมู่ที่ 2", "ถนนสายสาม หมู่ที่ 3"):
        await submit(chat, "agency", title=title)
    await chat.say("agency", "โครงการของฉัน")
    out = await chat.say("agency", "ถอน 2569-002")  # the number as people write it
    assert "ถอนโครงการเลขที่ 2569-002" in out and "ใช่หรือไม่" in out
    out = await chat.say("agency", "ยืนยันถอน")  # the button's label, typed
    assert "✅ ถอนโครงการเลขที่ 2569-002 แล้ว" in out
    out = await chat.say("s1", "รับเข้าแผน 2569-003")
    assert "✅ รับโครงการเลขที่ 2569-003 เข้าแผนแล้ว" in out
    await chat.say("s1", "ตรวจโครงการ")  # the list, with its "see the accepted" button
    out = await chat.say("s1", "ดูที่รับเข้าแผนแล้ว")
    assert "โครงการที่รับเข้าแผนแล้ว 1 โครงการ" in out
    out = await chat.say("s1", "รับเข้าแผน 2570-001")  # another year's number: not this plan
    assert "ไม่พบโครงการ #1" in out


async def test_records_need_real_words(chat: Any, demo: Runtime) -> None:
    """Item 5: 😀😀😀 as a title, ok as a reason, 😀 as a comment are asked again."""
    edition = await open_fy_round(demo)
    await chat.say("agency", "เสนอโครงการ")
    out = await chat.say("agency", "😀😀😀")
    assert out.startswith("ยังไม่เข้าใจชื่อโครงการ “😀😀😀”") and "ขั้นที่ 1/10" in out
    await chat.say("agency", "ยกเลิก")
    await add_projects(demo, edition, [100_000])
    await chat.say("s1", "ตรวจโครงการ")
    await chat.press("s1", "ส่งกลับแก้ไข #1")
    out = await chat.say("s1", "ok")
    assert out.startswith("ยังไม่เข้าใจเหตุผลที่ส่งกลับ “ok”")


async def test_a_place_is_echoed_as_it_is_stored(chat: Any, demo: Runtime) -> None:
    """Item 6: หมู่ที่ 1-6 is echoed (and kept) as หมู่ที่ 1–6; Thai digits as stored."""
    await open_fy_round(demo)
    await chat.say("agency", "เสนอโครงการ")
    for answer in ("ซ่อมถนนทุกหมู่บ้าน", "1", "9", "ซ่อมผิวถนน", "500000"):
        await chat.say("agency", answer)
    out = await chat.say("agency", "หมู่ที่ 1-6")
    assert "✅ หมู่ที่ 1–6\n" in out
    await chat.say("agency", "ย้อนกลับ")
    out = await chat.say("agency", "ม. ๓ บ้านโนน")
    assert "✅ หมู่ที่ 3 บ้านโนน" in out
    for answer in (Press("อบต.หนองแวง"), Press("กองช่าง"), Press("ทั้งปี"), Press("ไม่ใช่")):
        out = await step(chat, "agency", answer)
    assert "สถานที่ดำเนินการ: หมู่ที่ 3 บ้านโนน" in out


async def test_unknown_commands_are_said_to_be_unknown(chat: Any, demo: Runtime) -> None:
    """Item 12: /unknowncmd says it was not understood, then lists what is."""
    out = await chat.say("agency", "/unknowncmd")
    assert out.startswith("ไม่รู้จักคำสั่ง /unknowncmd\n📋 planbot")
    await open_fy_round(demo)
    await chat.say("agency", "เสนอโครงการ")
    out = await chat.say("agency", "/nosuch")
    assert out.startswith("ไม่รู้จักคำสั่ง /nosuch\nขั้นที่ 1/10 ชื่อโครงการ")  # the form goes on


async def test_an_extension_stays_within_the_fiscal_year(chat: Any, demo: Runtime) -> None:
    """Item 7: an extension past 30 September of the plan's year is refused with the reason."""
    await open_fy_round(demo)
    await chat.say("mayor", "ขยายเวลา")
    out = await chat.say("mayor", "1 ต.ค. 2569")
    assert "ขยายเวลาได้ไม่เกินสิ้นปีงบประมาณ (30 ก.ย. 2569)" in out
    out = await chat.say("mayor", "30 ก.ย. 2569")
    assert "✅ 30 ก.ย. 2569" in out


async def test_the_development_committee_may_see_the_tally(chat: Any, demo: Runtime) -> None:
    """Item 12: the README says the committee may see the tally; now it may."""
    out = await chat.say("c1", "ผลการพิจารณา")
    assert "ยังไม่มีร่างที่เสนอคณะกรรมการพัฒนาฯ" in out
