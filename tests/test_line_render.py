"""Rendering for LINE, checked against LINE's own OpenAPI file (and the limits it documents)."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.channels.line import render
from handlers.messages import Button, Card, Choices, Document, Link, Outgoing, Text
from tests.standins.line_api import messaging_schemas

CTX = render.RenderContext(
    today=date(2025, 10, 1),
    link_for=lambda doc: f"https://planbot.example.go.th/d/token-for-{len(doc.path)}",
)
NO_LINKS = render.RenderContext(today=date(2025, 10, 1), link_for=lambda _doc: None)


def valid(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Fail unless LINE would accept ``messages`` as one reply."""
    messaging_schemas().check("ReplyMessageRequest", {"replyToken": "t", "messages": messages})
    return messages


def buttons(*labels: str) -> tuple[Button, ...]:
    return tuple(Button(label, f"1|f|1|{i}") for i, label in enumerate(labels))


def test_text_is_a_text_message() -> None:
    assert valid(render.render([Text("สวัสดี")], CTX)) == [{"type": "text", "text": "สวัสดี"}]


def test_text_over_5000_characters_is_split_at_a_line_break() -> None:
    long = "\n".join(f"{i:04d} " + "ก" * 90 for i in range(120))  # about 11,400 characters
    parts = valid(render.render([Text(long)], CTX))
    assert len(parts) == 3
    assert all(len(p["text"]) <= 5000 for p in parts)
    assert "\n".join(p["text"] for p in parts) == long


def test_a_question_gets_quick_reply_postback_buttons() -> None:
    [message] = valid(render.render([Choices("เลือกหน่วยงาน", buttons("กองช่าง", "ยกเลิก"))], CTX))
    items = message["quickReply"]["items"]
    assert [i["action"] for i in items] == [
        {"type": "postback", "label": "กองช่าง", "data": "1|f|1|0", "displayText": "กองช่าง"},
        {"type": "postback", "label": "ยกเลิก", "data": "1|f|1|1", "displayText": "ยกเลิก"},
    ]
    assert message["text"] == "เลือกหน่วยงาน"  # nothing cut: no list of options added


def test_long_labels_are_cut_and_kept_whole_in_the_text_and_display_text() -> None:
    label = "4 การบริหารจัดการทรัพยากรธรรมชาติและสิ่งแวดล้อม"
    [message] = valid(render.render([Choices("ยุทธศาสตร์", buttons(label))], CTX))
    action = message["quickReply"]["items"][0]["action"]
    assert len(action["label"]) == render.MAX_LABEL and action["label"].endswith("…")
    assert action["displayText"] == label
    assert f"• {label}" in message["text"]


def test_fourteen_buttons_become_a_carousel_of_even_pages() -> None:
    labels = [f"{n} แผนงานที่ {n}" for n in range(1, 13)] + ["ย้อนกลับ", "ยกเลิก"]
    question = Choices("ขั้นที่ 3/10 แผนงาน", buttons(*labels))
    text, carousel = valid(render.render([question], CTX))
    assert text == {"type": "text", "text": "ขั้นที่ 3/10 แผนงาน"}
    bubbles = carousel["contents"]["contents"]
    sizes = [sum(1 for c in b["body"]["contents"] if c["type"] == "button") for b in bubbles]
    assert sizes == [5, 5, 4]
    assert "ย้อนกลับ · ยกเลิก" in carousel["altText"]


def test_a_question_that_is_not_last_keeps_its_buttons_in_a_bubble() -> None:
    """LINE shows quick replies only under the last message of a batch."""
    first = Choices("ต้องการแก้ไขข้อใด", buttons("ชื่อ", "งบประมาณ"))
    bubble, after = valid(render.render([first, Text("หรือพิมพ์ ยกเลิก")], CTX))
    assert bubble["type"] == "flex" and "quickReply" not in bubble
    assert [b["action"]["label"] for b in bubble["contents"]["footer"]["contents"]] == [
        "ชื่อ",
        "งบประมาณ",
    ]
    assert after == {"type": "text", "text": "หรือพิมพ์ ยกเลิก"}


def test_a_date_question_offers_the_date_picker() -> None:
    question = Choices("วันที่ประกาศใช้ เช่น 1 ต.ค. 2568 หรือ วันนี้", buttons("ยกเลิก"))
    [message] = valid(render.render([question], CTX))
    picker = message["quickReply"]["items"][0]["action"]
    assert picker["type"] == "datetimepicker" and picker["data"] == render.DATE_PICK_DATA
    assert (picker["initial"], picker["min"], picker["max"]) == (
        "2025-10-01",
        "2024-09-30",
        "2026-10-02",
    )
    months = Choices("เดือนที่ดำเนินการ เช่น ม.ค.-มี.ค.", buttons("ทั้งปี"))
    [other] = render.render([months], CTX)
    assert all(i["action"]["type"] == "postback" for i in other["quickReply"]["items"])


def test_a_card_is_a_flex_bubble_with_postback_buttons_and_a_summary_alt_text() -> None:
    card = Card(
        "📋 ร่างแผนการดำเนินงาน ปีงบประมาณ พ.ศ. 2569 (ร่างที่ 1) — อบต.หนองแวง",
        (("โครงการ", "42 โครงการ"), ("งบประมาณรวม", "18,450,000 บาท")),
        (
            Button("เห็นชอบ", "1|x|vote|7|approve"),
            Button("ไม่เห็นชอบ", "1|x|vote|7|reject"),
            Button("ขอแก้ไข", "1|x|vote|7|request_changes"),
        ),
        footer="ขอความเห็นของท่านในฐานะกรรมการพัฒนาท้องถิ่น",
    )
    [message] = valid(render.render([card], CTX))
    assert message["altText"].startswith("📋 ร่างแผนการดำเนินงาน")
    assert "งบประมาณรวม: 18,450,000 บาท" in message["altText"]
    bubble = message["contents"]
    assert bubble["header"]["contents"][0]["text"] == card.title
    footer = bubble["footer"]["contents"]
    assert [(b["style"], b["action"]["type"], b["action"]["data"]) for b in footer] == [
        ("primary", "postback", "1|x|vote|7|approve"),
        ("secondary", "postback", "1|x|vote|7|reject"),
        ("secondary", "postback", "1|x|vote|7|request_changes"),
    ]


def test_a_document_is_a_button_that_opens_its_signed_link() -> None:
    doc = Document("/srv/planbot/docs/2569/ผด01.pdf", "ผด.01 ร่างที่ 1.pdf", "บัญชีสรุปโครงการ")
    [message] = valid(render.render([doc], CTX))
    [button] = message["contents"]["footer"]["contents"]
    assert button["action"]["type"] == "uri"
    assert button["action"]["uri"].startswith("https://planbot.example.go.th/d/")
    assert message["altText"] == "📎 ผด.01 ร่างที่ 1.pdf — บัญชีสรุปโครงการ"


def test_a_document_without_a_link_says_so_in_text() -> None:
    doc = Document("/tmp/x.pdf", "ผด.02.pdf")
    [message] = valid(render.render([doc], NO_LINKS))
    assert message["type"] == "text" and "ผด.02.pdf" in message["text"]


def test_a_link_is_a_uri_button_and_a_bad_url_is_plain_text() -> None:
    [good] = valid(render.render([Link("เปิดประกาศ", "https://example.go.th/a", "ประกาศ")], CTX))
    assert good["contents"]["footer"]["contents"][0]["action"]["uri"] == "https://example.go.th/a"
    [bad] = valid(render.render([Link("เปิด", "ftp://example/x")], CTX))
    assert bad["type"] == "text" and "ftp://example/x" in bad["text"]


def test_more_than_five_parts_are_merged_to_fit_one_reply() -> None:
    parts: list[Outgoing] = [Text(f"ข้อความที่ {i}") for i in range(7)]
    parts.append(Choices("ต่อไปทำอะไร", buttons("สถานะ")))
    batch, rest = render.fit(parts, CTX)
    assert rest == []
    assert len(valid(batch)) <= render.MAX_MESSAGES
    assert "ข้อความที่ 0" in batch[0]["text"]
    assert batch[-1]["quickReply"]["items"][0]["action"]["label"] == "สถานะ"


def test_what_cannot_be_merged_is_left_for_a_push() -> None:
    cards: list[Outgoing] = [Card(f"โครงการ {i}", (("งบ", "1 บาท"),)) for i in range(7)]
    batch, rest = render.fit(cards, CTX)
    assert len(valid(batch)) == 5 and rest == cards[5:]
    assert [len(valid(b)) for b in render.batches(cards, CTX)] == [5, 2]


# -- whatever the handlers produce, LINE accepts it ------------------------------------------

_label = st.text(min_size=1, max_size=60).filter(lambda s: s.strip())
_text = st.text(min_size=0, max_size=6000)
_button = st.builds(Button, _label, st.from_regex(r"1\|x\|[a-z]{1,8}\|[0-9]{1,6}", fullmatch=True))
_outgoing = st.one_of(
    st.builds(Text, _text),
    st.builds(Choices, _text, st.lists(_button, max_size=30).map(tuple)),
    st.builds(
        Card,
        _label,
        st.lists(st.tuples(_label, _text.map(lambda t: t[:300])), max_size=12).map(tuple),
        st.lists(_button, max_size=4).map(tuple),
        st.none() | _text.map(lambda t: t[:300]),
    ),
    st.builds(Document, st.just("/d/x.pdf"), _label, st.none() | _label),
    st.builds(Link, _label, st.sampled_from(["https://a.go.th/x", "nonsense"]), st.none() | _label),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_outgoing, min_size=1, max_size=9))
def test_any_reply_renders_to_batches_line_accepts(messages: list[Outgoing]) -> None:
    batches = render.batches(messages, CTX)
    assert batches
    for batch in batches:
        assert 1 <= len(batch) <= render.MAX_MESSAGES
        valid(batch)
        assert all("quickReply" not in m for m in batch[:-1])
