"""The ``planbot`` command, run in-process as an operator would type it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app

runner = CliRunner()


def planbot(*args: str, env: dict[str, str] | None = None) -> str:
    result = runner.invoke(app, list(args), env=env or {})
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.chdir(tmp_path)  # keep any stray planbot.db out of the checkout
    return {"PLANBOT_DATABASE_URL": database_url}


def test_help_lists_the_commands() -> None:
    out = planbot("--help")
    for command in ("db", "org", "holidays", "deadline", "serve", "demo"):
        assert command in out
    for command in ("audit", "chat", "line", "telegram"):
        assert command in out
    groups = {
        "db": ("upgrade",),
        "org": ("create", "list"),
        "audit": ("export",),
        "line": ("quota", "setup-richmenu"),
        "telegram": ("set-webhook", "info"),
    }
    for group, commands in groups.items():
        out = planbot(group, "--help")
        assert all(command in out for command in commands), group


HEAVY = ("linebot", "telegram", "fastapi", "uvicorn", "sqlalchemy", "sqlmodel", "alembic", "PIL")
LOADED = """
import json, sys
from bot.cli import app
try:
    app(sys.argv[1:])
except SystemExit as exit:
    assert not exit.code, exit.code
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def loaded_by(*args: str, cwd: Path) -> set[str]:
    """The top-level packages a fresh ``planbot ARGS`` process has imported when it ends."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PLANBOT_", "TELEGRAM_"))}
    done = subprocess.run(
        [sys.executable, "-c", LOADED, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_cheap_commands_do_not_load_the_sdks_the_web_app_or_the_orm(tmp_path: Path) -> None:
    """Help and the calendar start quickly: what they do not need is never imported."""
    for args in (
        ("--help",),
        ("line", "--help"),
        ("telegram", "--help"),
        ("deadline", "1/10/2568", "--days", "30"),
        ("holidays", "2569"),
    ):
        assert set(HEAVY) & loaded_by(*args, cwd=tmp_path) == set(), args
    assert {"holidays", "pythainlp"} & loaded_by("--help", cwd=tmp_path) == set()
    assert list((tmp_path).iterdir()) == []  # and nothing was written


def test_reading_commands_never_create_a_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After the demo, ``audit export`` and ``org list`` on the default say where they looked."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PLANBOT_DATABASE_URL", raising=False)
    planbot("demo", "--json")  # planbot-demo.db, as the README's first command makes
    for args in (["audit", "export", "--org", "หนองแวง", "--fy", "2570"], ["org", "list"]):
        result = runner.invoke(app, args, env={})
        assert result.exit_code == 2, result.output
        assert f"ไม่มีฐานข้อมูลที่ sqlite+aiosqlite:///./planbot.db ({tmp_path}" in result.output
        assert "--database sqlite+aiosqlite:///./planbot-demo.db" in result.output  # the way on
        assert not (tmp_path / "planbot.db").exists()
    demo = "sqlite+aiosqlite:///./planbot-demo.db"
    listed = planbot("org", "list", "--database", demo)
    assert f"ฐานข้อมูล: {demo} ({tmp_path / 'planbot-demo.db'})" in listed
    assert "องค์การบริหารส่วนตำบลหนองแวง" in listed
    found = runner.invoke(
        app, ["audit", "export", "--org", "หนองแวง", "--fy", "2570", "--database", demo]
    )
    assert found.exit_code == 0 and f"แถว จากฐานข้อมูล {demo}" in found.output
    missing = runner.invoke(
        app, ["audit", "export", "--org", "ภูเวียง", "--fy", "2570", "--database", demo]
    )
    assert missing.exit_code == 2
    assert f"ไม่พบองค์กร 'ภูเวียง' ในฐานข้อมูล {demo}" in missing.output
    assert "องค์กรที่มีในฐานข้อมูลนี้: องค์การบริหารส่วนตำบลหนองแวง" in missing.output


def test_org_list_on_an_empty_database_names_it(env: dict[str, str], database_url: str) -> None:
    planbot("db", "upgrade", env=env)
    out = planbot("org", "list", env=env)
    assert f"ยังไม่มีองค์กรในฐานข้อมูล {database_url}" in out  # no password in these URLs


def test_db_upgrade_and_org_lifecycle(env: dict[str, str]) -> None:
    assert "database at" in planbot("db", "upgrade", env=env)
    created = json.loads(
        planbot(
            "org", "create", "--name", "ภูเวียง", "--kind", "อบต.", "--district", "ภูเวียง",
            "--province", "ขอนแก่น", "--strategy", "โครงสร้างพื้นฐาน", "--json", env=env,
        )
    )  # fmt: skip
    assert created["full_name"] == "องค์การบริหารส่วนตำบลภูเวียง"
    assert len(created["admin_invite_code"]) == 8
    text = planbot(
        "org", "create", "--name", "ในเมือง", "--kind", "ทม.", "--district", "เมืองขอนแก่น",
        "--province", "ขอนแก่น", env=env,
    )  # fmt: skip
    assert "เทศบาลเมืองในเมือง" in text and "รหัสเชิญผู้ดูแลระบบ" in text
    listed = json.loads(planbot("org", "list", "--json", env=env))
    assert [o["name"] for o in listed] == ["อบต.ภูเวียง", "ทม.ในเมือง"]
    assert "อำเภอเมืองขอนแก่น จังหวัดขอนแก่น" in planbot("org", "list", env=env)


def test_unknown_org_kind_is_a_clear_error(env: dict[str, str]) -> None:
    result = runner.invoke(
        app,
        ["org", "create", "--name", "x", "--kind", "หมู่บ้าน", "--district", "d", "--province", "p"],
        env=env,
    )
    assert result.exit_code == 2
    assert "ไม่รู้จักประเภท" in result.output


def test_deadline_accepts_any_date_form() -> None:
    for form in ("2568-10-01", "2025-10-01", "1 ต.ค. 68", "1/10/2568", "๑ ตุลาคม ๒๕๖๘"):
        data = json.loads(planbot("deadline", form, "--days", "30", "--json"))
        assert data["calendar_day"] == data["due"] == "2025-10-31", form
        assert data["last_working_day"] == data["civil_code_day"] == "2025-10-31", form
    text = planbot("deadline", "1 ต.ค. 2568")
    assert "31 ตุลาคม 2568" in text


def test_deadline_on_a_holiday_stays_and_names_the_last_working_day() -> None:
    # 13 Sep 2025 + 30 days = Mon 13 Oct 2025, วันนวมินทรมหาราช: due that day, finish by Fri 10
    data = json.loads(planbot("deadline", "13/9/2568", "--json"))
    assert data["rule"] == "authority"
    assert (data["due"], data["calendar_day"], data["last_working_day"]) == (
        "2025-10-13",
        "2025-10-13",
        "2025-10-10",
    )
    assert (data["civil_code_day"], data["on_day_off"], data["moved"]) == (
        "2025-10-14",
        True,
        False,
    )
    assert {"date": "2025-10-13", "reason": "วันนวมินทรมหาราช"} in data["days_off"]
    text = planbot("deadline", "13/9/2568")
    assert "กำหนดตามกฎหมาย: วันจันทร์ที่ 13 ตุลาคม 2568" in text
    assert "ควรดำเนินการให้แล้วเสร็จภายใน วันศุกร์ที่ 10 ตุลาคม 2568" in text
    assert "วันอังคารที่ 14 ตุลาคม 2568" in text  # the §193/8 day, as a note


def test_deadline_rule_civil_moves_it() -> None:
    data = json.loads(planbot("deadline", "13/9/2568", "--rule", "civil", "--json"))
    assert (data["rule"], data["due"], data["calendar_day"], data["moved"]) == (
        "civil",
        "2025-10-14",
        "2025-10-13",
        True,
    )
    assert "เลื่อน" in planbot("deadline", "13/9/2568", "--rule", "civil")


def test_deadline_rejects_garbage_in_thai() -> None:
    result = runner.invoke(app, ["deadline", "พรุ่งนี้มะ"])
    assert result.exit_code == 2
    assert "เช่น" in result.output


def test_holidays_of_a_fiscal_year(tmp_path: Path) -> None:
    days = json.loads(planbot("holidays", "2569", "--json"))
    dates = [d["date"] for d in days]
    assert "2025-10-13" in dates and "2026-04-13" in dates
    assert all("2025-10-01" <= d <= "2026-09-30" for d in dates)
    extra = tmp_path / "extra.yaml"
    extra.write_text('- {date: 2025-11-14, name: "วันหยุดพิเศษ (มติคณะรัฐมนตรี)"}\n', encoding="utf-8")
    days = json.loads(
        planbot("holidays", "2569", "--json", env={"PLANBOT_EXTRA_HOLIDAYS_FILE": str(extra)})
    )
    assert {"date": "2025-11-14", "name": "วันหยุดพิเศษ (มติคณะรัฐมนตรี)"} in days
    assert "วันหยุดราชการ ปีงบประมาณ พ.ศ. 2569" in planbot("holidays", "2569")


def test_demo_is_idempotent(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/demo.db"
    first = json.loads(planbot("demo", "--database", url, "--json"))
    second = json.loads(planbot("demo", "--database", url, "--json"))
    assert first == second
    assert first["organization"]["full_name"] == "องค์การบริหารส่วนตำบลหนองแวง"
    handles = [p["handle"] for p in first["people"]]
    assert handles == [
        "officer",
        "agency",
        "village",
        "c1",
        "c2",
        "c3",
        "c4",
        "c5",
        "s1",
        "s2",
        "s3",
        "mayor",
    ]
    assert first["plan_areas"] == 12 and len(first["strategies"]) == 6
    c1 = next(p for p in first["people"] if p["handle"] == "c1")
    assert c1["roles"] == ["development_committee (chair)"]
    assert "@officer" in planbot("demo", "--database", url)


def test_demo_continues_until_fresh_starts_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The demo database is kept between runs (a second script continues the first)."""
    monkeypatch.chdir(tmp_path)
    first = runner.invoke(app, ["demo"], input="\n".join(["เปิดรอบ", "1", "1", "วันนี้", "เปิดรอบ"]))
    assert first.exit_code == 0 and "✅ เปิดรอบแล้ว" in first.output
    assert "(ฐานข้อมูลสาธิตใหม่)" in first.output
    again = runner.invoke(app, ["demo"], input="สถานะ\n")
    assert "ต่อจากครั้งก่อน" in again.output and "planbot demo --fresh" in again.output
    assert "กำลังรวบรวมโครงการ" in again.output  # the round the first run opened
    fresh = runner.invoke(app, ["demo", "--fresh"], input="สถานะ\n")
    assert fresh.exit_code == 0, fresh.output
    assert "(ฐานข้อมูลสาธิตใหม่)" in fresh.output and "ยังไม่มีรอบการจัดทำแผน" in fresh.output
    assert [p.name for p in tmp_path.iterdir()] == ["planbot-demo.db"]


def test_fresh_deletes_only_a_demo_database(env: dict[str, str], database_url: str) -> None:
    """``--fresh`` never deletes a real organization's data, nor a server database."""
    planbot("org", "create", "--name", "ภูเวียง", "--kind", "อบต.", "--district", "ภูเวียง",
            "--province", "ขอนแก่น", env=env)  # fmt: skip
    result = runner.invoke(app, ["demo", "--fresh", "--database", database_url, "--json"])
    assert result.exit_code == 2
    if database_url.startswith("sqlite"):
        assert "ไม่ใช่ฐานข้อมูลของ planbot demo" in result.output
    else:
        assert "--fresh ลบได้เฉพาะไฟล์ SQLite" in result.output
    assert "องค์การบริหารส่วนตำบลภูเวียง" in planbot("org", "list", env=env)


def test_remind_dry_run_says_what_would_go_to_whom_and_queues_nothing(
    env: dict[str, str], tmp_path: Path
) -> None:
    url = env["PLANBOT_DATABASE_URL"]
    planbot("demo", "--database", url, "--at", "2568-10-02 08:00", "--json")
    script = "เปิดรอบ\n1\n1\nวันนี้\nเปิดรอบ\n"
    opened = runner.invoke(
        app, ["demo", "--database", url, "--at", "2568-10-02 08:00"], input=script
    )
    assert opened.exit_code == 0 and "✅ เปิดรอบแล้ว" in opened.output
    rows = json.loads(planbot("remind", "--dry-run", "--at", "31 ต.ค. 68 08:30", "--json", env=env))
    assert {(r["reason"], r["account"]) for r in rows} == {
        ("prep", "officer"),
        ("prep", "s1"),
        ("prep", "s2"),
        ("prep", "s3"),
    }
    assert all(not r["already_queued"] for r in rows)
    assert "ครบกำหนดวันเสาร์ที่ 1 พ.ย. 2568" in rows[0]["text"]
    text = planbot("remind", "--dry-run", "--at", "2568-10-31 08:30", env=env)
    assert "การแจ้งเตือนของวันที่ 31 ตุลาคม 2568 (ยังไม่ได้ส่ง): 4 รายการ" in text
    box = json.loads(planbot("outbox", "--json", env=env))
    assert not [r for r in box["pending"] if r["key"].startswith("r:")]  # nothing was queued


def test_remind_now_queues_once_and_outbox_shows_it(env: dict[str, str]) -> None:
    url = env["PLANBOT_DATABASE_URL"]
    script = "เปิดรอบ\n1\n1\nวันนี้\nเปิดรอบ\n"
    runner.invoke(app, ["demo", "--database", url, "--at", "2568-10-02 08:00"], input=script)
    first = json.loads(planbot("remind", "--now", "--at", "2568-10-31 08:30", "--json", env=env))
    assert (first["day"], first["queued"], first["sent"]) == ("2025-10-31", 4, {})
    again = json.loads(planbot("remind", "--now", "--at", "2568-10-31 08:30", "--json", env=env))
    assert again["queued"] == 0
    box = json.loads(planbot("outbox", "--json", env=env))
    assert box["counts"]["pending"]["console"] == 4  # console rows wait for a console chat
    assert len([r for r in box["pending"] if r["key"].startswith("r:")]) == 4
    assert "รอส่ง (" in planbot("outbox", env=env)
