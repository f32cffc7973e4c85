"""The stand-in Bot API refuses what the real one would: it is only worth as much as that.

Raw HTTP here (no python-telegram-bot), so each malformed request is exactly the one meant.
Every test that sends a bad request on purpose checks the violation it caused and then
clears them, so the ``telegram_api`` fixture does not fail it.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from tests.standins.telegram_api import TOKEN, TelegramStandIn
from tests.standins.telegram_rules import parse_html
from tests.standins.telegram_spec import BotApiSpec

KEYBOARD = {"inline_keyboard": [[{"text": "ยืนยัน", "callback_data": "1|f|1|confirm"}]]}


async def call(api: TelegramStandIn, method: str, **kwargs: Any) -> httpx.Response:
    async with httpx.AsyncClient(timeout=10) as client:
        return await client.post(f"{api.base_url}{TOKEN}/{method}", **kwargs)


def refused(api: TelegramStandIn, response: httpx.Response, status: int, *expected: str) -> None:
    """The response is the error Telegram gives, and each ``expected`` text was reported."""
    assert response.status_code == status, response.text
    assert response.json()["ok"] is False
    found = "\n".join(api.violations)
    for text in expected:
        assert text in found, found
    api.violations.clear()


async def test_well_formed_requests_in_every_encoding_pass(telegram_api: TelegramStandIn) -> None:
    api = telegram_api
    api.user(501, "ก")
    as_json = await call(
        api,
        "sendMessage",
        json={"chat_id": 501, "text": "<b>สวัสดี</b> &amp;", "parse_mode": "HTML"},
    )
    as_form = await call(
        api,
        "sendMessage",
        data={"chat_id": "501", "text": "ข", "reply_markup": json.dumps(KEYBOARD)},
    )
    as_multipart = await call(
        api,
        "sendDocument",
        data={"chat_id": "501", "caption": "ผด.02", "disable_notification": "true"},
        files={"document": ("ผด.02.pdf", b"%PDF-1.4", "application/pdf")},
    )
    assert [r.status_code for r in (as_json, as_form, as_multipart)] == [200, 200, 200]
    assert as_form.json()["result"]["reply_markup"] == KEYBOARD
    upload = api.called("sendDocument")[0].params["document"]
    assert (upload.filename, upload.content) == ("ผด.02.pdf", b"%PDF-1.4")
    assert api.called("sendDocument")[0].params["disable_notification"] is True
    assert api.violations == []


async def test_an_unknown_method_is_not_found(telegram_api: TelegramStandIn) -> None:
    response = await call(telegram_api, "sendMesage", json={"chat_id": 1, "text": "x"})
    refused(telegram_api, response, 404, "unknown method 'sendMesage'")


async def test_unknown_and_missing_parameters_are_refused(telegram_api: TelegramStandIn) -> None:
    api = telegram_api
    api.user(502, "ก")
    response = await call(api, "sendMessage", json={"chat_id": 502, "txt": "x"})
    refused(
        api,
        response,
        400,
        "sendMessage: unknown parameter 'txt'",
        "sendMessage: missing required parameter 'text'",
    )


async def test_wrong_types_are_refused_at_any_depth(telegram_api: TelegramStandIn) -> None:
    api = telegram_api
    response = await call(api, "sendMessage", json={"chat_id": True, "text": 5})
    refused(
        api,
        response,
        400,
        "sendMessage.chat_id: expected Integer or String, got True",
        "sendMessage.text: expected String, got 5",
    )
    response = await call(
        api, "sendMessage", data={"chat_id": "five", "text": "x", "disable_notification": "yes"}
    )
    refused(api, response, 400, "sendMessage.disable_notification: expected Boolean")
    bad_button = {"inline_keyboard": [[{"text": "ก", "callback_dat": "1|f|1|1"}]]}
    response = await call(
        api, "sendMessage", json={"chat_id": 1, "text": "x", "reply_markup": bad_button}
    )
    refused(
        api,
        response,
        400,
        "sendMessage.reply_markup.inline_keyboard[0][0]: InlineKeyboardButton has no field "
        "'callback_dat'",
    )
    rows_not_nested = {"inline_keyboard": [{"text": "ก", "callback_data": "x"}]}
    response = await call(
        api, "sendMessage", json={"chat_id": 1, "text": "x", "reply_markup": rows_not_nested}
    )
    refused(api, response, 400, "inline_keyboard[0]: expected Array of InlineKeyboardButton")
    response = await call(
        api,
        "setMyCommands",
        json={"commands": [{"command": "start", "description": "ก"}], "scope": {"typ": "x"}},
    )
    refused(api, response, 400, "matches no subtype of BotCommandScope")


async def test_what_the_api_states_in_prose_is_checked_too(telegram_api: TelegramStandIn) -> None:
    api = telegram_api
    api.user(503, "ก")
    unescaped = {"chat_id": 503, "text": "<b>ถนน <คสล.></b>", "parse_mode": "HTML"}
    refused(api, await call(api, "sendMessage", json=unescaped), 400, "can't parse entities")
    too_long = {"chat_id": 503, "text": "📋" * 2049}  # 4098 UTF-16 units
    refused(api, await call(api, "sendMessage", json=too_long), 400, "too long (4098 > 4096)")
    fits = {"chat_id": 503, "text": "<b>" + "ก" * 4096 + "</b>", "parse_mode": "HTML"}
    assert (await call(api, "sendMessage", json=fits)).status_code == 200
    fat_button = {"inline_keyboard": [[{"text": "ก", "callback_data": "ก" * 22}]]}  # 66 bytes
    response = await call(
        api, "sendMessage", json={"chat_id": 503, "text": "x", "reply_markup": fat_button}
    )
    refused(api, response, 400, "BUTTON_DATA_INVALID (66 bytes)")
    thai_command = {"commands": [{"command": "สถานะ", "description": "ก"}]}
    refused(api, await call(api, "setMyCommands", json=thai_command), 400, "BOT_COMMAND_INVALID")


def test_telegram_html_as_the_server_reads_it() -> None:
    assert parse_html('<b>ก</b> &lt;x&gt; &amp; <a href="https://x">y</a>') == "ก <x> & y"
    assert parse_html("a < b") is None
    assert parse_html("<b>open") is None
    assert parse_html("<b><i>x</b></i>") is None
    assert parse_html("<div>x</div>") is None
    assert parse_html("AT&T") is None


async def test_the_wrong_token_is_unauthorized(telegram_api: TelegramStandIn) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{telegram_api.base_url}123:nope/getMe")
    refused(telegram_api, response, 401, "called with the wrong token")


async def test_get_updates_long_polls_and_an_offset_confirms(
    telegram_api: TelegramStandIn,
) -> None:
    api = telegram_api
    user = api.user(504, "ก")
    waiting = asyncio.create_task(call(api, "getUpdates", json={"timeout": 5}))
    first = await api.push(api.message_update(user, "หนึ่ง"))
    async with asyncio.timeout(5):
        response = await waiting  # answered by the push, not by the timeout
    assert [u["update_id"] for u in response.json()["result"]] == [first]
    second = await api.push(api.message_update(user, "สอง"))
    again = await call(api, "getUpdates", json={"offset": first + 1})
    assert [u["update_id"] for u in again.json()["result"]] == [second]
    assert api.confirmed == first + 1
    assert api.holding == 0
    held = asyncio.create_task(call(api, "getUpdates", json={"offset": second + 1, "timeout": 1}))
    await api.wait_for(lambda: api.holding == 1)  # nothing to send: held open, not answered
    empty = await held  # … until the timeout, then answered with nothing
    assert empty.json()["result"] == []
    assert api.holding == 0


async def test_get_updates_conflicts_with_a_webhook(telegram_api: TelegramStandIn) -> None:
    api = telegram_api
    assert (
        await call(api, "setWebhook", json={"url": "https://x.example/hook"})
    ).status_code == 200
    conflict = await call(api, "getUpdates", json={})
    assert conflict.status_code == 409
    plain_http = await call(api, "setWebhook", json={"url": "http://x.example/hook"})
    assert plain_http.status_code == 400  # Telegram delivers to HTTPS only
    assert api.violations == []  # well-formed, refused for what it asked: not a violation


def test_made_up_updates_must_be_real_updates() -> None:
    api = TelegramStandIn()
    user = api.user(505, "ก")
    update = api.message_update(user, "ก")
    del update["message"]["chat"]
    with pytest.raises(AssertionError, match="missing required field 'chat'"):
        api.check_update(update)


def test_the_spec_is_the_published_one() -> None:
    spec = BotApiSpec.load()
    for method in (
        "getMe",
        "getUpdates",
        "sendMessage",
        "answerCallbackQuery",
        "editMessageReplyMarkup",
        "sendDocument",
        "sendPhoto",
        "setMyCommands",
        "setWebhook",
        "getWebhookInfo",
        "deleteWebhook",
    ):
        assert spec.method_name(method) == method
    assert (
        spec.check_value(
            [[{"text": "ก", "url": "https://x"}]], ["Array of Array of InlineKeyboardButton"], "k"
        ).errors
        == ()
    )
