"""Render each document once and keep it: the tenth committee member gets it instantly.

A file is named by what it shows — the document's key (the draft version, the edition, or
the plan with the editions in force, plus a fingerprint of the org's settings), the form
and the format — so a stored file never goes stale: a new edition or a changed setting makes
a new key. Rendering runs in a worker thread (typst releases the GIL; the Python parts give
it up every few milliseconds), so the event loop keeps answering chats meanwhile; one lock
per file makes twenty simultaneous requests render it once.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from sqlmodel.ext.asyncio.session import AsyncSession

from documents.load import Source, load_document
from documents.model import Form, PlanDocument

SUBDIR = "plans"


class Format(StrEnum):
    PDF = "pdf"
    XLSX = "xlsx"
    HTML = "html"
    PNG = "png"  # the first page, as LINE's preview image

    @property
    def media_type(self) -> str:
        return _MEDIA[self]


_MEDIA = {
    Format.PDF: "application/pdf",
    Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    Format.HTML: "text/html; charset=utf-8",
    Format.PNG: "image/png",
}


def renderer(fmt: Format) -> Callable[[PlanDocument, Form], bytes]:
    """The function that makes ``fmt`` (imported on use: typst and openpyxl are heavy)."""
    if fmt is Format.PDF:
        from documents.pdf import render_pdf

        return render_pdf
    if fmt is Format.PNG:
        from documents.pdf import render_png

        return render_png
    if fmt is Format.XLSX:
        from documents.xlsx import render_xlsx

        return render_xlsx
    from documents.phone import render_html

    return render_html


@dataclass(frozen=True)
class Rendered:
    path: Path
    filename: str  # what a person's download is called
    media_type: str


def filename_for(doc: PlanDocument, form: Form, fmt: Format) -> str:
    """ "แผนการดำเนินงาน-2569-ร่างที่2-ผด.02.pdf": readable in a chat's file list."""
    h = doc.heading
    parts = ["แผนการดำเนินงาน", str(h.fiscal_year)]
    if h.edition:
        parts.append(h.edition.replace(" ", "").replace("/", "-"))
    if h.stamp:
        parts.append(h.stamp.replace(" ", "").replace("(", "-").replace(")", ""))
    if form is not Form.WHOLE:
        parts.append(form.label_th.replace(" ", "").replace("/", "-"))
    return "-".join(parts) + f".{fmt.value}"


def path_for(root: Path, doc: PlanDocument, form: Form, fmt: Format) -> Path:
    return root / SUBDIR / doc.key / f"{form.value}.{fmt.value}"


_locks: dict[Path, asyncio.Lock] = {}


async def render_to(root: Path, doc: PlanDocument, form: Form, fmt: Format) -> Rendered:
    """The stored file of ``doc`` in ``form`` and ``fmt``, rendering it the first time."""
    path = path_for(root, doc, form, fmt)
    done = Rendered(path, filename_for(doc, form, fmt), fmt.media_type)
    if path.is_file():
        return done
    lock = _locks.setdefault(path, asyncio.Lock())
    async with lock:
        if not path.is_file():
            data = await asyncio.to_thread(renderer(fmt), doc, form)
            await asyncio.to_thread(_write, path, data)
    _locks.pop(path, None)
    return done


def _write(path: Path, data: bytes) -> None:
    """Write beside, then rename: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


async def obtain(
    session: AsyncSession, root: Path, source: Source, form: Form, fmt: Format
) -> Rendered:
    """Read ``source`` and return its stored file (rendered now if it is the first ask)."""
    doc = await load_document(session, source)
    return await render_to(root, doc, form, fmt)
