"""The console channel: speakers, numbered buttons, scripts, notices, and the CLI around it."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from bot.channels.console import ConsoleChat
from bot.cli import app
from bot.runtime import Runtime
from handlers import buttons
from handlers.messages import Button, Choices, Incoming, Outgoing, Text, to_payload
from models import db, outbox
from models.enums import OutboxStatus
from models.org import ChannelAccount
from models.records import OutboundMessage

runner = CliRunner()


class Spy:
    """What the console handed the engine, turn by turn."""

    def __init__(self, console: ConsoleChat) -> None:
        self.seen: list[Incoming] = []
        handle = console.engine.handle

        async def recording(incoming: Incoming) -> list[Outgoing]:
            self.seen.append(incoming)
            return await handle(incoming)

        console.engine.handle = recording  # type: ignore[method-assign]


@pytest.fixture
def console(demo: Runtime) -> ConsoleChat:
    return ConsoleChat(demo, out=io.StringIO())


def output_of(console: ConsoleChat) -> str:
    out = console._out
    assert isinstance(out, io.StringIO)
    return out.getvalue()


async def queue_notice(rt: Runtime, who: str, key: str, messages: list[Outgoing]) -> None:
    async with db.transaction(rt.sessions) as session:
        account = (
            await session.exec(select(ChannelAccount).where(ChannelAccount.external_id == who))
        ).one()
        assert account.id is not None
        await outbox.enqueue(session, rt.clock, account.id, to_payload(messages), key)


STATUS_BUTTON = Button("สถานะ", buttons.action_button("cmd", 0, "สถานะ"))
NOTICE: list[Outgoing] = [
    Text("📌 มีโครงการรอการตรวจ 3 โครงการ"),
    Choices("ดูความคืบหน้าของรอบ", (STATUS_BUTTON,)),
]


async def test_speaker_switching(console: ConsoleChat) -> None:
    assert console.prompt == "officer> "
    switched = await console.feed("@s1")
    assert "🗣" in switched and "@s1 — นายธนพล รักษ์ดี" in switched
    assert "· คณะกรรมการสนับสนุนฯ (ประธาน) อบต.หนองแวง" in switched
    assert console.speaker == "s1" and console.prompt == "s1> "
    assert "บอท → s1:" in await console.feed("ช่วยเหลือ")
    out = await console.feed("@agency ช่วยเหลือ")  # speaks as agency, who stays the speaker
    assert "บอท → agency:" in out and "เสนอโครงการ" in out and "เปิดรอบ" not in out
    assert console.speaker == "agency"
    assert "บอท → officer:" in await console.feed("@OFFICER ช่วยเหลือ")  # names ignore case
    assert "เปิดรอบ" in output_of(console)  # what was printed is what was returned


async def test_numbers_press_buttons_only_when_shown_and_in_range(console: ConsoleChat) -> None:
    spy = Spy(console)
    await console.feed("ช่วยเหลือ")
    shown = console.shown["officer"]
    assert [b.label for b in shown] == ["เสนอโครงการ", "โครงการของฉัน", "สถานะ"]
    assert "[1] เสนอโครงการ  [2] โครงการของฉัน  [3] สถานะ" in output_of(console)

    pressed = await console.feed("3")
    assert "↳ กด [3] สถานะ" in pressed
    assert (spy.seen[-1].button_data, spy.seen[-1].text) == (shown[2].data, None)

    await console.feed("ช่วยเหลือ")
    await console.feed("๑")  # Thai digits press too
    assert spy.seen[-1].button_data == shown[0].data

    await console.feed("ช่วยเหลือ")
    out = await console.feed("4")  # no 4th button: a typed answer, like "150000"
    assert "↳" not in out and (spy.seen[-1].text, spy.seen[-1].button_data) == ("4", None)

    await console.feed("ช่วยเหลือ")
    await console.feed('"1"')  # quoted: typed, even with a button 1 on screen
    assert (spy.seen[-1].text, spy.seen[-1].button_data) == ("1", None)

    await console.feed("@nobody สวัสดี")  # the join text has no buttons
    await console.feed("1")
    assert (spy.seen[-1].account_id, spy.seen[-1].text) == ("nobody", "1")
    await console.feed("@officer 0")  # nothing is button 0
    assert spy.seen[-1].text == "0"
    assert len({i.event_id for i in spy.seen}) == len(spy.seen)  # every turn its own event


async def test_buttons_are_per_speaker(console: ConsoleChat) -> None:
    spy = Spy(console)
    await console.feed("@agency ช่วยเหลือ")
    agency_sees = console.shown["agency"]
    await console.feed("@officer 150000")  # officer has seen no buttons: text
    assert spy.seen[-1].text == "150000"
    await console.feed("@agency 2")
    assert spy.seen[-1].button_data == agency_sees[1].data


async def test_comments_and_blank_lines_are_ignored(console: ConsoleChat) -> None:
    spy = Spy(console)
    for line in ("", "   ", "\n", "# สคริปต์ทดลอง", "   # indented comment", "\t\r\n"):
        assert await console.feed(line, echo=True) == ""
    assert spy.seen == [] and output_of(console) == ""
    await console.feed('"#1"')  # quoted: sent as it is
    assert spy.seen[-1].text == "#1"


async def test_a_stranger_gets_join_instructions(console: ConsoleChat) -> None:
    assert "ยังไม่ได้เข้าร่วมองค์กร" in await console.feed("@nobody")
    out = await console.feed("@nobody สวัสดีครับ")
    assert "บอท → nobody:" in out and "เข้าร่วม" in out and "รหัสเชิญ" in out
    assert "ยังไม่ได้เข้าร่วมองค์กร" in await console.feed("@nobody")  # an account, no person


async def test_garbage_never_crashes(console: ConsoleChat) -> None:
    garbage = [
        "x" * 100_000,
        "ก" * 20_000 + "\n" + "ข" * 20_000,
        "\x00\x01\x02 \x1b[31mred\x1b[0m",
        "@",
        "@@@",
        "@ สวัสดี",
        "@" + "a" * 500 + " hi",
        "@nobody\x00 hi",
        "🙂" * 1000,
        "-1",
        "99999999999999999999999999999",
        '"',
        '""',
        '"   "',
        "\ud800 lone surrogate",
        "/start",
        "/",
        "@ghost ✨",
    ]
    for line in garbage:
        out = await console.feed(line)
        assert isinstance(out, str) and "คอนโซลขัดข้อง" not in out, line[:40]
    assert "ชื่อผู้พูด" in await console.feed("@@@")  # told why, not switched
    out = await console.feed("@officer ช่วยเหลือ")
    assert "บอท → officer:" in out and "เปิดรอบ" in out  # still talking


async def test_notices_print_to_their_recipient_and_their_buttons_press(
    console: ConsoleChat, demo: Runtime
) -> None:
    await queue_notice(demo, "s1", "screening:1:s1", NOTICE)
    out = await console.feed("ช่วยเหลือ")
    assert out.index("บอท → officer:") < out.index("📨 ถึง @s1:")
    assert "📌 มีโครงการรอการตรวจ 3 โครงการ" in out and "[1] สถานะ" in out
    async with demo.sessions() as session:
        (row,) = (await session.exec(select(OutboundMessage))).all()
    assert row.status == OutboxStatus.SENT
    assert "📨" not in await console.feed("ช่วยเหลือ")  # sent once

    spy = Spy(console)
    await console.feed("@s1")
    pressed = await console.feed("1")
    assert "↳ กด [1] สถานะ" in pressed and "บอท → s1:" in pressed
    assert (spy.seen[-1].account_id, spy.seen[-1].button_data) == ("s1", STATUS_BUTTON.data)


async def test_notices_wait_for_an_inactive_account(console: ConsoleChat, demo: Runtime) -> None:
    await queue_notice(demo, "c1", "vote:1:c1", NOTICE)
    async with db.transaction(demo.sessions) as session:
        c1 = (
            await session.exec(select(ChannelAccount).where(ChannelAccount.external_id == "c1"))
        ).one()
        c1.active = False
    assert "📨" not in await console.feed("ช่วยเหลือ")
    out = await console.feed("@c1 ช่วยเหลือ")  # writing again makes the account active
    assert "บอท → c1:" in out and "📨 ถึง @c1:" in out


async def test_run_script_mode_echoes_and_stops_at_exit(console: ConsoleChat) -> None:
    await console.run(["@agency ช่วยเหลือ\n", "# ข้าม\n", "1\n", "exit\n", "@mayor ช่วยเหลือ\n"])
    out = output_of(console)
    assert out.startswith("officer> @agency ช่วยเหลือ\nบอท → agency:\n")
    assert "agency> 1\n  ↳ กด [1] เสนอโครงการ\nบอท → agency:" in out
    assert "# ข้าม" not in out and "agency> exit" in out
    assert "mayor" not in out and "💬" not in out  # stopped; no welcome in a script


async def test_run_interactive_welcomes_and_reads_async_lines(console: ConsoleChat) -> None:
    async def typed() -> AsyncIterator[str]:
        for line in ("@c2", "ออก", "never read"):
            yield line

    await console.run(typed(), interactive=True)
    out = output_of(console)
    assert out.startswith("💬 planbot")
    assert "กำลังพูดในนาม @officer — นางสาวพิมพ์ชนก ใจดี" in out and "@ชื่อ" in out
    assert "นางมาลี ทองดี" in out and "never read" not in out
    assert out.rstrip().endswith("👋 จบการสนทนา")


async def test_run_shows_notices_already_due(console: ConsoleChat, demo: Runtime) -> None:
    await queue_notice(demo, "s2", "screening:1:s2", NOTICE)
    await console.run([])
    assert "📨 ถึง @s2:" in output_of(console)
    assert [b.label for b in console.shown["s2"]] == ["สถานะ"]


async def test_console_is_a_channel(console: ConsoleChat) -> None:
    await console.send("s3", NOTICE)
    await console.reply(Incoming(console.name, "s3", text="x"), [Text("สวัสดี")])
    out = output_of(console)
    assert "📨 ถึง @s3:\n  📌 มีโครงการรอการตรวจ 3 โครงการ" in out
    assert "บอท → s3:\n  สวัสดี" in out
    assert console.shown["s3"] == []  # the reply, shown last, had no buttons


async def test_help_buttons_over_every_driver(chat: object) -> None:
    out = await chat.say("agency", "ช่วยเหลือ")  # type: ignore[attr-defined]
    assert "📋 planbot — แผนการดำเนินงาน — อบต.หนองแวง" in out
    assert chat.buttons("agency") == ["เสนอโครงการ", "โครงการของฉัน", "สถานะ"]  # type: ignore[attr-defined]
    out = await chat.press("agency", "สถานะ")  # type: ignore[attr-defined]
    assert out
    with pytest.raises(AssertionError):
        await chat.press("agency", "ไม่มีปุ่มนี้")  # type: ignore[attr-defined]
    out = await chat.say("nobody", "1")  # type: ignore[attr-defined]
    assert "รหัสเชิญ" in out


# -- the CLI: planbot demo and planbot chat, with piped input --------------------------------


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # keep stray databases out of the checkout
    return tmp_path


def test_demo_with_piped_input_prints_a_transcript(database_url: str, here: Path) -> None:
    script = "@agency ช่วยเหลือ\n# กดปุ่มแรก\n1\n@nobody สวัสดี\n"
    result = runner.invoke(app, ["demo", "--database", database_url], input=script)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "ผู้ใช้สาธิต (@ชื่อ ในแชทคอนโซล):" in out  # the summary comes first
    assert "officer> @agency ช่วยเหลือ\nบอท → agency:\n  📋 planbot" in out
    assert "• เสนอโครงการ (/submit)" in out and "[1] เสนอโครงการ" in out
    assert "agency> 1\n  ↳ กด [1] เสนอโครงการ" in out
    assert "บอท → nobody:" in out and "รหัสเชิญ" in out
    assert "💬" not in out  # no welcome: not a terminal


def test_demo_json_starts_no_chat(database_url: str, here: Path) -> None:
    result = runner.invoke(
        app, ["demo", "--database", database_url, "--json"], input="@agency ช่วยเหลือ\n"
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["organization"]["full_name"].endswith("หนองแวง")


def test_chat_command_speaks_as_whom_it_is_told(database_url: str, here: Path) -> None:
    assert runner.invoke(app, ["demo", "--database", database_url, "--json"]).exit_code == 0
    result = runner.invoke(
        app, ["chat", "--database", database_url, "--as", "s1"], input="ช่วยเหลือ\n"
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("s1> ช่วยเหลือ\nบอท → s1:\n")
    fresh = runner.invoke(app, ["chat"], input="สวัสดี\n", env={"PLANBOT_DATABASE_URL": database_url})
    assert fresh.exit_code == 0 and "officer> สวัสดี" in fresh.output
    assert runner.invoke(app, ["chat", "--as", "two words"]).exit_code == 2


def test_the_readme_example_script_plays_through(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """examples/round-and-submission.txt, as the README tells people to run it."""
    from typer.testing import CliRunner

    from bot.cli import app

    monkeypatch.chdir(tmp_path)
    script = (Path(__file__).parent.parent / "examples" / "round-and-submission.txt").read_text()
    result = CliRunner().invoke(
        app, ["demo", "--database", f"sqlite+aiosqlite:///{tmp_path}/d.db"], input=script
    )
    assert result.exit_code == 0, result.output
    assert "✅ เปิดรอบแล้ว" in result.output
    assert "✅ 1,500,000 บาท (หนึ่งล้านห้าแสนบาทถ้วน)" in result.output
    assert "✅ ส่งแล้ว เลขที่" in result.output and "📨 ถึง @s1" in result.output
    assert "รอตรวจ 1" in result.output
    assert "ขออภัย" not in result.output


def test_the_demo_clock_moves_and_reminders_arrive_on_their_days(here: Path) -> None:
    """examples/reminders.txt: @clock runs each day's reminder pass on the way."""
    script = (Path(__file__).parent.parent / "examples" / "reminders.txt").read_text()
    result = runner.invoke(
        app,
        ["demo", "--database", f"sqlite+aiosqlite:///{here}/d.db", "--at", "2568-10-02 08:00"],
        input=script,
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert "✅ เปิดรอบแล้ว" in out and "รับข้อเสนอโครงการถึง 22 ต.ค. 2568" in out
    assert "🕗 วันศุกร์ที่ 17 ตุลาคม 2568 08:30 น. — การแจ้งเตือนประจำวัน: 6 รายการ" in out
    friday = out.index("🕗 วันศุกร์ที่ 31 ตุลาคม 2568 08:30 น.")
    assert "📨 ถึง @officer:\n  ⏰ วันทำการสุดท้าย" in out[friday:]
    assert "ครบกำหนดวันเสาร์ที่ 1 พ.ย. 2568 — เป็นวันหยุด" in out[friday:]
    monday = out.index("🕗 วันจันทร์ที่ 3 พฤศจิกายน 2568 08:30 น.")
    assert "📨 ถึง @mayor:\n  ⚠️ เลยกำหนด 2 วัน" in out[monday:]
    assert "[1] ขยายเวลา" in out[monday:]
    assert out.count("ครบกำหนดวันนี้") == 0  # no reminder on the day off itself
    assert "🕐 เวลาของระบบสาธิต: วันจันทร์ที่ 3 พฤศจิกายน 2568 09:00 น." in out
    assert "ขออภัย" not in out
