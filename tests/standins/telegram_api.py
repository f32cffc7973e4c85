"""A Telegram Bot API server in miniature, for tests: real HTTP, checked against the spec.

python-telegram-bot talks to it exactly as to ``api.telegram.org`` (``base_url`` points
here). Every request is checked against ``specs/telegram/api.json`` (method, parameter
names, required parameters, types, recursively) and against the rules the API states in
prose (:mod:`tests.standins.telegram_rules`). A request the real server would reject as
malformed is answered ``400`` *and* recorded in :attr:`TelegramStandIn.violations`, which the
fixture turns into a test failure — even if the bot swallowed the error.

Besides checking, it behaves enough like Telegram for a bot to run against it: ``getUpdates``
long-polls a queue the test feeds (an update is confirmed when a later call's ``offset``
passes it, as on the real server), sent messages get ids and are remembered so buttons can
be pressed and retired, unknown chats and callback queries are refused, a blocked user
answers ``403``, a webhook makes ``getUpdates`` a ``409``, and a test can make the next call
of a method fail (``429`` with ``retry_after`` …).
"""

from __future__ import annotations

import asyncio
import contextlib
import email.parser
import email.policy
import itertools
import json
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import parse_qsl

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.standins.telegram_rules import request_problem
from tests.standins.telegram_spec import BotApiSpec, Upload

TOKEN = "123456789:TEST-planbot-token"
BOT_ID = 123456789
BOT_USERNAME = "planbot_test_bot"
LONG_POLL_CAP = 5.0  # seconds: a test never waits longer on one getUpdates
START = 1_760_000_000  # a fixed Unix time for message dates


@dataclass(frozen=True)
class TgUser:
    """A Telegram user who talks to the bot (their private chat has their id)."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None

    def as_user(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            user["last_name"] = self.last_name
        if self.username:
            user["username"] = self.username
        user["language_code"] = "th"
        return user

    def private_chat(self) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name:
            chat["last_name"] = self.last_name
        return chat


def group_chat(chat_id: int, title: str = "คณะกรรมการพัฒนาท้องถิ่น") -> dict[str, Any]:
    return {"id": chat_id, "type": "supergroup", "title": title}


@dataclass
class Call:
    """One request the bot made, decoded (``"42"`` → 42, JSON text → objects)."""

    method: str
    params: dict[str, Any]
    status: int
    result: Any = None
    error: str | None = None

    @property
    def chat_id(self) -> Any:
        return self.params.get("chat_id")


@dataclass
class _Failure:
    code: int
    description: str
    retry_after: int | None = None


@dataclass
class TelegramStandIn:
    """The stand-in's state and its ASGI app; serve it with :meth:`running`."""

    token: str = TOKEN
    bot_id: int = BOT_ID
    username: str = BOT_USERNAME
    spec: BotApiSpec = field(default_factory=lambda: _spec())
    calls: list[Call] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    chats: dict[int, dict[str, Any]] = field(default_factory=dict)
    messages: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    blocked: set[int] = field(default_factory=set)
    commands: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    webhook: dict[str, Any] = field(default_factory=dict)
    base_url: str = ""
    confirmed: int = 0  # every update_id below this has been confirmed by an offset
    holding: int = 0  # getUpdates calls held open right now, waiting for an update

    def __post_init__(self) -> None:
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(100_001)
        self._message_ids = itertools.count(1)
        self._query_ids = itertools.count(1)
        self._queries: set[str] = set()
        self._failures: dict[str, list[_Failure]] = {}
        self._changed = asyncio.Condition()
        self._closing = False
        self.app = Starlette(
            routes=[Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"])]
        )

    # -- serving ---------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[TelegramStandIn]:
        """Serve on 127.0.0.1 at a free port in this event loop until the block ends."""
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        server = uvicorn.Server(
            uvicorn.Config(
                self.app,
                host="127.0.0.1",
                port=port,
                log_level="warning",
                lifespan="off",
                timeout_graceful_shutdown=2,
            )
        )
        task = asyncio.create_task(server.serve())
        try:
            async with asyncio.timeout(10):
                while not server.started:
                    if task.done():
                        task.result()  # raises why it could not start
                    await asyncio.sleep(0.01)
            self.base_url = f"http://127.0.0.1:{port}/bot"
            yield self
        finally:
            self._closing = True
            await self._notify()
            server.should_exit = True
            await asyncio.wait_for(task, 10)

    # -- what tests feed -------------------------------------------------------------------

    def user(self, user_id: int, first_name: str, last_name: str | None = None) -> TgUser:
        """A user who has started the bot, so their private chat exists."""
        user = TgUser(user_id, first_name, last_name)
        self.chats[user_id] = user.private_chat()
        return user

    def group(self, chat_id: int, title: str = "คณะกรรมการพัฒนาท้องถิ่น") -> dict[str, Any]:
        """A group the bot is a member of."""
        self.chats[chat_id] = group_chat(chat_id, title)
        return self.chats[chat_id]

    def message_update(
        self,
        user: TgUser,
        text: str | None = None,
        *,
        chat: dict[str, Any] | None = None,
        reply_to: dict[str, Any] | None = None,
        **content: Any,
    ) -> dict[str, Any]:
        """An update with a message from ``user`` (text, or ``photo=``/``document=`` …)."""
        chat = chat or user.private_chat()
        self.chats.setdefault(chat["id"], chat)
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "from": user.as_user(),
            "chat": chat,
            "date": START,
        }
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                command = text.split()[0]
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        message.update(content)
        return {"update_id": next(self._update_ids), "message": message}

    def callback_update(self, user: TgUser, message: dict[str, Any], data: str) -> dict[str, Any]:
        """An update for ``user`` pressing the button with ``data`` under a bot ``message``."""
        query_id = f"cbq{next(self._query_ids)}"
        self._queries.add(query_id)
        return {
            "update_id": next(self._update_ids),
            "callback_query": {
                "id": query_id,
                "from": user.as_user(),
                "message": message,
                "chat_instance": f"ci{message['chat']['id']}",
                "data": data,
            },
        }

    def other_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """An update of any other type (``poll``, ``edited_channel_post`` …)."""
        return {"update_id": next(self._update_ids), kind: payload}

    async def push(self, update: dict[str, Any]) -> int:
        """Queue an update for ``getUpdates``; it must itself be a valid ``Update``."""
        self.check_update(update)
        self._updates.append(update)
        await self._notify()
        return int(update["update_id"])

    def check_update(self, update: dict[str, Any]) -> None:
        """Updates a test makes up must be ones Telegram could send."""
        checked = self.spec.check_object(update, "Update")
        if checked.errors:
            raise AssertionError(
                "made-up update is not a valid Update:\n" + "\n".join(checked.errors)
            )

    def fail_next(
        self, method: str, code: int, description: str, *, retry_after: int | None = None
    ) -> None:
        """Make the next call of ``method`` fail as Telegram would (429, 403, 500 …)."""
        self._failures.setdefault(method, []).append(_Failure(code, description, retry_after))

    def block(self, user_id: int) -> None:
        """The user blocked the bot: sending to them is ``403 Forbidden``."""
        self.blocked.add(user_id)

    # -- what tests read -------------------------------------------------------------------

    def sent(self, chat_id: int | None = None, *, method: str | None = None) -> list[Call]:
        """Successful sends (messages, documents, photos), optionally to one chat."""
        methods = {method} if method else {"sendMessage", "sendDocument", "sendPhoto"}
        return [
            c
            for c in self.calls
            if c.method in methods and c.status == 200 and (chat_id is None or c.chat_id == chat_id)
        ]

    def called(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Wait until ``predicate()`` is truthy (re-checked on every request); return it."""
        async with self._changed:
            async with asyncio.timeout(timeout):
                await self._changed.wait_for(predicate)
            return predicate()

    async def wait_confirmed(self, update_id: int, timeout: float = 10.0) -> None:
        """Wait until the bot asked for updates past ``update_id``: it has finished with it."""
        await self.wait_for(lambda: self.confirmed > update_id, timeout)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # -- the API ---------------------------------------------------------------------------

    async def _endpoint(self, request: Request) -> JSONResponse:
        method = request.path_params["method"]
        if request.path_params["token"] != self.token:
            self.violations.append(f"{method}: called with the wrong token")
            return _error(401, "Unauthorized")
        params, textual = await self._params(request)
        name, decoded, errors = self.spec.check_call(method, params, textual=textual)
        if name is None:
            self.violations.extend(errors)
            self.calls.append(Call(method, params, 404, error=errors[0]))
            await self._notify()
            return _error(404, "Not Found")
        problem = errors[0] if errors else request_problem(name, decoded)
        if errors or problem:
            self.violations.extend(errors or [f"{name}: {problem}"])
            return await self._record(name, decoded, _error(400, f"Bad Request: {problem}"))
        failures = self._failures.get(name)
        if failures:
            failure = failures.pop(0)
            response = _error(failure.code, failure.description, retry_after=failure.retry_after)
            return await self._record(name, decoded, response)
        handler = getattr(self, f"_api_{name}", None)
        if handler is None:
            self.violations.append(f"{name}: valid, but not served by the stand-in")
            return await self._record(name, decoded, _error(400, "Bad Request: not served"))
        outcome = await handler(decoded)
        if isinstance(outcome, JSONResponse):
            return await self._record(name, decoded, outcome)
        checked = self.spec.check_value(outcome, self.spec.returns[name], f"{name} result")
        if checked.errors:  # the stand-in must answer as Telegram does, too
            self.violations.extend(checked.errors)
        return await self._record(name, decoded, JSONResponse({"ok": True, "result": outcome}))

    async def _record(
        self, method: str, params: dict[str, Any], response: JSONResponse
    ) -> JSONResponse:
        body = json.loads(bytes(response.body))
        self.calls.append(
            Call(
                method,
                params,
                response.status_code,
                result=body.get("result"),
                error=body.get("description"),
            )
        )
        await self._notify()
        return response

    async def _params(self, request: Request) -> tuple[dict[str, Any], set[str] | bool]:
        """Parameters from the query string and a JSON, urlencoded or multipart body."""
        params: dict[str, Any] = dict(request.query_params)
        textual: set[str] = set(params)
        body = await request.body()
        content_type = request.headers.get("content-type", "")
        if not body:
            return params, textual
        if content_type.startswith("application/json"):
            loaded = json.loads(body)
            if not isinstance(loaded, dict):
                self.violations.append("a JSON body that is not an object")
                return params, textual
            params.update(loaded)
            return params, textual - set(loaded)
        if content_type.startswith("application/x-www-form-urlencoded"):
            form = dict(parse_qsl(body.decode(), keep_blank_values=True))
        elif content_type.startswith("multipart/form-data"):
            form = _multipart(body, content_type)
        else:
            self.violations.append(f"unsupported content type {content_type!r}")
            return params, textual
        params.update(form)
        return params, True

    # -- methods (each returns the result, or an error response) ---------------------------

    async def _api_getMe(self, _p: dict[str, Any]) -> Any:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "planbot",
            "username": self.username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _api_getUpdates(self, p: dict[str, Any]) -> Any:
        if self.webhook.get("url"):
            return _error(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = p.get("offset")
        if offset is not None and offset > self.confirmed:
            self.confirmed = offset
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            await self._notify()
        limit = p.get("limit") or 100
        timeout = min(float(p.get("timeout") or 0), LONG_POLL_CAP)
        async with self._changed:
            held = not self._updates and timeout > 0
            if held:
                self.holding += 1
                self._changed.notify_all()
            try:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(timeout):
                        await self._changed.wait_for(lambda: self._updates or self._closing)
            finally:
                if held:
                    self.holding -= 1
        return self._updates[:limit]

    async def _api_sendMessage(self, p: dict[str, Any]) -> Any:
        return self._new_message(p, text=p["text"])

    async def _api_sendDocument(self, p: dict[str, Any]) -> Any:
        upload = p["document"]
        name = upload.filename if isinstance(upload, Upload) else "file"
        size = len(upload.content) if isinstance(upload, Upload) else 1
        document = {
            "file_id": f"doc-{next(self._message_ids)}",
            "file_unique_id": f"u{size}",
            "file_name": name or "file",
            "file_size": size,
        }
        return self._new_message(p, document=document, caption=p.get("caption"))

    async def _api_sendPhoto(self, p: dict[str, Any]) -> Any:
        n = next(self._message_ids)
        photo = [{"file_id": f"photo-{n}", "file_unique_id": f"p{n}", "width": 800, "height": 600}]
        return self._new_message(p, photo=photo, caption=p.get("caption"))

    async def _api_editMessageReplyMarkup(self, p: dict[str, Any]) -> Any:
        key = (p.get("chat_id"), p.get("message_id"))
        message = self.messages.get(key)  # type: ignore[arg-type]
        if message is None:
            return _error(400, "Bad Request: message to edit not found")
        markup = p.get("reply_markup")
        if markup == message.get("reply_markup") or (not markup and "reply_markup" not in message):
            return _error(400, "Bad Request: message is not modified")
        if markup and markup.get("inline_keyboard"):
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)
        message["edit_date"] = START + 60
        return message

    async def _api_answerCallbackQuery(self, p: dict[str, Any]) -> Any:
        if p["callback_query_id"] not in self._queries:
            return _error(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        return True

    async def _api_setMyCommands(self, p: dict[str, Any]) -> Any:
        scope = (p.get("scope") or {"type": "default"})["type"]
        self.commands[scope] = p["commands"]
        return True

    async def _api_getMyCommands(self, p: dict[str, Any]) -> Any:
        scope = (p.get("scope") or {"type": "default"})["type"]
        return self.commands.get(scope, [])

    async def _api_setWebhook(self, p: dict[str, Any]) -> Any:
        url = p["url"]
        if url and not url.startswith("https://"):
            return _error(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        self.webhook = {k: v for k, v in p.items() if k != "certificate"} if url else {}
        return True

    async def _api_deleteWebhook(self, p: dict[str, Any]) -> Any:
        self.webhook = {}
        if p.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _api_getWebhookInfo(self, _p: dict[str, Any]) -> Any:
        info: dict[str, Any] = {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self.webhook.get("allowed_updates") is not None:
            info["allowed_updates"] = self.webhook["allowed_updates"]
        if self.webhook.get("max_connections") is not None:
            info["max_connections"] = self.webhook["max_connections"]
        return info

    def _new_message(self, p: dict[str, Any], **content: Any) -> Any:
        chat_id = p["chat_id"]
        chat = self.chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            return _error(400, "Bad Request: chat not found")
        if chat_id in self.blocked:
            return _error(403, "Forbidden: bot was blocked by the user")
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "from": {
                "id": self.bot_id,
                "is_bot": True,
                "first_name": "planbot",
                "username": self.username,
            },
            "chat": chat,
            "date": START,
        }
        message.update({k: v for k, v in content.items() if v is not None})
        markup = p.get("reply_markup")
        if markup and markup.get("inline_keyboard"):
            message["reply_markup"] = markup
        self.messages[(chat_id, message["message_id"])] = message
        return message


@cache
def _spec() -> BotApiSpec:
    return BotApiSpec.load()


def _error(code: int, description: str, *, retry_after: int | None = None) -> JSONResponse:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return JSONResponse(body, status_code=code)


def _multipart(body: bytes, content_type: str) -> dict[str, Any]:
    """Form fields as text and file parts as :class:`Upload`, parsed with the stdlib."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    form: dict[str, Any] = {}
    for part in message.iter_parts():  # type: ignore[attr-defined]
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is not None:
            form[name] = Upload(_header_text(filename), payload, part.get_content_type())
        else:
            form[name] = payload.decode()
    return form


def _header_text(value: str) -> str:
    """A header value with raw UTF-8 bytes (how httpx writes a Thai file name) decoded."""
    try:
        return value.encode("utf-8", "surrogateescape").decode("utf-8")
    except UnicodeError:
        return value
