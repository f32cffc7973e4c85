"""Signed, expiring links to generated documents: ``/d/{token}`` under ``PLANBOT_PUBLIC_URL``.

LINE cannot send a file, so a document goes out as a button that opens a link. The link has
to work on a phone without a login, yet must not let anyone read other files or keep a
draft plan readable forever; so the token carries the file's path (relative to the
documents directory), its display name and an expiry, and an HMAC-SHA256 over them. The
key is ``PLANBOT_LINK_SECRET``, or derived from the LINE channel secret when that is unset
(a derived key, so the channel secret itself never signs anything but webhooks).

Token: ``base64url(JSON {"p": path, "n": filename, "e": unix expiry}) "." base64url(HMAC)``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import mimetypes
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from html import escape
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from bot.settings import Settings
from models.clock import Clock
from models.retention import EXPORTS_DIR

DERIVATION_LABEL = b"planbot document links v1"
ROUTE = "/d/{token}"

TEXT = {
    "title": "planbot — เอกสาร",
    "bad": "ลิงก์นี้ไม่ถูกต้อง — กรุณาเปิดจากปุ่มในแชทอีกครั้ง",
    "expired": "ลิงก์นี้หมดอายุแล้ว — กรุณาขอเอกสารใหม่จากแชท (พิมพ์ สถานะ)",
    "missing": "ไม่พบเอกสารนี้แล้ว — อาจมีฉบับใหม่กว่า กรุณาขอเอกสารใหม่จากแชท",
}


class LinkProblem(StrEnum):
    BAD = "bad"
    EXPIRED = "expired"


@dataclass(frozen=True)
class LinkTarget:
    relative_path: str
    filename: str


def link_key(settings: Settings) -> bytes | None:
    """The signing key, or ``None`` when neither a link secret nor a LINE secret is set."""
    if settings.link_secret is not None:
        return settings.link_secret.get_secret_value().encode()
    if settings.line_channel_secret is not None:
        secret = settings.line_channel_secret.get_secret_value().encode()
        return hmac.new(secret, DERIVATION_LABEL, hashlib.sha256).digest()
    return None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(key: bytes, target: LinkTarget, expires_at: datetime) -> str:
    payload = json.dumps(
        {"p": target.relative_path, "n": target.filename, "e": int(expires_at.timestamp())},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    body = _b64(payload)
    mac = hmac.new(key, body.encode("ascii"), hashlib.sha256).digest()
    return f"{body}.{_b64(mac)}"


def verify(key: bytes, token: str, now: datetime) -> LinkTarget | LinkProblem:
    """The file a token names, or why it names none (tampered or expired)."""
    body, dot, mac_text = token.partition(".")
    if not dot or not body or not mac_text:
        return LinkProblem.BAD
    try:
        given = _unb64(mac_text)
        expected = hmac.new(key, body.encode("ascii"), hashlib.sha256).digest()
        if not hmac.compare_digest(given, expected):
            return LinkProblem.BAD
        payload = json.loads(_unb64(body))
        target = LinkTarget(str(payload["p"]), str(payload["n"]))
        expires = int(payload["e"])
    except (ValueError, KeyError, TypeError, UnicodeError, binascii.Error):
        return LinkProblem.BAD
    if now.timestamp() >= expires:
        return LinkProblem.EXPIRED
    return target


@dataclass
class DocumentLinks:
    """Makes links for documents under ``documents_dir``; ``None`` where no link can be made."""

    key: bytes | None
    public_url: str | None
    documents_dir: Path
    lifetime: timedelta
    clock: Clock
    # a person's own data (ข้อมูลของฉัน) is deleted sooner than documents: its link ends then
    personal_lifetime: timedelta | None = None

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock) -> DocumentLinks:
        personal = settings.retain_exports_days
        return cls(
            key=link_key(settings),
            public_url=settings.public_url,
            documents_dir=settings.documents_dir,
            lifetime=timedelta(days=settings.link_days),
            clock=clock,
            personal_lifetime=timedelta(days=personal) if personal else None,
        )

    def url_for(self, path: str, filename: str) -> str | None:
        """An https link to ``path`` valid for the configured days, if one can be made."""
        if self.key is None or not self.public_url:
            return None
        relative = relative_to(self.documents_dir, Path(path))
        if relative is None:
            return None
        lifetime = self.lifetime
        if self.personal_lifetime is not None and relative.startswith(f"{EXPORTS_DIR}/"):
            lifetime = min(lifetime, self.personal_lifetime)  # never a link to a deleted file
        token = sign(self.key, LinkTarget(relative, filename), self.clock.now() + lifetime)
        return f"{self.public_url.rstrip('/')}/d/{token}"


def relative_to(root: Path, path: Path) -> str | None:
    """``path`` as a POSIX path inside ``root`` (relative paths are taken as inside it)."""
    base = root.resolve()
    full = (path if path.is_absolute() else base / path).resolve()
    try:
        return full.relative_to(base).as_posix()
    except ValueError:
        return None


def _page(message: str, status: int) -> HTMLResponse:
    html = (
        '<!doctype html><html lang="th"><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(TEXT['title'])}</title>"
        f'<body style="font-family:sans-serif;margin:2em"><p>{escape(message)}</p></body></html>'
    )
    return HTMLResponse(html, status_code=status)


def make_router(settings: Settings) -> APIRouter:
    """``GET /d/{token}``: the file, or a short Thai page (403 bad, 410 expired, 404 gone)."""
    router = APIRouter()
    key = link_key(settings)
    root = settings.documents_dir

    @router.get(ROUTE, include_in_schema=False)
    async def document(token: str, request: Request) -> Response:
        if key is None:
            return _page(TEXT["bad"], 403)
        clock: Clock = request.app.state.runtime.clock
        found = verify(key, token, clock.now())
        if found is LinkProblem.EXPIRED:
            return _page(TEXT["expired"], 410)
        if not isinstance(found, LinkTarget):
            return _page(TEXT["bad"], 403)
        relative = relative_to(root, Path(found.relative_path))
        if relative is None:  # signed, yet outside the directory: never serve it
            return _page(TEXT["bad"], 403)
        path = root.resolve() / relative
        if not path.is_file():
            return _page(TEXT["missing"], 404)
        media_type = mimetypes.guess_type(found.filename or path.name)[0]
        return FileResponse(
            path,
            media_type=media_type or "application/octet-stream",
            filename=found.filename or path.name,
            content_disposition_type="inline",
            headers={"Cache-Control": "private, no-store"},
        )

    return router
