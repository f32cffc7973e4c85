"""A stand-in for LINE's Messaging API that checks every request against LINE's OpenAPI file.

The SDK's async client talks aiohttp, which respx cannot intercept, so the stand-in is a
real HTTP server: an ASGI app served by uvicorn in a background thread on 127.0.0.1, one
port for the API host (``api.line.me``) and one for the data host (``api-data.line.me``),
each answering only its own operations — a call sent to the wrong base fails too.

Every request is matched to its operation in ``tests/specs/line/messaging-api.yml`` (a copy
of ``../shared/specs``),
and its JSON body is validated against the operation's schema (see ``openapi.py``: strict,
with discriminators and closed objects), plus the limits LINE documents on its reference
pages but not in that file (:data:`LINE_LIMITS`). A request LINE would refuse gets LINE's
400 here and is kept in :attr:`LineApiStandIn.problems`; the ``line_api`` fixture fails
the test at teardown if any were recorded, so an error the app swallows still fails.

It answers reply (a reply token works once: 400 the second time), push and multicast (a
repeated ``X-Line-Retry-Key`` gets 409, as LINE does: the key is accepted once, for 24
hours, whatever the body), quota, consumption, rich menus and their image upload, with the
bodies and status codes LINE documents. What reached each user is kept in
:attr:`LineApiStandIn.delivered` (user id → the messages of every accepted push or
multicast that included them), so duplicates and losses can be counted.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import io
import json
import re
import secrets
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from PIL import Image
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.standins.openapi import Limit, SchemaSet, path_pattern, spec_schemas

SPEC_DIR = Path(__file__).resolve().parents[1] / "specs" / "line"  # copy of shared/specs
MESSAGING_SPEC = SPEC_DIR / "messaging-api.yml"
WEBHOOK_SPEC = SPEC_DIR / "webhook.yml"
DATA_HOST = "https://api-data.line.me"
MAX_IMAGE_BYTES = 1024 * 1024

# Limits from LINE's Messaging API reference that the OpenAPI file leaves out. Lengths are
# code points here; LINE counts labels in grapheme clusters and text in UTF-16 units, which
# for Thai is never more, so what passes here passes there.
LINE_LIMITS = (
    Limit("Action", "label", "maxLength", 20, "action objects: label max 20 characters"),
    Limit("TextMessage", "text", "maxLength", 5000, "text message: max 5000 characters"),
    Limit("TextMessage", "text", "minLength", 1, "text message: text must not be empty"),
    Limit("FlexMessage", "altText", "maxLength", 1500, "flex message: altText max 1500"),
    Limit("FlexMessage", "altText", "minLength", 1, "flex message: altText required"),
    Limit("PostbackAction", "displayText", "maxLength", 300, "postback: displayText max 300"),
    Limit("MessageAction", "text", "maxLength", 300, "message action: text max 300"),
    Limit("URIAction", "uri", "maxLength", 1000, "uri action: uri max 1000 characters"),
    Limit("FlexCarousel", "contents", "maxItems", 12, "carousel: max 12 bubbles"),
    Limit("FlexText", "text", "minLength", 1, "flex text: must not be empty"),
    Limit("QuickReply", "items", "minItems", 1, "quick reply: at least one button"),
)


def messaging_schemas() -> SchemaSet:
    return spec_schemas(str(MESSAGING_SPEC), LINE_LIMITS)


def webhook_schemas() -> SchemaSet:
    return spec_schemas(str(WEBHOOK_SPEC))


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    template: str
    pattern: re.Pattern[str]
    data_host: bool
    body_schema: str | None  # component name of a JSON body
    binary_body: bool
    header_params: dict[str, dict[str, Any]]
    responses: dict[str, str]  # status → component name of the JSON answer


@dataclass
class Call:
    operation_id: str
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    status: int
    at: float  # time.perf_counter() when it arrived


@dataclass
class RichMenu:
    id: str
    request: dict[str, Any]
    image: bytes | None = None


def _schema_name(node: dict[str, Any] | None) -> str | None:
    ref = (node or {}).get("$ref", "")
    return ref.rsplit("/", 1)[-1] if ref else None


def load_operations(document: dict[str, Any]) -> list[Operation]:
    """Every operation in the file; literal paths before templated ones (``/list`` first)."""
    operations = []
    for template, item in document["paths"].items():
        shared_params = item.get("parameters", [])
        for method, op in item.items():
            if method not in {"get", "post", "put", "delete", "patch"}:
                continue
            content = (op.get("requestBody") or {}).get("content", {})
            params = [*shared_params, *op.get("parameters", [])]
            responses = {}
            for status, answer in (op.get("responses") or {}).items():
                json_content = (answer.get("content") or {}).get("application/json")
                name = _schema_name((json_content or {}).get("schema"))
                if name:
                    responses[str(status)] = name
            operations.append(
                Operation(
                    operation_id=op["operationId"],
                    method=method.upper(),
                    template=template,
                    pattern=path_pattern(template),
                    data_host=any(s.get("url") == DATA_HOST for s in op.get("servers", [])),
                    body_schema=_schema_name((content.get("application/json") or {}).get("schema")),
                    binary_body="*/*" in content,
                    header_params={
                        p["name"].lower(): p.get("schema", {})
                        for p in params
                        if p.get("in") == "header"
                    },
                    responses=responses,
                )
            )
    operations.sort(key=lambda o: o.template.count("{"))
    return operations


class LineApiStandIn:
    """LINE's API on two local ports; what it was sent is kept for assertions."""

    def __init__(self, access_token: str = "test-access-token", quota_limit: int | None = 1000):
        self.access_token = access_token
        self.schemas = messaging_schemas()
        self.operations = load_operations(self.schemas.document)
        self._lock = threading.Lock()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.api_port = 0
        self.data_port = 0
        # called in the server's thread with each answered call (benchmarks wait on replies)
        self.on_call: Callable[[Call], None] | None = None
        self.reset(quota_limit=quota_limit)

    # -- state, for tests -------------------------------------------------------------------

    def reset(self, *, quota_limit: int | None = 1000) -> None:
        with self._lock:
            self.calls: list[Call] = []
            self.problems: list[str] = []
            self.reply_tokens: dict[str, str] = {}  # token → "fresh" | "used" | "expired"
            # benchmarks in another process cannot issue tokens: any unknown token works once
            self.unknown_tokens_fresh = False
            self.accepted_retry_keys: dict[str, list[dict[str, str]]] = {}
            self.delivered: dict[str, list[list[dict[str, Any]]]] = {}
            self.retries_absorbed = 0  # requests answered 409: a repeat the key caught
            self.unknown_users: set[str] = set()  # pushes to these get LINE's 400
            self.rich_menus: dict[str, RichMenu] = {}
            self.default_rich_menu: str | None = None
            self.quota_limit = quota_limit
            self.extra_usage = 0  # pushes "made by other tools" on the same account
            self.failures: dict[str, int] = {}  # operationId → answer with 500 this many times
            self._message_ids = 0

    def issue_reply_token(self) -> str:
        """A reply token as LINE puts in a webhook event: usable once."""
        token = secrets.token_hex(16)
        with self._lock:
            self.reply_tokens[token] = "fresh"
        return token

    def expire_reply_token(self, token: str) -> None:
        with self._lock:
            self.reply_tokens[token] = "expired"

    def calls_of(self, operation_id: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.operation_id == operation_id and c.status < 300]

    @property
    def replies(self) -> list[Call]:
        return self.calls_of("replyMessage")

    @property
    def pushes(self) -> list[Call]:
        return self.calls_of("pushMessage")

    @property
    def multicasts(self) -> list[Call]:
        return self.calls_of("multicast")

    @property
    def pushed_count(self) -> int:
        """Messages LINE counts against the quota: one per recipient of each accepted request."""
        with self._lock:
            return sum(len(got) for got in self.delivered.values())

    # -- the server -------------------------------------------------------------------------

    @property
    def api_base_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def data_base_url(self) -> str:
        return f"http://127.0.0.1:{self.data_port}"

    def start(self, host: str = "127.0.0.1", ports: tuple[int, int] = (0, 0)) -> LineApiStandIn:
        """Listen on two ports (random by default); requests queue in the backlog until
        uvicorn serves. ``host``/``ports`` for a stand-in in a container (tests/standins/
        line_chat.py)."""
        sockets = []
        for port in ports:
            # IPPROTO_TCP, not the default 0: asyncio sets TCP_NODELAY only on sockets that
            # say they are TCP, and without it every answer waits ~40 ms for a delayed ACK
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
            sock.listen(256)
            sockets.append(sock)
        self.api_port = sockets[0].getsockname()[1]
        self.data_port = sockets[1].getsockname()[1]
        config = uvicorn.Config(
            self.app(), log_level="warning", lifespan="off", access_log=False, loop="asyncio"
        )
        self._server = uvicorn.Server(config)
        server = self._server
        self._thread = threading.Thread(
            target=lambda: asyncio.run(server.serve(sockets=sockets)),
            name="line-api-standin",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = self._thread = None

    def app(self) -> Starlette:
        methods = ["GET", "POST", "PUT", "DELETE", "PATCH"]
        return Starlette(routes=[Route("/{path:path}", self._endpoint, methods=methods)])

    # -- one request ------------------------------------------------------------------------

    def _problem(self, text: str) -> None:
        with self._lock:
            self.problems.append(text)

    async def _endpoint(self, request: Request) -> Response:
        arrived = time.perf_counter()
        path = request.url.path
        port = request.scope.get("server", ("", 0))[1]
        on_data_host = port == self.data_port
        found = self._operation(request.method, path)
        if found is None:
            self._problem(f"{request.method} {path}: no such operation in messaging-api.yml")
            return _error(404, "Not found")
        op, params = found
        if op.data_host != on_data_host:
            host = "data" if op.data_host else "API"
            self._problem(f"{op.operation_id} sent to the wrong host (belongs to the {host} host)")
            return _error(404, "Not found")
        if request.headers.get("authorization") != f"Bearer {self.access_token}":
            self._problem(f"{op.operation_id}: missing or wrong channel access token")
            return _error(401, "Authentication failed. Confirm that the access token is valid.")
        headers = {k.lower(): v for k, v in request.headers.items()}
        raw = await request.body()
        body: Any = None
        problems = self._check_headers(op, headers)
        if op.body_schema:
            try:
                body = json.loads(raw)
            except ValueError:
                problems.append("(body): not JSON")
            else:
                problems += self.schemas.errors(op.body_schema, body)
        if problems:
            for text in problems:
                self._problem(f"{op.operation_id}: {text}")
            self._record(op, path, headers, body, 400, arrived)
            return _error(400, f"The request body has {len(problems)} error(s)", problems)
        with self._lock:
            fail = self.failures.get(op.operation_id, 0)
            if fail:
                self.failures[op.operation_id] = fail - 1
        if fail:
            self._record(op, path, headers, body, 500, arrived)
            return _error(500, "Internal server error (stand-in: told to fail)")
        handler = getattr(self, f"_op_{op.operation_id}", None)
        if handler is None:
            self._problem(f"{op.operation_id}: the stand-in does not answer this operation")
            return _error(501, "not implemented by the stand-in")
        response: Response = await handler(request, params, headers, body, raw)
        self._record(op, path, headers, body, response.status_code, arrived)
        self._check_response(op, response)
        return response

    def _operation(self, method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
        for op in self.operations:
            if op.method == method and (match := op.pattern.match(path)):
                return op, match.groupdict()
        return None

    def _check_headers(self, op: Operation, headers: dict[str, str]) -> list[str]:
        problems = []
        for name, schema in op.header_params.items():
            if name in headers and schema.get("format") == "uuid":
                try:
                    if str(uuid.UUID(headers[name])) != headers[name].lower():
                        raise ValueError
                except ValueError:
                    problems.append(f"header {name}: not a UUID in hexadecimal form")
        return problems

    def _check_response(self, op: Operation, response: Response) -> None:
        """The stand-in's own answers must match the file too (a check on the stand-in)."""
        name = op.responses.get(str(response.status_code))
        if name and response.status_code < 300:
            body = json.loads(bytes(response.body))
            for text in self.schemas.errors(name, body):
                self._problem(f"stand-in answered {op.operation_id} wrongly: {text}")

    def _record(
        self, op: Operation, path: str, headers: dict[str, str], body: Any, status: int, at: float
    ) -> None:
        kept = {k: v for k, v in headers.items() if k.startswith("x-line") or k == "content-type"}
        call = Call(op.operation_id, op.method, path, kept, body, status, at)
        with self._lock:
            self.calls.append(call)
        if self.on_call is not None:
            self.on_call(call)

    def _sent(self, messages: list[dict[str, Any]]) -> list[dict[str, str]]:
        with self._lock:
            out = []
            for message in messages:
                self._message_ids += 1
                sent = {"id": str(460000000000000 + self._message_ids)}
                if message.get("type") == "text":
                    sent["quoteToken"] = secrets.token_urlsafe(12)
                out.append(sent)
            return out

    # -- operations ---------------------------------------------------------------------------

    async def _op_replyMessage(
        self, _r: Request, _p: dict[str, str], _h: Any, body: Any, _raw: bytes
    ) -> Response:
        token = body["replyToken"]
        with self._lock:
            state = self.reply_tokens.get(token)
            if state is None and self.unknown_tokens_fresh:
                state = "fresh"
            if state == "fresh":
                self.reply_tokens[token] = "used"
        if state != "fresh":
            return _error(400, "Invalid reply token")
        return JSONResponse({"sentMessages": self._sent(body["messages"])})

    def _accept(
        self, key: str | None, to: list[str], messages: list[dict[str, Any]]
    ) -> list[dict[str, str]] | None:
        """Deliver once per retry key: ``None`` when the key was accepted before (409)."""
        sent = self._sent(messages)
        with self._lock:
            if key and key in self.accepted_retry_keys:
                self.retries_absorbed += 1
                return None
            if key:
                self.accepted_retry_keys[key] = sent
            for user in to:
                self.delivered.setdefault(user, []).append(messages)
        return sent

    async def _op_pushMessage(
        self, _r: Request, _p: dict[str, str], headers: dict[str, str], body: Any, _raw: bytes
    ) -> Response:
        key = headers.get("x-line-retry-key")
        if body["to"] in self.unknown_users:
            return _error(400, "Failed to send messages")
        sent = self._accept(key, [body["to"]], body["messages"])
        if sent is None:
            with self._lock:
                earlier = self.accepted_retry_keys[key or ""]
            return JSONResponse(
                {"message": "The retry key is already accepted", "sentMessages": earlier},
                status_code=409,
                headers={"x-line-accepted-request-id": str(uuid.uuid4())},
            )
        return JSONResponse(
            {"sentMessages": sent}, headers={"x-line-request-id": str(uuid.uuid4())}
        )

    async def _op_multicast(
        self, _r: Request, _p: dict[str, str], headers: dict[str, str], body: Any, _raw: bytes
    ) -> Response:
        """LINE skips recipients it cannot send to (blocked, unknown) without an error."""
        to = [user for user in body["to"] if user not in self.unknown_users]
        if self._accept(headers.get("x-line-retry-key"), to, body["messages"]) is None:
            return JSONResponse(
                {"message": "The retry key is already accepted"},
                status_code=409,
                headers={"x-line-accepted-request-id": str(uuid.uuid4())},
            )
        return JSONResponse({}, headers={"x-line-request-id": str(uuid.uuid4())})

    async def _op_getMessageQuota(self, *_: Any) -> Response:
        if self.quota_limit is None:
            return JSONResponse({"type": "none"})
        return JSONResponse({"type": "limited", "value": self.quota_limit})

    async def _op_getMessageQuotaConsumption(self, *_: Any) -> Response:
        return JSONResponse({"totalUsage": self.pushed_count + self.extra_usage})

    async def _op_createRichMenu(
        self, _r: Request, _p: dict[str, str], _h: Any, body: Any, _raw: bytes
    ) -> Response:
        problems = rich_menu_problems(body)
        if problems:
            for text in problems:
                self._problem(f"createRichMenu: {text}")
            return _error(400, "A message (messages[0]) in the request body is invalid", problems)
        menu = RichMenu(f"richmenu-{secrets.token_hex(16)}", body)
        with self._lock:
            self.rich_menus[menu.id] = menu
        return JSONResponse({"richMenuId": menu.id})

    async def _op_setRichMenuImage(
        self, request: Request, params: dict[str, str], _h: Any, _b: Any, raw: bytes
    ) -> Response:
        menu = self.rich_menus.get(params["richMenuId"])
        if menu is None:
            return _error(404, "Not found")
        problem = image_problem(request.headers.get("content-type", ""), raw, menu.request["size"])
        if menu.image is not None:
            problem = "An image has already been uploaded to the richmenu"
        if problem:
            self._problem(f"setRichMenuImage: {problem}")
            return _error(400, problem)
        menu.image = raw
        return JSONResponse({})

    async def _op_setDefaultRichMenu(
        self, _r: Request, params: dict[str, str], *_: Any
    ) -> Response:
        menu = self.rich_menus.get(params["richMenuId"])
        if menu is None:
            return _error(404, "Not found")
        if menu.image is None:
            self._problem("setDefaultRichMenu: the rich menu has no image yet")
            return _error(400, "must upload richmenu image before applying it to user")
        self.default_rich_menu = menu.id
        return JSONResponse({})

    async def _op_getDefaultRichMenuId(self, *_: Any) -> Response:
        if self.default_rich_menu is None:
            return _error(404, "no default richmenu")
        return JSONResponse({"richMenuId": self.default_rich_menu})

    async def _op_getRichMenuList(self, *_: Any) -> Response:
        menus = [{"richMenuId": m.id, **m.request} for m in self.rich_menus.values()]
        return JSONResponse({"richmenus": menus})

    async def _op_deleteRichMenu(self, _r: Request, params: dict[str, str], *_: Any) -> Response:
        with self._lock:
            removed = self.rich_menus.pop(params["richMenuId"], None)
            if removed is not None and self.default_rich_menu == removed.id:
                self.default_rich_menu = None
        return JSONResponse({}) if removed else _error(404, "Not found")


def _error(status: int, message: str, details: list[str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"message": message}
    if details:
        body["details"] = [
            {"message": text.split(": ", 1)[-1], "property": text.split(": ", 1)[0]}
            for text in details
        ]
    return JSONResponse(body, status_code=status)


def rich_menu_problems(menu: dict[str, Any]) -> list[str]:
    """What LINE's reference requires of a rich menu beyond the schema."""
    problems = [
        f"{name} is required"
        for name in ("size", "selected", "name", "chatBarText", "areas")
        if name not in menu
    ]
    if problems:
        return problems
    width, height = menu["size"]["width"], menu["size"]["height"]
    if not (800 <= width <= 2500 and 250 <= height <= 1686 and width / height >= 1.45):
        problems.append(f"size {width}x{height}: width 800-2500, height 250-1686, ratio ≥ 1.45")
    areas = menu["areas"]
    if not 1 <= len(areas) <= 20:
        problems.append("areas: 1 to 20 areas")
    for i, area in enumerate(areas):
        b = area["bounds"]
        if b["x"] + b["width"] > width or b["y"] + b["height"] > height:
            problems.append(f"areas[{i}].bounds: outside the rich menu")
    return problems


def image_problem(content_type: str, raw: bytes, size: dict[str, int]) -> str | None:
    if content_type not in {"image/png", "image/jpeg"}:
        return f"Content-Type {content_type!r}: must be image/png or image/jpeg"
    if len(raw) > MAX_IMAGE_BYTES:
        return f"image of {len(raw)} bytes: at most 1 MB"
    try:
        with Image.open(io.BytesIO(raw)) as image:
            image_format, dims = image.format, image.size
    except Exception:
        return "not a readable image"
    if image_format not in {"PNG", "JPEG"} or dims != (size["width"], size["height"]):
        return f"{image_format} image of {dims}: must match the rich menu's size"
    return None


@dataclass
class WebhookFactory:
    """Builds webhook bodies to ``webhook.yml`` (checked against it) and signs them."""

    secret: str
    stand_in: LineApiStandIn | None = None
    destination: str = "U" + "0" * 32
    timestamp_ms: Any = None  # () -> int; LINE's event time, in ms
    _counter: int = field(default=0)

    def _event(self, kind: str, user: str | None, **extra: Any) -> dict[str, Any]:
        self._counter += 1
        event: dict[str, Any] = {
            "type": kind,
            "timestamp": self.timestamp_ms() if self.timestamp_ms else int(time.time() * 1000),
            "mode": "active",
            "webhookEventId": f"01TEST{self._counter:020d}{secrets.token_hex(3).upper()}",
            "deliveryContext": {"isRedelivery": False},
        }
        if user is not None:
            event["source"] = {"type": "user", "userId": user}
        event.update(extra)
        return event

    def reply_token(self) -> str:
        return self.stand_in.issue_reply_token() if self.stand_in else secrets.token_hex(16)

    def text(self, user: str, text: str, **extra: Any) -> dict[str, Any]:
        message = {"type": "text", "id": str(self._counter + 1000), "text": text, "quoteToken": "q"}
        return self._event("message", user, replyToken=self.reply_token(), message=message, **extra)

    def postback(
        self, user: str, data: str, params: dict[str, str] | None = None
    ) -> dict[str, Any]:
        postback: dict[str, Any] = {"data": data}
        if params:
            postback["params"] = params
        return self._event("postback", user, replyToken=self.reply_token(), postback=postback)

    def follow(self, user: str) -> dict[str, Any]:
        return self._event(
            "follow", user, replyToken=self.reply_token(), follow={"isUnblocked": False}
        )

    def unfollow(self, user: str) -> dict[str, Any]:
        return self._event("unfollow", user)

    def event(self, kind: str, user: str | None = None, **extra: Any) -> dict[str, Any]:
        return self._event(kind, user, **extra)

    def body(self, *events: dict[str, Any], check: bool = True) -> bytes:
        payload = {"destination": self.destination, "events": list(events)}
        if check:
            webhook_schemas().check("CallbackRequest", payload)
        return json.dumps(payload, ensure_ascii=False).encode()

    def sign(self, body: bytes) -> str:
        digest = hmac.new(self.secret.encode(), body, hashlib.sha256).digest()
        return base64.b64encode(digest).decode()

    def headers(self, body: bytes) -> dict[str, str]:
        return {"content-type": "application/json", "x-line-signature": self.sign(body)}
