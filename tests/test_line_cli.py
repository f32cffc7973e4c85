"""``planbot line quota`` and ``planbot line setup-richmenu`` against the stand-in LINE API."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from bot.channels.line import richmenu
from bot.cli import app
from bot.runtime import Runtime
from bot.settings import Settings
from models import db
from models.clock import SystemClock
from models.enums import Channel
from models.records import PushUsage
from tests.standins.line_api import LineApiStandIn, messaging_schemas, rich_menu_problems

runner = CliRunner()


@pytest.fixture
def line_env(
    tmp_path: Path, line_api: LineApiStandIn, monkeypatch: pytest.MonkeyPatch
) -> LineApiStandIn:
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name, value in {
        "PLANBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/cli.db",
        "LINE_CHANNEL_SECRET": "s",
        "LINE_CHANNEL_ACCESS_TOKEN": line_api.access_token,
        "LINE_API_BASE_URL": line_api.api_base_url,
        "LINE_DATA_API_BASE_URL": line_api.data_base_url,
    }.items():
        monkeypatch.setenv(name, value)
    return line_api


def pushed_this_month(count: int) -> None:
    async def main() -> None:
        rt = Runtime.from_settings(Settings())
        try:
            await rt.prepare_database()
            month = SystemClock().now().astimezone(rt.clock.tz).strftime("%Y-%m")
            async with db.transaction(rt.sessions) as session:
                session.add(PushUsage(channel=Channel.LINE, month=month, count=count))
        finally:
            await rt.close()

    asyncio.run(main())


def test_quota_shows_planbots_pushes_and_lines_figures(line_env: LineApiStandIn) -> None:
    pushed_this_month(42)
    line_env.extra_usage = 120
    result = runner.invoke(app, ["line", "quota"])
    assert result.exit_code == 0, result.output
    assert "planbot ส่งแบบ push แล้ว: 42 ข้อความ" in result.output
    assert "LINE นับแล้ว: 120 จากโควตา 1,000 ข้อความ (12%)" in result.output
    assert "⚠️" not in result.output


def test_quota_warns_past_80_percent_and_speaks_json(line_env: LineApiStandIn) -> None:
    pushed_this_month(850)  # more than LINE counted yet: planbot's own count is used
    result = runner.invoke(app, ["line", "quota"])
    assert "⚠️ ใช้โควตาเกิน 80% แล้ว" in result.output
    result = runner.invoke(app, ["line", "quota", "--json"])
    data = json.loads(result.output)
    assert data["pushed_by_planbot"] == 850 and data["line_limit"] == 1000
    assert data["percent"] == 85 and data["warning"] is True


def test_quota_fails_cleanly_when_line_is_unreachable(
    line_env: LineApiStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    pushed_this_month(0)  # the server's database is there; LINE is not
    monkeypatch.setenv("LINE_API_BASE_URL", "http://127.0.0.1:9")
    result = runner.invoke(app, ["line", "quota"])
    assert result.exit_code == 1
    assert "error: LINE quota" in result.output


def test_quota_reads_only_and_says_which_database(line_env: LineApiStandIn, tmp_path: Path) -> None:
    """No database yet: an error naming where it looked, and no empty database made."""
    result = runner.invoke(app, ["line", "quota"])
    assert result.exit_code == 2
    assert f"ไม่มีฐานข้อมูลที่ sqlite+aiosqlite:///{tmp_path}/cli.db" in result.output
    assert not (tmp_path / "cli.db").exists()
    other = tmp_path / "other.db"
    pushed_this_month(7)
    (tmp_path / "cli.db").rename(other)
    result = runner.invoke(app, ["line", "quota", "--database", f"sqlite+aiosqlite:///{other}"])
    assert result.exit_code == 0, result.output
    assert "planbot ส่งแบบ push แล้ว: 7 ข้อความ" in result.output
    assert f"นับจากฐานข้อมูล sqlite+aiosqlite:///{other}" in result.output


def test_setup_richmenu_creates_uploads_and_sets_the_default(
    line_env: LineApiStandIn, tmp_path: Path
) -> None:
    result = runner.invoke(app, ["line", "setup-richmenu", "--image", str(tmp_path / "m.png")])
    assert result.exit_code == 0, result.output
    [menu] = line_env.rich_menus.values()
    assert line_env.default_rich_menu == menu.id
    assert menu.image is not None and menu.image == (tmp_path / "m.png").read_bytes()
    upload = line_env.calls_of("setRichMenuImage")
    assert upload and upload[0].headers["content-type"] == "image/png"
    words = [a["action"]["text"] for a in menu.request["areas"]]
    assert words == ["เสนอโครงการ", "โครงการของฉัน", "สถานะ", "ช่วยเหลือ"]
    # again (after an update): a new default, and the old menu is gone
    assert runner.invoke(app, ["line", "setup-richmenu"]).exit_code == 0
    assert len(line_env.rich_menus) == 1 and line_env.default_rich_menu != menu.id


def test_the_rich_menu_is_valid_and_its_words_are_commands() -> None:
    from handlers.router import split_command

    request = richmenu.menu_request()
    messaging_schemas().check("RichMenuRequest", request)
    assert rich_menu_problems(request) == []
    for area in request["areas"]:
        assert split_command(area["action"]["text"])[0] is not None, area


def test_the_rich_menu_image_is_a_png_of_the_menus_size() -> None:
    data = richmenu.menu_image()
    assert len(data) < richmenu.MAX_IMAGE_BYTES
    with Image.open(io.BytesIO(data)) as image:
        assert (image.format, image.size) == ("PNG", (richmenu.WIDTH, richmenu.HEIGHT))
