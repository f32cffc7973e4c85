"""Forms declared as data, and the one engine that runs them all.

A form is a list of fields, each with a prompt, a parser (typed text → value, or a Thai
``ParseError``), optional buttons, and a rule for when it applies. Every form gets the same
behaviour for free: "ขั้นที่ i/n", a re-ask with the reason and an example on a bad answer,
ย้อนกลับ (back), ข้าม (skip) for optional fields, a summary card with แก้ไข (edit a field) and
ยืนยัน (confirm), and ยกเลิก (cancel). Values are stored JSON-ready in the conversation state,
so a restart resumes at the same step.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from handlers import buttons
from handlers.messages import Button, Card, Choices, Outgoing, Text
from models.clock import Clock
from models.days_off import DaysOff
from models.thaitext import ParseError, clean_text, normalize_digits

if TYPE_CHECKING:
    from handlers.context import Turn

FORM_IDLE_LIMIT = timedelta(hours=24)
FLOW = "form"
SUMMARY = "_summary"
EDIT_MENU = "_edit"

TEXT = {
    "step": "ขั้นที่ {i}/{n} {label}",
    "back": "ย้อนกลับ",
    "skip": "ข้าม",
    "cancel": "ยกเลิก",
    "edit": "แก้ไข",
    "confirm": "ยืนยัน",  # typed at any summary, whatever its button says
    "edit_which": "ต้องการแก้ไขข้อใด",
    "cancelled": "ยกเลิก{title}แล้ว — ไม่มีข้อมูลใดถูกบันทึก",
    "bad_choice": "กรุณาเลือกจากปุ่มด้านล่าง หรือพิมพ์ข้อความบนปุ่ม",
    "not_text": "ขั้นนี้ต้องการคำตอบเป็นข้อความ — กรุณาพิมพ์คำตอบ",
    "first_step": "นี่คือขั้นแรกแล้ว",
    "required": "ข้อนี้จำเป็นต้องตอบ ข้ามไม่ได้",
    "skipped": "— (ไม่ระบุ)",
    "understood": "✅ {value}",
    "summary_hint": "กรุณาตรวจสอบ แล้วกด {confirm} หรือ แก้ไข",
}

# Words that mean the same as pressing a navigation button, however they are typed.
NAV_WORDS = {
    "ย้อนกลับ": "back",
    "กลับ": "back",
    "/back": "back",
    "ข้าม": "skip",
    "/skip": "skip",
    "ยกเลิก": "cancel",
    "/cancel": "cancel",
    "แก้ไข": "edit",
}


@dataclass(frozen=True)
class Choice:
    label: str
    value: Any  # JSON-ready


@dataclass
class FormData:
    """What a running form knows: the answers so far, the context it was started with, and
    (not saved) the turn's clock and days-off calendar, for parsers that need "today"."""

    values: dict[str, Any]
    ctx: dict[str, Any]
    clock: Clock | None = None
    days_off: DaysOff | None = None

    @property
    def today(self) -> date:
        assert self.clock is not None, "FormData built without a clock"
        return self.clock.today()


Parser = Callable[[str, FormData], Any]  # returns a value or a ParseError
ChoiceSource = Callable[[FormData], list[Choice]]


@dataclass(frozen=True)
class Field:
    name: str
    label: str  # short: the summary row and the edit menu
    prompt: str | Callable[[FormData], str]  # the question, with an example
    parse: Parser | None = None  # typed text → value | ParseError; None: buttons only
    choices: ChoiceSource | None = None
    optional: bool = False
    when: Callable[[FormData], bool] | None = None
    show: Callable[[Any, FormData], str] | None = None  # value → Thai, for summary and echo
    # say back what a typed answer was understood as: True echoes ``show``; a function picks
    # what to echo, or None for nothing (the village read from a longer place)
    echo: bool | Callable[[Any, FormData], str | None] = False
    depends_on: tuple[str, ...] = ()  # fields whose answer this one's choices depend on
    # the kind of attachment ("image") that answers this question: its platform reference
    # becomes the value (the photo of a posted notice); typed text still goes to ``parse``
    accepts_attachment: str | None = None
    # answers the summary card leaves out: a "done" or "one more?" that only steers the form
    hidden: Callable[[Any], bool] | None = None

    def applies(self, data: FormData) -> bool:
        return self.when is None or self.when(data)

    def prompt_text(self, data: FormData) -> str:
        return self.prompt(data) if callable(self.prompt) else self.prompt

    def in_summary(self, value: Any) -> bool:
        return self.hidden is None or not self.hidden(value)

    def display(self, value: Any, data: FormData) -> str:
        if value is None:
            return TEXT["skipped"]
        return self.show(value, data) if self.show else str(value)


@dataclass(frozen=True)
class Form:
    name: str
    title: str  # "เสนอโครงการ": used in "ยกเลิก…แล้ว"
    fields: tuple[Field, ...]
    header: Callable[[FormData], str]  # where they are: org, fiscal year, deadline
    summary_title: str
    confirm_label: str
    on_confirm: Callable[[Turn, FormData], Awaitable[list[Outgoing]]]
    extra: dict[str, Any] = field(default_factory=dict)

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    def applicable(self, data: FormData) -> list[Field]:
        return [f for f in self.fields if f.applies(data)]


REGISTRY: dict[str, Form] = {}


def register(form: Form) -> Form:
    REGISTRY[form.name] = form
    return form


# -- starting and asking -----------------------------------------------------------------


async def start(
    turn: Turn,
    form: Form,
    ctx: dict[str, Any],
    values: dict[str, Any] | None = None,
    *,
    at_summary: bool = False,
) -> list[Outgoing]:
    """Begin ``form`` for the speaker (replacing any form in progress)."""
    turn.state.clear()
    turn.state.flow = FLOW
    turn.state.data = {
        "form": form.name,
        "values": values or {},
        "ctx": ctx,
        "ask": 0,
        "history": [],
    }
    data = _data(turn)
    if at_summary:
        return _show_summary(turn, form, data)
    first = _next_field(form, data, after=None)
    header = [Text(form.header(data))]
    if first is None:
        return header + _show_summary(turn, form, data)
    return header + _ask(turn, form, data, first)


def current_form(turn: Turn) -> Form | None:
    if turn.state.flow != FLOW:
        return None
    return REGISTRY.get(turn.state.data.get("form", ""))


def _data(turn: Turn) -> FormData:
    return FormData(
        values=turn.state.data["values"],
        ctx=turn.state.data["ctx"],
        clock=turn.clock,
        days_off=turn.days_off,
    )


def _bump_ask(turn: Turn) -> int:
    """Number each question; a button pressed on an older question is recognised as stale."""
    turn.state.data["ask"] = int(turn.state.data.get("ask", 0)) + 1
    turn.state.expires_at = turn.clock.now() + FORM_IDLE_LIMIT
    return turn.state.data["ask"]


def _ask(
    turn: Turn, form: Form, data: FormData, f: Field, prefix: list[Outgoing] | None = None
) -> list[Outgoing]:
    turn.state.step = f.name
    ask = _bump_ask(turn)
    fields = form.applicable(data)
    position = next(i for i, x in enumerate(fields, start=1) if x.name == f.name)
    question = (
        TEXT["step"].format(i=position, n=len(fields), label=f.label) + "\n" + f.prompt_text(data)
    )
    row = [Button(c.label, buttons.form_button(ask, i)) for i, c in enumerate(_choices(f, data))]
    if f.optional:
        row.append(Button(TEXT["skip"], buttons.form_button(ask, "skip")))
    if turn.state.data["history"]:
        row.append(Button(TEXT["back"], buttons.form_button(ask, "back")))
    row.append(Button(TEXT["cancel"], buttons.form_button(ask, "cancel")))
    return [*(prefix or []), Choices(question, tuple(row))]


def _choices(f: Field, data: FormData) -> list[Choice]:
    return f.choices(data) if f.choices else []


def _next_field(form: Form, data: FormData, after: str | None) -> Field | None:
    """The next applicable field after ``after`` (from the start when None) still to answer."""
    names = [f.name for f in form.fields]
    start_at = names.index(after) + 1 if after is not None else 0
    for f in form.fields[start_at:]:
        if f.applies(data):
            return f
    return None


def _show_summary(turn: Turn, form: Form, data: FormData) -> list[Outgoing]:
    turn.state.step = SUMMARY
    ask = _bump_ask(turn)
    rows = tuple(
        (f.label, f.display(data.values.get(f.name), data))
        for f in form.applicable(data)
        if f.in_summary(data.values.get(f.name))
    )
    return [
        Card(
            title=form.summary_title,
            fields=rows,
            buttons=(
                Button(form.confirm_label, buttons.form_button(ask, "confirm")),
                Button(TEXT["edit"], buttons.form_button(ask, "edit")),
                Button(TEXT["cancel"], buttons.form_button(ask, "cancel")),
            ),
            footer=TEXT["summary_hint"].format(confirm=form.confirm_label),
        )
    ]


def _show_edit_menu(turn: Turn, form: Form, data: FormData) -> list[Outgoing]:
    turn.state.step = EDIT_MENU
    ask = _bump_ask(turn)
    row = [
        Button(f.label, buttons.form_button(ask, i)) for i, f in enumerate(form.applicable(data))
    ]
    row.append(Button(TEXT["back"], buttons.form_button(ask, "back")))
    return [Choices(TEXT["edit_which"], tuple(row))]


def reask(turn: Turn, prefix: list[Outgoing] | None = None) -> list[Outgoing]:
    """Show the current question again (after a stale button, a sticker, a peek at /status)."""
    form = current_form(turn)
    if form is None:
        return prefix or []
    data = _data(turn)
    step = turn.state.step
    if step == SUMMARY:
        return [*(prefix or []), *_show_summary(turn, form, data)]
    if step == EDIT_MENU:
        return [*(prefix or []), *_show_edit_menu(turn, form, data)]
    return _ask(turn, form, data, form.field(step or form.fields[0].name), prefix)


def is_answer(turn: Turn, text: str) -> bool:
    """Whether ``text`` is the label of a button of the current question.

    A label wins over a command of the same word: at the budget form's summary, typing
    เปิดรอบ confirms it rather than starting the form again.
    """
    form = current_form(turn)
    if form is None:
        return False
    data = _data(turn)
    wanted = _normalize(text)
    if turn.state.step == SUMMARY:
        labels = [form.confirm_label]
    elif turn.state.step == EDIT_MENU:
        labels = [f.label for f in form.applicable(data)]
    else:
        labels = [c.label for c in _choices(form.field(turn.state.step or ""), data)]
    return any(_normalize(label) == wanted for label in labels)


# -- answering ---------------------------------------------------------------------------


def _normalize(text: str) -> str:
    return re.sub(r"\s+", " ", normalize_digits(text)).strip().casefold()


async def handle_press(turn: Turn, press: buttons.FormPress) -> list[Outgoing]:
    """A form button; the caller has checked it belongs to the current question."""
    form = current_form(turn)
    assert form is not None
    return await _answer(turn, form, choice=press.choice, typed=None)


async def handle_text(turn: Turn, text: str) -> list[Outgoing]:
    form = current_form(turn)
    assert form is not None
    word = NAV_WORDS.get(_normalize(text))
    return await _answer(turn, form, choice=word, typed=None if word else text)


async def handle_non_text(turn: Turn) -> list[Outgoing]:
    """A sticker, image or file: the answer when the question takes that kind of attachment
    (its platform reference is the value); where a typed answer is expected, ask again."""
    form = current_form(turn)
    incoming = turn.incoming
    step = turn.state.step
    if form is not None and incoming.attachment and step not in (None, SUMMARY, EDIT_MENU):
        f = form.field(step)
        if f.accepts_attachment is not None and f.accepts_attachment == incoming.attachment_kind:
            return _accept(turn, form, _data(turn), f, incoming.attachment, echo=True)
    return reask(turn, [Text(TEXT["not_text"])])


async def _answer(
    turn: Turn, form: Form, *, choice: str | None, typed: str | None
) -> list[Outgoing]:
    data = _data(turn)
    step = turn.state.step
    if choice == "cancel":
        turn.state.clear()
        return [Text(TEXT["cancelled"].format(title=form.title))]
    if step == SUMMARY:
        return await _answer_summary(turn, form, data, choice, typed)
    if step == EDIT_MENU:
        return _answer_edit_menu(turn, form, data, choice, typed)
    f = form.field(step or "")
    if choice == "back":
        return _go_back(turn, form, data, f)
    if choice == "skip":
        if not f.optional:
            return _ask(turn, form, data, f, [Text(TEXT["required"])])
        data.values[f.name] = None
        return _advance(turn, form, data, f, [])
    if choice == "confirm" or choice == "edit":
        return reask(turn)
    value, echo = _value_for(f, data, choice, typed)
    if isinstance(value, ParseError):
        return _ask(turn, form, data, f, [Text(value.reason)])
    return _accept(turn, form, data, f, value, echo=echo)


def _accept(
    turn: Turn, form: Form, data: FormData, f: Field, value: Any, *, echo: bool
) -> list[Outgoing]:
    """Store a good answer, forget what depended on the old one, say it back, go on."""
    changed = data.values.get(f.name) != value
    data.values[f.name] = value
    if changed:
        _drop_dependants(form, data, f.name)
    prefix: list[Outgoing] = []
    if echo and f.echo:
        said = f.echo(value, data) if callable(f.echo) else f.display(value, data)
        if said:
            prefix.append(Text(TEXT["understood"].format(value=said)))
    return _advance(turn, form, data, f, prefix)


def _value_for(f: Field, data: FormData, choice: str | None, typed: str | None) -> tuple[Any, bool]:
    """The answer's value from a pressed choice, a typed label, or the parser; echo if parsed."""
    options = _choices(f, data)
    if choice is not None:
        if choice.isdigit() and int(choice) < len(options):
            return options[int(choice)].value, False
        return ParseError(TEXT["bad_choice"]), False
    assert typed is not None
    wanted = _normalize(typed)
    for option in options:
        if _normalize(option.label) == wanted:
            return option.value, False
    if f.parse is None:
        return ParseError(TEXT["bad_choice"]), False
    return f.parse(typed, data), True


def _advance(
    turn: Turn, form: Form, data: FormData, f: Field, prefix: list[Outgoing]
) -> list[Outgoing]:
    history: list[str] = turn.state.data["history"]
    if f.name not in history:
        history.append(f.name)
    _drop_inapplicable(form, data, history)
    if turn.state.data.get("editing"):
        missing = _first_unanswered(form, data)
        if missing is None:
            turn.state.data["editing"] = False
            return prefix + _show_summary(turn, form, data)
        return _ask(turn, form, data, missing, prefix)  # still editing: then the summary
    following = _next_field(form, data, after=f.name)
    if following is None:
        return prefix + _show_summary(turn, form, data)
    return _ask(turn, form, data, following, prefix)


def _first_unanswered(form: Form, data: FormData) -> Field | None:
    """After an edit, a newly applicable field (e.g. the agency's name) must still be asked."""
    return next((f for f in form.applicable(data) if f.name not in data.values), None)


def _drop_inapplicable(form: Form, data: FormData, history: list[str]) -> None:
    """Forget answers to questions that no longer apply (the agency's name after switching to
    "this LAO"); values the form was started with (a lone org) are not answers and stay."""
    for f in form.fields:
        if f.name in history and not f.applies(data):
            data.values.pop(f.name, None)
            history.remove(f.name)


def _drop_dependants(form: Form, data: FormData, name: str) -> None:
    """An answer changed (an edit from the summary): forget the answers chosen from options it
    decided (the org's strategies), so they are asked again rather than kept stale."""
    for f in form.fields:
        if name in f.depends_on:
            data.values.pop(f.name, None)


def _go_back(turn: Turn, form: Form, data: FormData, f: Field) -> list[Outgoing]:
    history: list[str] = turn.state.data["history"]
    while history and history[-1] == f.name:
        history.pop()
    if not history:
        return _ask(turn, form, data, f, [Text(TEXT["first_step"])])
    previous = form.field(history.pop())
    return _ask(turn, form, data, previous)


async def _answer_summary(
    turn: Turn, form: Form, data: FormData, choice: str | None, typed: str | None
) -> list[Outgoing]:
    if typed is not None and _normalize(typed) in {
        _normalize(form.confirm_label),
        _normalize(TEXT["confirm"]),
    }:
        choice = "confirm"
    if choice == "confirm":
        missing = _first_unanswered(form, data)
        if missing is not None:
            return _ask(turn, form, data, missing)
        messages = await form.on_confirm(turn, data)
        turn.state.clear()
        return messages
    if choice == "edit":
        return _show_edit_menu(turn, form, data)
    if choice == "back":
        history: list[str] = turn.state.data["history"]
        if history:
            return _ask(turn, form, data, form.field(history[-1]))
    return _show_summary(turn, form, data)


def _answer_edit_menu(
    turn: Turn, form: Form, data: FormData, choice: str | None, typed: str | None
) -> list[Outgoing]:
    fields = form.applicable(data)
    picked: Field | None = None
    if choice is not None and choice.isdigit() and int(choice) < len(fields):
        picked = fields[int(choice)]
    elif typed is not None:
        picked = next((f for f in fields if _normalize(f.label) == _normalize(typed)), None)
    if choice == "back":
        return _show_summary(turn, form, data)
    if picked is None:
        return [Text(TEXT["bad_choice"]), *_show_edit_menu(turn, form, data)]
    turn.state.data["editing"] = True
    return _ask(turn, form, data, picked)


# -- a common shape -----------------------------------------------------------------------

REASON_MAX_CHARS = 2000


def reason_field(label: str, prompt: str, example: str) -> Field:
    """A required free-text reason (a return, a refusal, an extension), kept on the record."""

    def parse(text: str, _data: FormData) -> Any:
        return clean_text(text, max_len=REASON_MAX_CHARS, field_name_th=label, example_th=example)

    return Field("reason", label, prompt, parse=parse)


def reason_form(
    *,
    name: str,
    title: str,
    field: Field,
    header: Callable[[FormData], str],
    summary_title: str,
    confirm_label: str,
    on_confirm: Callable[[Turn, FormData], Awaitable[list[Outgoing]]],
) -> Form:
    """A one-question form that asks why, shows it back and confirms: registered here."""
    return register(
        Form(
            name=name,
            title=title,
            fields=(field,),
            header=header,
            summary_title=summary_title,
            confirm_label=confirm_label,
            on_confirm=on_confirm,
        )
    )
