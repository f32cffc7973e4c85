"""The ``planbot`` command, run in-process as an operator would type it."""

from __future__ import annotations

import json
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
        assert data["calendar_day"] == data["legal_day"] == "2025-10-31", form
    text = planbot("deadline", "1 ต.ค. 2568")
    assert "31 ตุลาคม 2568" in text


def test_deadline_moved_by_a_holiday_names_it() -> None:
    # 13 Sep 2025 + 30 days = Mon 13 Oct 2025, วันนวมินทรมหาราช → Tue 14 Oct
    data = json.loads(planbot("deadline", "13/9/2568", "--json"))
    assert (data["calendar_day"], data["legal_day"], data["moved"]) == (
        "2025-10-13",
        "2025-10-14",
        True,
    )
    assert "เลื่อน" in planbot("deadline", "13/9/2568")


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
