"""``planbot line``: the month's push quota, and the default rich menu.

``quota`` puts planbot's own count of pushes this month (Asia/Bangkok) next to what LINE
reports (its limit and everything counted against it, which includes broadcasts from LINE
Official Account Manager), and says so when 80 % is passed. ``setup-richmenu`` creates the
four-button menu (เสนอโครงการ · โครงการของฉัน · สถานะ · ช่วยเหลือ), uploads its image and makes
it everyone's default; run it again after an update, it replaces its older menu.

Like ``bot.cli``, this module imports only typer: the SDK, the database and the image
library are imported when a command runs, so ``planbot --help`` does not wait for them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from bot.cli_common import DatabaseOption, JsonOption, print_json, run_with_runtime, shown

if TYPE_CHECKING:
    from bot.channels.line.client import LineApi
    from bot.runtime import Runtime
    from bot.settings import Settings

T = TypeVar("T")

line_app = typer.Typer(help="LINE: the message quota and the rich menu.", no_args_is_help=True)

TEXT = {
    "no_token": "error: LINE_CHANNEL_ACCESS_TOKEN is not set",
    "month": "เดือน {month} (เวลาประเทศไทย)",
    "pushed": "planbot ส่งแบบ push แล้ว: {pushed:,} ข้อความ",
    "line_limited": "LINE นับแล้ว: {used:,} จากโควตา {limit:,} ข้อความ ({percent}%)",
    "line_unlimited": "LINE นับแล้ว: {used:,} ข้อความ (ไม่จำกัดโควตา)",
    "warning": "⚠️ ใช้โควตาเกิน {warn}% แล้ว — เมื่อครบ การแจ้งเตือนทาง LINE จะหยุดจนถึงต้นเดือนหน้า",
    "menu_done": "ตั้งเมนูหลัก (rich menu) {menu_id} เป็นค่าเริ่มต้นแล้ว",
    "image_written": "บันทึกภาพเมนูที่ {path} แล้ว",
    "database": "(จำนวนที่ planbot ส่ง นับจากฐานข้อมูล {database})",
}


def _api(settings: Settings) -> LineApi:
    from bot.channels.line.client import LineApi

    if settings.line_channel_access_token is None:
        typer.echo(TEXT["no_token"], err=True)
        raise typer.Exit(2)
    return LineApi(
        settings.line_channel_access_token.get_secret_value(),
        settings.line_api_base_url,
        settings.line_data_api_base_url,
    )


def _with_line(work: Callable[[LineApi], Awaitable[T]]) -> Callable[[Runtime], Awaitable[T]]:
    """Wrap ``work`` so the client is made inside the event loop and always closed."""

    async def run(rt: Runtime) -> T:
        from bot.channels.line.client import LineApiError

        api = _api(rt.settings)
        try:
            return await work(api)
        except LineApiError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from exc
        finally:
            await api.close()

    return run


@line_app.command("quota")
def quota(database: DatabaseOption = None, as_json: JsonOption = False) -> None:
    """This month's pushes: planbot's count, and LINE's quota and usage (reads only)."""
    from bot.channels.line.quota import WARN_AT, month_of, pushes_this_month

    async def work(rt: Runtime) -> dict[str, Any]:
        async def ask(api: LineApi) -> dict[str, Any]:
            found = await api.quota()
            pushed = await pushes_this_month(rt.sessions, rt.clock)
            used = max(found.used, pushed)
            percent = round(100 * used / found.limit) if found.limit else None
            return {
                "month": month_of(rt.clock.now(), rt.clock),
                "pushed_by_planbot": pushed,
                "line_usage": found.used,
                "line_limit": found.limit,
                "percent": percent,
                "warning": bool(found.limit and used >= WARN_AT * found.limit),
                "database": shown(str(rt.engine.url)),
            }

        return await _with_line(ask)(rt)

    result = run_with_runtime(work, database=database, read_only=True)
    if as_json:
        print_json(result)
        return
    typer.echo(TEXT["month"].format(month=result["month"]))
    typer.echo(TEXT["pushed"].format(pushed=result["pushed_by_planbot"]))
    if result["line_limit"] is None:
        typer.echo(TEXT["line_unlimited"].format(used=result["line_usage"]))
    else:
        typer.echo(
            TEXT["line_limited"].format(
                used=result["line_usage"], limit=result["line_limit"], percent=result["percent"]
            )
        )
    if result["warning"]:
        typer.echo(TEXT["warning"].format(warn=round(WARN_AT * 100)))
    typer.echo(TEXT["database"].format(database=result["database"]))


@line_app.command("setup-richmenu")
def setup_richmenu(
    image: Annotated[
        str | None, typer.Option(help="Also write the menu image to this PNG file, to look at.")
    ] = None,
) -> None:
    """Create the default rich menu (เสนอโครงการ · โครงการของฉัน · สถานะ · ช่วยเหลือ)."""
    from bot.channels.line.client import LineApiError
    from bot.channels.line.richmenu import menu_image, setup_rich_menu
    from bot.settings import Settings

    settings = Settings()
    if image:
        with open(image, "wb") as out:
            out.write(menu_image())
        typer.echo(TEXT["image_written"].format(path=image))

    async def main() -> str:
        api = _api(settings)
        try:
            return await setup_rich_menu(api)
        finally:
            await api.close()

    try:
        menu_id = asyncio.run(main())
    except LineApiError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(TEXT["menu_done"].format(menu_id=menu_id))
