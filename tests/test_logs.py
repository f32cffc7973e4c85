"""planbot's logs: one format (or JSON), the turn's event, channel and org on every line of it,
and never a message's text or a secret — checked on real turns through the LINE stand-in."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot import logs
from bot.runtime import Runtime
from bot.settings import Settings
from models import logcontext
from tests.flows import open_fy_round
from tests.line_harness import SECRET, LineChat, LineHarness

TITLE = "ซ่อมฝายน้ำล้นบ้านโคกลับเฉพาะ 7731"  # typed into a form: must reach no log
CHATTER = "เรื่องส่วนตัวของคนแปลกหน้า 8842"
LINK_SECRET = "link-secret-for-the-log-test"


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """The root logger as ``configure`` leaves it, restored afterwards."""
    root = logging.getLogger()
    saved = (root.level, list(root.handlers))
    quiet = {name: logging.getLogger(name).level for name in logs.QUIET}
    stream = io.StringIO()
    yield stream
    for handler in [h for h in root.handlers if h not in saved[1]]:
        root.removeHandler(handler)
    root.setLevel(saved[0])
    for name, level in quiet.items():
        logging.getLogger(name).setLevel(level)


async def test_a_chat_turn_logs_its_context_and_no_text_or_secret(
    demo: Runtime, line: LineHarness, captured: io.StringIO
) -> None:
    settings = line.settings.model_copy(
        update={
            "log_level": "DEBUG",
            "link_secret": Settings(_env_file=None, PLANBOT_LINK_SECRET=LINK_SECRET).link_secret,
        }
    )
    await open_fy_round(demo)
    logs.configure(settings, stream=captured)
    chat = LineChat(line)
    out = await chat.say("agency", "เสนอโครงการ")
    assert "ขั้นที่ 1/" in out
    await chat.say("agency", TITLE)
    await chat.say("stranger", CHATTER)
    logging.getLogger("handlers.engine").warning("a line written outside any turn")
    text = captured.getvalue()
    assert "channel=line org=1]" in text  # the agency's turn, its organization named
    assert "[event=- channel=- org=-] a line written outside any turn" in text
    for never in (TITLE, "7731", CHATTER, "8842", SECRET, line.stand_in.access_token, LINK_SECRET):
        assert never not in text, never
    lines = text.splitlines()
    assert all(
        " DEBUG " in ln or " INFO " in ln or " WARNING " in ln for ln in lines if ln[:4] == "20"
    )


def test_json_lines_carry_the_turn_and_hide_secrets_and_signed_links(
    captured: io.StringIO,
) -> None:
    settings = Settings(
        _env_file=None,
        PLANBOT_LOG_FORMAT="json",
        TELEGRAM_BOT_TOKEN="123456789:AAsecret-token-value",
        PLANBOT_DATABASE_URL="postgresql+asyncpg://planbot:db-password-1@db/planbot",
    )
    logs.configure(settings, stream=captured)
    log = logging.getLogger("bot.test")
    with logcontext.about(event="evt-1", channel="telegram"):
        logcontext.set_orgs([4, 2])
        log.info("GET https://api/bot123456789:AAsecret-token-value/getMe /d/eyJwIjoiYSJ9.c2ln")
        try:
            raise RuntimeError("connect to postgresql://planbot:db-password-1@db failed")
        except RuntimeError:
            log.exception("database down")
    first, second = (json.loads(ln) for ln in captured.getvalue().splitlines()[:2])
    assert (first["event"], first["channel"], first["org"]) == ("evt-1", "telegram", "4,2")
    assert first["levelname"] == "INFO" and first["name"] == "bot.test"
    assert first["message"] == "GET https://api/bot***/getMe /d/***"
    assert "db-password-1" not in captured.getvalue()
    assert "database down" in second["message"]
