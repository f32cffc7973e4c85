"""Where each incoming message goes: a command, a button, the form in progress, or help.

Flow modules register themselves here with decorators; ``handlers/__init__`` imports them
all, so the registry is complete once ``handlers`` is imported.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from handlers import buttons, forms
from handlers.commands import CANCEL, CATALOG, HELP, Command
from handlers.context import Halt, Turn
from handlers.messages import Outgoing, Text, buttons_of
from handlers.phrases import PHRASES
from models.thaitext import normalize_digits

CommandHandler = Callable[[Turn, str], Awaitable[list[Outgoing]]]
ActionHandler = Callable[[Turn, buttons.ActionPress], Awaitable[list[Outgoing]]]
Fallback = Callable[[Turn, str], Awaitable[list[Outgoing] | None]]

TEXT = {
    "nothing_to_cancel": "ไม่มีรายการที่ค้างอยู่ — พิมพ์ ช่วยเหลือ เพื่อดูคำสั่ง",
    "unknown_command": "ไม่รู้จักคำสั่ง {command}",
    "not_text": "ขออภัย ยังอ่านสติกเกอร์ รูปภาพ หรือไฟล์ในขั้นนี้ไม่ได้ — พิมพ์ ช่วยเหลือ เพื่อดูคำสั่ง",
}

HANDLERS: dict[str, CommandHandler] = {}  # by command name (handlers.commands)
ACTIONS: dict[str, ActionHandler] = {}
FALLBACKS: list[Fallback] = []


def _key(word: str) -> str:
    return re.sub(r"\s+", "", normalize_digits(word)).casefold()


# "/submit", "เสนอโครงการ" … → the command, however it is spaced, cased or digited
WORDS: dict[str, Command] = {_key(word): cmd for cmd in CATALOG for word in (cmd.slash, *cmd.words)}


def command(cmd: Command) -> Callable[[CommandHandler], CommandHandler]:
    """Attach the handler of a command declared in ``handlers.commands``."""

    def register(handler: CommandHandler) -> CommandHandler:
        if cmd.name in HANDLERS:
            raise ValueError(f"command {cmd.name} has two handlers")
        HANDLERS[cmd.name] = handler
        return handler

    return register


def action(name: str) -> Callable[[ActionHandler], ActionHandler]:
    def register(handler: ActionHandler) -> ActionHandler:
        ACTIONS[name] = handler
        return handler

    return register


def fallback(handler: Fallback) -> Fallback:
    FALLBACKS.append(handler)
    return handler


def split_command(text: str) -> tuple[Command | None, str]:
    """Find a command at the start of ``text``: ``/start CODE``, ``เข้าร่วม CODE``, ``สถานะ``."""
    stripped = text.strip()
    first, _, rest = stripped.partition(" ")
    first = first.split("@", 1)[0] if first.startswith("/") else first  # /start@planbot
    found = WORDS.get(_key(first))
    if found is not None:
        return found, rest.strip()
    found = WORDS.get(_key(stripped))  # multi-word commands typed with spaces
    return (found, "") if found is not None else (None, "")


async def run(turn: Turn, cmd: Command, args: str = "") -> list[Outgoing]:
    """Run a command's handler, as if its word had been typed."""
    return await HANDLERS[cmd.name](turn, args)


LABELS = "labels"  # state.data key: the action buttons of the last answer, by typed label


async def dispatch(turn: Turn) -> list[Outgoing]:
    try:
        messages = await _dispatch(turn)
    except Halt as halt:
        messages = forms.reask(turn, halt.messages) if forms.current_form(turn) else halt.messages
    _remember_buttons(turn, messages)
    return messages


def _remember_buttons(turn: Turn, messages: list[Outgoing]) -> None:
    """Keep the last answer's action buttons by label, so typing a label (ยืนยันถอน,
    ดูที่รับเข้าแผนแล้ว) works like pressing it (UX principle 2). A form's own buttons are
    the form's; outside one, the state holds nothing else."""
    if forms.current_form(turn) is not None:
        return
    labels = {
        forms.normalize(b.label): b.data
        for b in buttons_of(messages)
        if isinstance(buttons.decode(b.data), buttons.ActionPress)
    }
    if labels:
        turn.state.data[LABELS] = labels
    else:
        turn.state.data.pop(LABELS, None)


def _typed_button(turn: Turn, text: str) -> str | None:
    """The data of a button of the last answer whose label was typed, if any."""
    if forms.current_form(turn) is not None:
        return None
    return turn.state.data.get(LABELS, {}).get(forms.normalize(text))


async def _dispatch(turn: Turn) -> list[Outgoing]:
    incoming = turn.incoming
    if incoming.button_data is not None:
        return await _press(turn, incoming.button_data)
    text = (incoming.text or "").strip()
    in_form = forms.current_form(turn)
    if not text:
        return await forms.handle_non_text(turn) if in_form else [Text(TEXT["not_text"])]
    cmd, args = split_command(text)
    unknown = _unknown_command(text) if cmd is None else None
    if in_form is not None:
        if unknown is not None and forms.NAV_WORDS.get(text.casefold()) is None:
            return forms.reask(turn, [unknown])
        if cmd is not None and forms.is_answer(turn, text):
            cmd = None  # the label of a button on screen, not the command of the same word
        if cmd is not None and cmd.keeps_form:
            return forms.reask(turn, await run(turn, cmd, args))
        if cmd is not None and forms.NAV_WORDS.get(text.casefold()) is None:
            dropped = Text(PHRASES["form_dropped"].format(title=in_form.title))
            turn.state.clear()
            return [dropped, *await run(turn, cmd, args)]
        return await forms.handle_text(turn, text)
    if cmd is not None:
        return await run(turn, cmd, args)
    pressed = _typed_button(turn, text)
    if pressed is not None:
        return await _press(turn, pressed)
    if unknown is not None:
        return [unknown, *await run(turn, HELP)]
    for handler in FALLBACKS:
        answer = await handler(turn, text)
        if answer is not None:
            return answer
    return await run(turn, HELP)


def _unknown_command(text: str) -> Text | None:
    """ "/xyz" that is no command of ours: said so, rather than answered as if understood."""
    if not text.startswith("/"):
        return None
    word = text.split()[0].split("@", 1)[0]
    return Text(TEXT["unknown_command"].format(command=word[:32]))


async def _press(turn: Turn, data: str) -> list[Outgoing]:
    press = buttons.decode(data)
    if isinstance(press, buttons.FormPress):
        if forms.current_form(turn) and press.ask == turn.state.data.get("ask"):
            return await forms.handle_press(turn, press)
        return forms.reask(turn, [Text(PHRASES["expired"])])
    if isinstance(press, buttons.ActionPress) and press.action in ACTIONS:
        before = turn.state.data if forms.current_form(turn) else None
        answer = await ACTIONS[press.action](turn, press)
        if before is not None and turn.state.data is before and forms.current_form(turn):
            return forms.reask(turn, answer)  # a peek from inside a form: ask its question again
        return answer  # no form, or the action started one (its question is in the answer)
    return forms.reask(turn, [Text(PHRASES["expired"])])


@command(CANCEL)
async def nothing_to_cancel(_turn: Turn, _args: str) -> list[Outgoing]:
    """ยกเลิก outside a form (inside one, the form itself cancels)."""
    return [Text(TEXT["nothing_to_cancel"])]
