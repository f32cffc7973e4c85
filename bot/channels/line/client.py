"""The LINE Messaging API through line-bot-sdk v3's async clients, in planbot's terms.

One client per LINE host (``api.line.me`` for messages, ``api-data.line.me`` for the rich
menu image), both made when the app starts and closed when it stops; their bases come from
``LINE_API_BASE_URL`` and ``LINE_DATA_API_BASE_URL`` so tests and benchmarks point them at
a local stand-in. Every call has a bounded timeout: the SDK's own default is five minutes.

Messages are passed in as the API's JSON (see ``render``) and turned into the SDK's models
here, so nothing outside this package depends on the SDK.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

import aiohttp
from linebot.v3.messaging import (
    AsyncApiClient,
    AsyncMessagingApi,
    AsyncMessagingApiBlob,
    Configuration,
    MulticastRequest,
    PushMessageRequest,
    ReplyMessageRequest,
    RichMenuRequest,
)
from linebot.v3.messaging.exceptions import ApiException

from bot.channels.line.render import LineMessage

log = logging.getLogger(__name__)

REQUEST_TIMEOUT = 10.0  # seconds; LINE answers in well under one


class LineApiError(Exception):
    """LINE refused or failed a call; ``status`` 0 means it was never answered."""

    def __init__(self, operation: str, status: int, message: str) -> None:
        super().__init__(f"LINE {operation}: {status} {message}")
        self.operation = operation
        self.status = status
        self.message = message

    @property
    def retryable(self) -> bool:
        return self.status == 0 or self.status == 429 or self.status >= 500


class ReplyRejected(LineApiError):
    """The reply token was not accepted (used, expired, or from a redelivery): push instead."""


@dataclass(frozen=True)
class Quota:
    """The month's message quota: ``limit`` is ``None`` when LINE sets none ("none" type)."""

    limit: int | None
    used: int


def _error(operation: str, exc: ApiException) -> LineApiError:
    message = ""
    try:
        body = json.loads(exc.body or b"{}")
        message = str(body.get("message", ""))
    except (ValueError, TypeError, AttributeError):
        message = str(exc.reason or "")
    return LineApiError(operation, int(exc.status or 0), message)


class LineApi:
    """The calls planbot makes, with its errors and timeouts."""

    def __init__(
        self,
        access_token: str,
        api_base_url: str = "https://api.line.me",
        data_api_base_url: str = "https://api-data.line.me",
        *,
        timeout: float = REQUEST_TIMEOUT,
    ) -> None:
        self._timeout = timeout
        self._client = AsyncApiClient(
            Configuration(host=api_base_url.rstrip("/"), access_token=access_token)
        )
        self._data_client = AsyncApiClient(
            Configuration(host=data_api_base_url.rstrip("/"), access_token=access_token)
        )
        self.messaging = AsyncMessagingApi(self._client)
        self.blob = AsyncMessagingApiBlob(self._data_client)

    async def close(self) -> None:
        for client in (self._client, self._data_client):
            try:
                await client.close()
            except Exception:  # closing must not hide the reason we are stopping
                log.debug("closing a LINE client failed", exc_info=True)

    async def _call(self, operation: str, coro: Any) -> Any:
        try:
            return await coro
        except ApiException as exc:
            raise _error(operation, exc) from exc
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:  # refused, reset, timed out
            raise LineApiError(operation, 0, f"{type(exc).__name__}: {exc}") from exc

    async def reply(self, reply_token: str, messages: list[LineMessage]) -> None:
        request = ReplyMessageRequest.from_dict({"replyToken": reply_token, "messages": messages})
        try:
            await self._call(
                "reply",
                self.messaging.reply_message(request, _request_timeout=self._timeout),
            )
        except LineApiError as exc:
            if exc.status == 400 and "reply token" in exc.message.lower():
                raise ReplyRejected(exc.operation, exc.status, exc.message) from exc
            raise

    async def push(self, to: str, messages: list[LineMessage], retry_key: str) -> bool:
        """Push; ``False`` when LINE had already accepted this retry key (sent before)."""
        request = PushMessageRequest.from_dict({"to": to, "messages": messages})
        try:
            await self._call(
                "push",
                self.messaging.push_message(
                    request, x_line_retry_key=retry_key, _request_timeout=self._timeout
                ),
            )
        except LineApiError as exc:
            if exc.status == 409:  # "The retry key is already accepted": it went out before
                log.info("push with retry key %s was already accepted", retry_key)
                return False
            raise
        return True

    async def multicast(self, to: list[str], messages: list[LineMessage], retry_key: str) -> bool:
        """The same messages to up to 500 users in one request (counted per recipient);
        ``False`` when LINE had already accepted this retry key (sent before)."""
        request = MulticastRequest.from_dict({"to": to, "messages": messages})
        try:
            await self._call(
                "multicast",
                self.messaging.multicast(
                    request, x_line_retry_key=retry_key, _request_timeout=self._timeout
                ),
            )
        except LineApiError as exc:
            if exc.status == 409:
                log.info("multicast with retry key %s was already accepted", retry_key)
                return False
            raise
        return True

    async def quota(self) -> Quota:
        """LINE's limit for this month and what it counts as used (all senders together)."""
        limit = await self._call(
            "quota", self.messaging.get_message_quota(_request_timeout=self._timeout)
        )
        used = await self._call(
            "quota consumption",
            self.messaging.get_message_quota_consumption(_request_timeout=self._timeout),
        )
        value = limit.value if limit.type == "limited" else None
        return Quota(limit=value, used=int(used.total_usage))

    # -- rich menu ----------------------------------------------------------------------------

    async def create_rich_menu(self, menu: dict[str, Any]) -> str:
        created = await self._call(
            "create rich menu",
            self.messaging.create_rich_menu(
                RichMenuRequest.from_dict(menu), _request_timeout=self._timeout
            ),
        )
        return str(created.rich_menu_id)

    async def set_rich_menu_image(self, rich_menu_id: str, png: bytes) -> None:
        await self._call(
            "upload rich menu image",
            self.blob.set_rich_menu_image(
                rich_menu_id,
                png,
                _headers={"Content-Type": "image/png"},
                _request_timeout=self._timeout,
            ),
        )

    async def set_default_rich_menu(self, rich_menu_id: str) -> None:
        await self._call(
            "set default rich menu",
            self.messaging.set_default_rich_menu(rich_menu_id, _request_timeout=self._timeout),
        )

    async def rich_menus(self) -> list[tuple[str, str]]:
        """(id, name) of every rich menu of the channel."""
        found = await self._call(
            "list rich menus", self.messaging.get_rich_menu_list(_request_timeout=self._timeout)
        )
        return [(str(m.rich_menu_id), str(m.name)) for m in found.richmenus]

    async def delete_rich_menu(self, rich_menu_id: str) -> None:
        await self._call(
            "delete rich menu",
            self.messaging.delete_rich_menu(rich_menu_id, _request_timeout=self._timeout),
        )
