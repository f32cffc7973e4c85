"""planbot's LINE channel under test: the web app, the LINE service, and the stand-in API.

Webhooks are posted to the app in-process (httpx's ASGI transport) exactly as LINE would
send them — bodies built to ``webhook.yml`` and signed with the test secret — and the SDK
answers through real HTTP to :class:`tests.standins.line_api.LineApiStandIn`. ``send``
returns once the service has handled the events and sent the outbox (no sleeping).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI
from sqlmodel import select

from bot.channels.line.service import LineService
from bot.runtime import Runtime
from bot.settings import Settings
from bot.web import create_app
from models import db
from models.enums import Channel
from models.org import ChannelAccount
from tests.standins.line_api import LineApiStandIn, WebhookFactory

SECRET = "test-channel-secret"
PUBLIC_URL = "https://planbot.example.go.th"


def line_user(name: str) -> str:
    """A LINE user id (U + 32 hex) made from a test name."""
    return "U" + hashlib.md5(name.encode()).hexdigest()


def line_settings(stand_in: LineApiStandIn, base: Settings, **extra: Any) -> Settings:
    values = {
        "PLANBOT_DATABASE_URL": base.database_url,
        "LINE_CHANNEL_SECRET": SECRET,
        "LINE_CHANNEL_ACCESS_TOKEN": stand_in.access_token,
        "LINE_API_BASE_URL": stand_in.api_base_url,
        "LINE_DATA_API_BASE_URL": stand_in.data_base_url,
        "PLANBOT_PUBLIC_URL": PUBLIC_URL,
        **extra,
    }
    return Settings(_env_file=None, **values)


@dataclass
class LineHarness:
    runtime: Runtime
    stand_in: LineApiStandIn
    settings: Settings
    service: LineService = field(init=False)
    app: FastAPI = field(init=False)
    client: httpx.AsyncClient = field(init=False)
    webhooks: WebhookFactory = field(init=False)

    def __post_init__(self) -> None:
        clock = self.runtime.clock
        self.service = LineService(self.settings, poll_interval=3600)
        self.app = create_app(self.settings, self.runtime, [self.service])
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url="http://planbot.test"
        )
        self.webhooks = WebhookFactory(
            SECRET, self.stand_in, timestamp_ms=lambda: int(clock.now().timestamp() * 1000)
        )

    async def start(self) -> LineHarness:
        await self.service.start(self.runtime)
        return self

    async def close(self) -> None:
        await self.service.stop()
        await self.client.aclose()

    async def post(self, body: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
        signed = self.webhooks.headers(body) if headers is None else headers
        return await self.client.post("/webhooks/line", content=body, headers=signed)

    async def send(self, *events: dict[str, Any], check: bool = True) -> httpx.Response:
        """Deliver events in one signed webhook and wait until they are fully handled."""
        response = await self.post(self.webhooks.body(*events, check=check))
        await self.service.drain()
        return response

    def replies_to(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        """The messages sent with this event's reply token."""
        token = event.get("replyToken")
        return [
            message
            for call in self.stand_in.replies
            if call.body["replyToken"] == token
            for message in call.body["messages"]
        ]

    def pushes_to(self, user: str) -> list[dict[str, Any]]:
        return [
            message
            for call in self.stand_in.pushes
            if call.body["to"] == user
            for message in call.body["messages"]
        ]

    async def link_account(self, name: str, handle: str) -> str:
        """Give the demo person behind console ``handle`` a LINE account; its user id."""
        user = line_user(name)
        async with db.transaction(self.runtime.sessions) as session:
            console = (
                await session.exec(
                    select(ChannelAccount).where(
                        ChannelAccount.channel == Channel.CONSOLE,
                        ChannelAccount.external_id == handle,
                    )
                )
            ).one()
            session.add(
                ChannelAccount(
                    channel=Channel.LINE,
                    external_id=user,
                    person_id=console.person_id,
                    display_name=handle,
                    created_at=self.runtime.clock.now(),
                )
            )
        return user


def message_text(message: dict[str, Any]) -> str:
    """What a person reads in one LINE message: text, or every text of a Flex message."""
    if message["type"] == "text":
        return str(message["text"])
    if message["type"] == "flex":
        return "\n".join(_flex_texts(message["contents"]))
    return ""


def _flex_texts(node: Any) -> list[str]:
    if isinstance(node, dict):
        if node.get("type") == "text":
            return [node["text"]]
        found: list[str] = []
        for value in node.values():
            found += _flex_texts(value)
        return found
    if isinstance(node, list):
        return [text for item in node for text in _flex_texts(item)]
    return []


def actions(message: dict[str, Any]) -> list[dict[str, Any]]:
    """Every action a person can tap in one LINE message: quick replies and Flex buttons."""
    found = [item["action"] for item in (message.get("quickReply") or {}).get("items", [])]
    if message["type"] == "flex":
        found += _flex_actions(message["contents"])
    return found


def _flex_actions(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        found = [node["action"]] if node.get("type") == "button" else []
        for key, value in node.items():
            if key != "action":
                found += _flex_actions(value)
        return found
    if isinstance(node, list):
        return [a for item in node for a in _flex_actions(item)]
    return []


@dataclass
class LineChat:
    """Chat over LINE as a person would: type, tap what is on screen, read what came back.

    A demo handle (``agency``, ``c1`` …) speaks from a LINE account linked to that demo
    person; any other name is a stranger with a fresh LINE id. What the phone shows after
    each step — the reply, plus anything pushed meanwhile — is kept so its buttons can be
    tapped, and ``say``/``press`` return it as text (Flex rows as ``label: value``).
    """

    line: LineHarness
    users: dict[str, str] = field(default_factory=dict)
    shown: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    strangers: set[str] = field(default_factory=set)

    async def user(self, who: str) -> str:
        if who not in self.users:
            try:
                self.users[who] = await self.line.link_account(who, who)
            except Exception:  # not a demo handle: a stranger
                self.users[who] = line_user(who)
        return self.users[who]

    async def _deliver(self, who: str, event: dict[str, Any]) -> str:
        user = await self.user(who)
        pushed_before = len(self.line.pushes_to(user))
        await self.line.send(event)
        messages = self.line.replies_to(event) + self.line.pushes_to(user)[pushed_before:]
        self.shown[who] = messages
        return screen_text(messages)

    async def say(self, who: str, text: str) -> str:
        return await self._deliver(who, self.line.webhooks.text(await self.user(who), text))

    async def press(self, who: str, label: str) -> str:
        action = self.action(who, label)
        if action["type"] == "datetimepicker":
            raise AssertionError("use pick_date for the date picker")
        event = self.line.webhooks.postback(await self.user(who), action["data"])
        return await self._deliver(who, event)

    async def pick_date(self, who: str, iso_date: str) -> str:
        [picker] = [a for a in self.actions(who) if a["type"] == "datetimepicker"]
        event = self.line.webhooks.postback(
            await self.user(who), picker["data"], {"date": iso_date}
        )
        return await self._deliver(who, event)

    def actions(self, who: str) -> list[dict[str, Any]]:
        return [a for m in self.shown.get(who, []) for a in actions(m)]

    def action(self, who: str, label: str) -> dict[str, Any]:
        for found in self.actions(who):
            if label in (found.get("displayText"), found.get("label")):
                return found
        raise AssertionError(f"{who} has no button {label!r}: {self.buttons(who)}")

    def buttons(self, who: str) -> list[str]:
        """Full labels of the postback buttons on screen (cut labels read from displayText)."""
        return [
            a.get("displayText") or a["label"] for a in self.actions(who) if a["type"] == "postback"
        ]

    async def show_pushes(self, who: str) -> list[dict[str, Any]]:
        """Whatever was pushed to ``who`` so far, on their screen (a notice they opened)."""
        self.line.service.wake()
        await self.line.service.drain()
        self.shown[who] = self.line.pushes_to(await self.user(who))
        return self.shown[who]


def screen_text(messages: list[dict[str, Any]]) -> str:
    return "\n".join(_plain(m) for m in messages)


def _plain(message: dict[str, Any]) -> str:
    if message["type"] != "flex":
        return message_text(message)
    return "\n".join(_flex_lines(message["contents"]))


def _flex_lines(node: Any) -> list[str]:
    """Texts of a Flex container; a label/value row reads ``label: value``."""
    if isinstance(node, list):
        return [line for item in node for line in _flex_lines(item)]
    if not isinstance(node, dict):
        return []
    kind = node.get("type")
    if kind == "text":
        return [node["text"]]
    if kind == "box" and node.get("layout") == "baseline":
        texts = [c["text"] for c in node["contents"] if c.get("type") == "text"]
        return [": ".join(texts)]
    lines: list[str] = []
    for key in ("header", "hero", "body", "footer", "contents"):
        if key in node:
            lines += _flex_lines(node[key])
    return lines
