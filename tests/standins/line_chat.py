"""Try planbot over LINE without LINE: the stand-in API plus a signed-webhook sender.

``python -m tests.standins.line_chat serve --planbot http://planbot:8000`` runs the LINE
stand-in (API on 8081, data on 8082) and a small control port (8083): ``POST /say`` with
``{"text": "ช่วยเหลือ"}`` (and optionally ``"user"``) sends a correctly signed webhook event
to planbot, waits for planbot's reply to reach the stand-in, and answers with its text. It
is what compose's ``try`` profile runs, and what the deployment's smoke test calls;
``python -m tests.standins.line_chat say ช่วยเหลือ`` asks a running one from the terminal.
The channel secret is ``LINE_CHANNEL_SECRET`` (the same planbot is given).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import sys
import time
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.standins.line_api import LineApiStandIn, WebhookFactory

DEFAULT_SECRET = "try-planbot-channel-secret"
WAIT = 30.0  # seconds for planbot's answer to reach the stand-in


def user_id(name: str) -> str:
    return "U" + hashlib.md5(name.encode()).hexdigest()


def texts(call: Any) -> list[str]:
    """What a person reads in one reply or push."""
    out = []
    for message in call.body.get("messages", []):
        if message.get("type") == "text":
            out.append(message["text"])
        elif message.get("type") == "flex":
            out.append(message.get("altText", ""))
    return out


async def say(
    planbot: str, stand_in: LineApiStandIn, secret: str, text: str, user: str = "try"
) -> list[str]:
    """Send ``text`` as LINE would (signed webhook); return planbot's reply, as texts."""
    hooks = WebhookFactory(secret, stand_in)
    event = hooks.text(user_id(user), text)
    body = hooks.body(event)
    async with httpx.AsyncClient(base_url=planbot, timeout=WAIT) as client:
        response = await client.post("/webhooks/line", content=body, headers=hooks.headers(body))
    response.raise_for_status()
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:  # the reply comes from planbot's background worker
        replies = [c for c in stand_in.replies if c.body.get("replyToken") == event["replyToken"]]
        if replies:
            return [t for call in replies for t in texts(call)]
        await asyncio.sleep(0.05)
    raise TimeoutError(f"no reply from {planbot} within {WAIT:g} s")


def serve(args: argparse.Namespace) -> None:
    stand_in = LineApiStandIn(access_token=args.token).start(
        args.host, (args.api_port, args.data_port)
    )
    secret = os.environ.get("LINE_CHANNEL_SECRET", DEFAULT_SECRET)

    async def say_endpoint(request: Request) -> JSONResponse:
        asked = await request.json()
        try:
            replies = await say(
                args.planbot, stand_in, secret, asked["text"], asked.get("user", "try")
            )
        except (httpx.HTTPError, TimeoutError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=502)
        return JSONResponse({"replies": replies, "problems": list(stand_in.problems)})

    app = Starlette(routes=[Route("/say", say_endpoint, methods=["POST"])])
    print(
        f"LINE stand-in on {args.host}:{args.api_port}/{args.data_port}; POST /say on :{args.port}",
        flush=True,
    )
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")


def ask(args: argparse.Namespace) -> int:
    response = httpx.post(
        f"{args.control}/say", json={"text": " ".join(args.text)}, timeout=WAIT + 5
    )
    answer = response.json()
    print(json.dumps(answer, ensure_ascii=False, indent=2))
    return 0 if response.status_code == 200 and not answer.get("problems") else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("serve", help="the stand-in and the /say control port")
    run.add_argument("--planbot", default="http://planbot:8000")
    run.add_argument("--host", default="0.0.0.0")
    run.add_argument("--api-port", type=int, default=8081)
    run.add_argument("--data-port", type=int, default=8082)
    run.add_argument("--port", type=int, default=8083)
    run.add_argument("--token", default=os.environ.get("LINE_CHANNEL_ACCESS_TOKEN", "try-token"))
    talk = sub.add_parser("say", help="ask a running stand-in to send a message")
    talk.add_argument("text", nargs="+")
    talk.add_argument("--control", default="http://127.0.0.1:8083")
    args = parser.parse_args()
    if args.command == "serve":
        serve(args)
        return 0
    return ask(args)


if __name__ == "__main__":
    sys.exit(main())
