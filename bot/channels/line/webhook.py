"""``POST /webhooks/line``: verify, store, answer 200 — nothing slower happens here.

The signature (HMAC-SHA256 of the raw body with the channel secret, compared in constant
time by the SDK's validator) is checked before the body is parsed, so nothing from an
unsigned request is ever read as JSON. LINE treats an answer slower than about two
seconds as a failure, so the verified events are stored in the inbox in this request and
worked off in the background (see ``service``).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from linebot.v3 import SignatureValidator

from bot.channels.bodies import MAX_BODY, BadBody, parse_json, read_limited

log = logging.getLogger(__name__)

PATH = "/webhooks/line"

Accept = Callable[[list[dict[str, Any]]], Awaitable[None]]


def _problem(status: int, message: str) -> JSONResponse:
    return JSONResponse({"message": message}, status_code=status)


def make_router(channel_secret: str, accept: Accept) -> APIRouter:
    """The webhook route; ``accept`` stores verified events and starts their processing."""
    validator = SignatureValidator(channel_secret)
    router = APIRouter()

    @router.post(PATH, include_in_schema=False)
    async def line_webhook(request: Request) -> Response:
        raw = await read_limited(request)
        if raw is None:
            return _problem(413, f"request body over {MAX_BODY // 1024 // 1024} MB")
        signature = request.headers.get("x-line-signature")
        if not signature:
            return _problem(400, "missing X-Line-Signature")
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            return _problem(400, "body is not UTF-8")
        if not validator.validate(body, signature):
            log.warning("LINE webhook with a wrong signature from %s", request.client)
            return _problem(400, "invalid signature")
        try:
            data = parse_json(body)
        except BadBody as exc:  # signed, so LINE's (or our secret leaked): say why, no 500
            log.warning("LINE webhook with a valid signature refused: %s", exc)
            return _problem(400, str(exc))
        events = data.get("events") if isinstance(data, dict) else None
        if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
            return _problem(400, "body has no list of events")
        try:
            await accept(events)  # an empty list is LINE's "verify" button: just 200
        except Exception:  # not stored: a non-2xx makes LINE redeliver (when that is on)
            log.exception("could not store %d LINE events", len(events))
            return _problem(503, "events not stored, please redeliver")
        return JSONResponse({})

    return router
