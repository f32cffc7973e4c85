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
from handlers.context import Refused
from handlers.messages import Button, Card, Choices, Outgoing, Text
from handlers.phrases import PHRASES
from models.clock import Clock
from models.days_off import DaysOff
from models.thaitext import ParseError, normalize_digits

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
    "bad_more": "กรุณากดปุ่ม {more} หรือ {done}",
    "replaced": "✅ เปลี่ยน{label}เป็นข้อความที่พิมพ์ล่าสุดแล้ว — กรุณาตรวจสอบอีกครั้ง",
    "not_saved": (
        "ข้อความที่พิมพ์ยังไม่ได้บันทึก — ขั้นนี้เป็นการตรวจสอบ: กด {confirm} เพื่อบันทึก"
        " หรือกด แก้ไข แล้วเลือกข้อที่ต้องการเปลี่ยน"
    ),
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
    # a rule on the value however it came (a button or typed): the Thai reason, or None
    check: Callable[[Any, FormData], ParseError | None] | None = None

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
    intro: list[Outgoing] | None = None,
) -> list[Outgoing]:
    """Begin ``form`` for the speaker, saying so when it replaces a form left half-done (a
    button pressed in the middle of another form); ``intro`` comes before its first question."""
    current = current_form(turn)
    dropped = [Text(PHRASES["form_dropped"].format(title=current.title))] if current else []
    return dropped + (intro or []) + _begin(turn, form, ctx, values, at_summary=at_summary)


def _begin(
    turn: Turn,
    form: Form,
    ctx: dict[str, Any],
    values: dict[str, Any] | None,
    *,
    at_summary: bool,
) -> list[Outgoing]:
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
    wanted = normalize(text)
    if turn.state.step == SUMMARY:
        labels = [form.confirm_label]
    elif turn.state.step == EDIT_MENU:
        labels = [f.label for f in form.applicable(data)]
    else:
        labels = [c.label for c in _choices(form.field(turn.state.step or ""), data)]
    return any(normalize(label) == wanted for label in labels)


# -- answering ---------------------------------------------------------------------------


def normalize(text: str) -> str:
    """A typed answer as labels are compared: Arabic digits, single spaces, any case."""
    return re.sub(r"\s+", " ", normalize_digits(text)).strip().casefold()


async def handle_press(turn: Turn, press: buttons.FormPress) -> list[Outgoing]:
    """A form button; the caller has checked it belongs to the current question."""
    form = current_form(turn)
    assert form is not None
    return await _answer(turn, form, choice=press.choice, typed=None)


async def handle_text(turn: Turn, text: str) -> list[Outgoing]:
    form = current_form(turn)
    assert form is not None
    word = NAV_WORDS.get(normalize(text))
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
    value = _checked(f, data, value)
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
    wanted = normalize(typed)
    for option in options:
        if normalize(option.label) == wanted:
            return option.value, False
    if f.parse is None:
        return ParseError(TEXT["bad_choice"]), False
    return f.parse(typed, data), True


def _checked(f: Field, data: FormData, value: Any) -> Any:
    """The value, or the field's own rule broken (``Field.check``) as a ParseError."""
    if isinstance(value, ParseError) or f.check is None:
        return value
    return f.check(value, data) or value


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
    if typed is not None and normalize(typed) in {
        normalize(form.confirm_label),
        normalize(TEXT["confirm"]),
    }:
        choice = "confirm"
    if choice == "confirm":
        missing = _first_unanswered(form, data)
        if missing is not None:
            return _ask(turn, form, data, missing)
        try:
            messages = await form.on_confirm(turn, data)
        except Refused as refused:
            if refused.retry:  # something the person can fix from the summary
                return [*refused.messages, *_show_summary(turn, form, data)]
            turn.state.clear()  # nothing was saved, and the form is over
            return refused.messages
        turn.state.clear()
        return messages
    if choice == "edit":
        return _show_edit_menu(turn, form, data)
    if choice == "back":
        history: list[str] = turn.state.data["history"]
        if history:
            return _ask(turn, form, data, form.field(history[-1]))
    if typed is not None:
        return _typed_at_summary(turn, form, data, typed)
    return _show_summary(turn, form, data)


def _typed_at_summary(turn: Turn, form: Form, data: FormData, typed: str) -> list[Outgoing]:
    """Text typed at the summary is never dropped: a field's name opens it for editing; in a
    form that asks one thing in words (a reason, a comment) it is the new answer; anything
    else is answered with what was not saved and what to press."""
    fields = form.applicable(data)
    named = next((f for f in fields if normalize(f.label) == normalize(typed)), None)
    if named is not None:
        turn.state.data["editing"] = True
        return _ask(turn, form, data, named)
    typed_fields = [f for f in fields if f.parse is not None and not f.choices]
    if len(fields) == 1 and typed_fields:
        f = typed_fields[0]
        assert f.parse is not None
        value = _checked(f, data, f.parse(typed, data))
        if isinstance(value, ParseError):
            return [Text(value.reason), *_show_summary(turn, form, data)]
        data.values[f.name] = value
        said = Text(TEXT["replaced"].format(label=f.label))
        return [said, *_show_summary(turn, form, data)]
    hint = TEXT["not_saved"].format(confirm=form.confirm_label)
    return [Text(hint), *_show_summary(turn, form, data)]


def _answer_edit_menu(
    turn: Turn, form: Form, data: FormData, choice: str | None, typed: str | None
) -> list[Outgoing]:
    fields = form.applicable(data)
    picked: Field | None = None
    if choice is not None and choice.isdigit() and int(choice) < len(fields):
        picked = fields[int(choice)]
    elif typed is not None:
        picked = next((f for f in fields if normalize(f.label) == normalize(typed)), None)
    if choice == "back":
        return _show_summary(turn, form, data)
    if picked is None:
        return [Text(TEXT["bad_choice"]), *_show_edit_menu(turn, form, data)]
    turn.state.data["editing"] = True
    return _ask(turn, form, data, picked)


# -- repeating groups --------------------------------------------------------------------------


DONE = "done"  # the answer that ends a group, when "done" is offered on the next item's question


@dataclass
class ItemData(FormData):
    """What a question of a repeating group sees: the whole form's answers, and which item of
    the group it is asking about (``n``, from 1), with that item's answers by their short names."""

    group: Group | None = None
    n: int = 1

    @property
    def item(self) -> dict[str, Any]:
        assert self.group is not None
        return self.group.item_values(self.values, self.n)

    @property
    def earlier(self) -> list[dict[str, Any]]:
        """The answered items before this one."""
        assert self.group is not None
        return [self.group.item_values(self.values, i) for i in range(1, self.n)]


@dataclass(frozen=True)
class Group:
    """Questions asked once per item of a list — the places a plan is posted, the changes of
    an amendment — with "add another" and at most ``max_items`` items.

    The item's fields are declared once with short names (``kind``) and callbacks that read
    ``ItemData``; :meth:`expand` makes the form's questions for every item (``place2_kind``),
    each asked only while the list goes on, so the engine's back, skip, edit and summary work
    for groups as for any question. After each item either a question asks whether there is
    another (``more_prompt``), or — without one — the next item's first question offers
    ``done_label`` among its choices.
    """

    name: str
    fields: tuple[Field, ...]
    max_items: int
    done_label: str  # "เสร็จแล้ว"
    more_prompt: str | None = None  # "มีรายการแก้ไขอื่นอีกหรือไม่": asked after each item
    more_label: str = ""  # that question's name (summary, edit menu)
    add_label: str = ""  # its button that adds an item (the other is ``done_label``)
    first_label: str = "{label}"  # how item 1's questions are named (summary, edit menu)
    item_label: str = "{label} (ที่ {n})"  # … and those of later items

    def key(self, n: int, short: str) -> str:
        return f"{self.name}{n}_{short}"

    def item_values(self, values: dict[str, Any], n: int) -> dict[str, Any]:
        prefix = f"{self.name}{n}_"
        return {k.removeprefix(prefix): v for k, v in values.items() if k.startswith(prefix)}

    def _first(self) -> str:
        return self.fields[0].name

    def _names(self) -> set[str]:
        return {f.name for f in self.fields}

    def item_applies(self, data: FormData, n: int) -> bool:
        """Item n is asked when the item before it asked for another one."""
        if n == 1:
            return True
        if not self.item_applies(data, n - 1):
            return False
        if self.more_prompt is not None:
            return data.values.get(self.key(n - 1, "more")) is True
        return data.values.get(self.key(n - 1, self._first())) not in (None, DONE)

    def _item_open(self, data: FormData, n: int) -> bool:
        """Item n applies and was not ended by ``done`` on its first question."""
        return self.item_applies(data, n) and data.values.get(self.key(n, self._first())) != DONE

    def items(self, data: FormData) -> list[dict[str, Any]]:
        """The answered items, in order: what the form's confirm stores."""
        found = []
        for n in range(1, self.max_items + 1):
            if not self._item_open(data, n) or self.key(n, self._first()) not in data.values:
                break
            item = self.item_values(data.values, n)
            item.pop("more", None)  # it only steered the form
            found.append(item)
        return found

    def view(self, data: FormData, n: int) -> ItemData:
        return ItemData(data.values, data.ctx, data.clock, data.days_off, group=self, n=n)

    def expand(self) -> tuple[Field, ...]:
        """Every item's questions (and the "another?" question) as plain fields of the form."""
        expanded: list[Field] = []
        for n in range(1, self.max_items + 1):
            expanded += [self._item_field(f, n, first=i == 0) for i, f in enumerate(self.fields)]
            if self.more_prompt is not None and n < self.max_items:
                expanded.append(self._more_field(n))
        return tuple(expanded)

    def _label(self, label: str, n: int) -> str:
        return (self.first_label if n == 1 else self.item_label).format(label=label, n=n)

    def _item_field(self, f: Field, n: int, *, first: bool) -> Field:
        def view(data: FormData) -> ItemData:
            return self.view(data, n)

        offers_done = first and n > 1 and self.more_prompt is None

        def applies(data: FormData) -> bool:
            open_ = self.item_applies(data, n) if first else self._item_open(data, n)
            return open_ and f.applies(view(data))

        def choices(data: FormData) -> list[Choice]:
            own = f.choices(view(data)) if f.choices else []
            return own + ([Choice(self.done_label, DONE)] if offers_done else [])

        def show(value: Any, data: FormData) -> str:
            if value == DONE:
                return self.done_label
            return f.show(value, view(data)) if f.show else str(value)

        def hidden(value: Any) -> bool:
            return value == DONE or (f.hidden is not None and f.hidden(value))

        def parse(text: str, data: FormData) -> Any:
            assert f.parse is not None
            return f.parse(text, view(data))

        def echo(value: Any, data: FormData) -> str | None:
            return f.echo(value, view(data)) if callable(f.echo) else None

        return Field(
            self.key(n, f.name),
            self._label(f.label, n),
            (lambda data: f.prompt_text(view(data))) if callable(f.prompt) else f.prompt,
            parse=parse if f.parse else None,
            choices=choices if (f.choices or offers_done) else None,
            optional=f.optional,
            when=applies,
            show=show,
            echo=echo if callable(f.echo) else f.echo,
            # a name of the item's own fields means this item's; any other, the form's
            depends_on=tuple(self.key(n, d) if d in self._names() else d for d in f.depends_on),
            accepts_attachment=f.accepts_attachment,
            hidden=hidden,
        )

    def _more_field(self, n: int) -> Field:
        prompt = self.more_prompt
        assert prompt is not None
        return Field(
            self.key(n, "more"),
            self._label(self.more_label, n),
            prompt,
            parse=lambda _text, _data: ParseError(
                TEXT["bad_more"].format(more=self.add_label, done=self.done_label)
            ),
            choices=lambda _data: [Choice(self.add_label, True), Choice(self.done_label, False)],
            when=lambda data: self._item_open(data, n),
            show=lambda value, _data: self.add_label if value else self.done_label,
            hidden=lambda _value: True,  # it only steers the form
        )


# -- a common shape -----------------------------------------------------------------------


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
