"""``planbot export``: a plan's documents to a file (PDF, XLSX or the phone page).

The heavy parts (typst, openpyxl) are imported inside the command, so ``planbot --help``
and every other command start without them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli_common import DatabaseOption, run_with_runtime

if TYPE_CHECKING:
    from bot.runtime import Runtime

FORMATS = ("pdf", "xlsx", "html")
FORMS = ("whole", "pd01", "pd02", "pd021", "part1", "announcement")


def export(
    org: Annotated[str, typer.Option(help="Organization id or name, e.g. 1 or หนองแวง.")],
    fy: Annotated[int, typer.Option(help="Fiscal year in พ.ศ., e.g. 2569.")],
    out: Annotated[Path, typer.Option(help="File to write, e.g. plan-2569.pdf.")],
    format: Annotated[str, typer.Option(help="pdf, xlsx or html (the phone page).")] = "pdf",
    edition: Annotated[
        str | None,
        typer.Option(help="original, addition-1, amendment-1 … (default: the plan in force)."),
    ] = None,
    draft: Annotated[int | None, typer.Option(help="ร่างที่ N instead of the plan in force.")] = None,
    form: Annotated[str, typer.Option(help=f"One of {', '.join(FORMS)}.")] = "whole",
    database: DatabaseOption = None,
) -> None:
    """Write the plan (or one edition, or ร่างที่ N) in the official forms to ``--out``."""
    if fy < 2400:
        raise typer.BadParameter("ปีงบประมาณเป็น พ.ศ. เช่น 2569", param_hint="--fy")
    if format not in FORMATS:
        raise typer.BadParameter(f"เลือก {', '.join(FORMATS)}", param_hint="--format")
    if form not in FORMS:
        raise typer.BadParameter(f"เลือก {', '.join(FORMS)}", param_hint="--form")

    from documents.load import SourceError, find_source, load_document
    from documents.model import Form
    from documents.store import Format, renderer
    from models.audit_export import find_organization

    async def work(rt: Runtime) -> bytes | str:
        async with rt.sessions() as session:
            found = await find_organization(session, org)
            if len(found) != 1 or found[0].id is None:
                names = ", ".join(o.full_name for o in found)
                return f"ไม่พบองค์กร '{org}' เพียงองค์กรเดียว" + (f" — ตรงกับ {names}" if names else "")
            try:
                source = await find_source(session, found[0].id, fy, edition=edition, draft=draft)
            except SourceError as exc:
                return str(exc)
            doc = await load_document(session, source)
        return renderer(Format(format))(doc, Form(form))

    result = run_with_runtime(work, database=database, read_only=True)
    if isinstance(result, str):
        typer.echo(f"error: {result}", err=True)
        raise typer.Exit(2)
    out.write_bytes(result)
    typer.echo(f"เขียน {out} แล้ว ({len(result):,} ไบต์)")
