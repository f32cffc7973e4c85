"""The console channel: talk to planbot in a terminal, as anyone, with numbered buttons.

This is how planbot is tried (``planbot demo``), scripted (pipe a conversation in, read the
transcript out) and tested (``tests.chat.ConsoleDriver``). It runs the same engine, database
and outbox as LINE and Telegram: only the rendering differs. One terminal speaks for many
people, so ``@name`` picks who is speaking, and notices planbot starts are printed with
their recipient, whose buttons can then be pressed by number like any reply.

Typed lines:
- ``@name text`` says ``text`` as ``name`` (who stays the speaker); ``@name`` alone switches;
- a bare number ``n`` presses button ``n`` of the last message shown to the speaker — only if
  that message had buttons and ``n`` is one of them; otherwise the number is a typed answer;
  a quoted number (``"1"``) is always typed text, for answers that clash with a button
  (likewise ``"@…"``, ``"#…"`` and blank ``"  "``: quotes escape the console's syntax);
- blank lines and lines starting with ``#`` are ignored (comments in scripts);
- ``@clock …`` moves a demo's clock (``planbot demo``; see ``bot.demo.DemoClock``);
- anything else is sent as text.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import sys
import threading
import uuid
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable, Sequence
from typing import TextIO

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.runtime import Runtime
from handlers.engine import Engine
from handlers.messages import Button, Incoming, Outgoing, buttons_of, plain_text
from models.enums import Channel as ChannelName
from models.org import ChannelAccount, Membership, Organization, Person
from models.thaitext import normalize_digits
from scheduler import dispatch
from scheduler.dispatch import DEFAULT_LEASE, Delivery

log = logging.getLogger(__name__)

TEXT = {
    "welcome": (
        "💬 planbot — แชททดลองในคอนโซล\n"
        "กำลังพูดในนาม {who}\n"
        "• @ชื่อ ข้อความ — พูดในนามคนอื่น เช่น @agency ช่วยเหลือ · @ชื่อ อย่างเดียว — สลับผู้พูด\n"
        '• พิมพ์ตัวเลข — กดปุ่มลำดับนั้นของข้อความล่าสุด เช่น 1 · ส่งตัวเลขเป็นข้อความ: "1"\n'
        "• /help หรือ ช่วยเหลือ — ดูคำสั่งของบอท\n"
        "• ออก, exit หรือ Ctrl-D — จบการสนทนา"
    ),
    "bot_to": "บอท → {name}:",
    "notice_to": "📨 ถึง @{name}:",
    "pressed": "  ↳ กด [{n}] {label}",
    "speaking_as": "🗣 ตอนนี้พูดในนาม {who}",
    "known": "@{name} — {person}{roles}",
    "roles": " · {roles}",
    "chair": " (ประธาน)",
    "stranger": "@{name} — ยังไม่ได้เข้าร่วมองค์กร (ผู้ใช้ใหม่: ได้รับวิธีเข้าร่วมเมื่อส่งข้อความ)",
    "bad_name": "ชื่อผู้พูดต้องไม่มีช่องว่างหรือ @ และยาวไม่เกิน {max} ตัวอักษร เช่น @agency",
    "no_answer": "  (ไม่มีคำตอบ)",
    "console_error": "⚠ คอนโซลขัดข้อง: {error} — พิมพ์ต่อได้ตามปกติ",
    "bye": "👋 จบการสนทนา",
}

CLOCK_WORD = "@clock"
EXIT_WORDS = frozenset({"ออก", "exit", "quit", "/exit", "/quit"})
MAX_NAME = 40  # ChannelAccount.external_id holds 100; a console name is a short handle
INDENT = "  "

_SPEAKER_RE = re.compile(r"@(\S*)(?:\s+(.*))?", re.DOTALL)
_QUOTED_RE = re.compile(r'["“](.*)["”]', re.DOTALL)
_NUMBER_RE = re.compile(r"\s*[0-9๐-๙]+\s*")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # a terminal cannot mean these


class ConsoleChat:
    """One terminal conversation over a runtime: the console's :class:`Channel` adapter.

    Keeps, per console name, the buttons of the last message shown to them (their "screen"),
    so a number can press one. Everything else lives in the database, like any channel.
    """

    name = ChannelName.CONSOLE

    def __init__(
        self,
        runtime: Runtime,
        *,
        speaker: str = "officer",
        out: TextIO | None = None,
        engine: Engine | None = None,
        clock_hook: Callable[[ConsoleChat, str], Awaitable[None]] | None = None,
    ) -> None:
        self.runtime = runtime
        self.engine = engine or Engine(
            runtime.sessions,
            runtime.clock,
            runtime.days_off,
            documents_dir=runtime.settings.documents_dir,
        )
        self.speaker = clean_name(speaker.removeprefix("@")) or "officer"
        self._out = out
        self.clock_hook = clock_hook
        self.shown: dict[str, list[Button]] = {}
        self._chunk: list[str] = []

    # -- the Channel protocol --------------------------------------------------------------

    async def reply(self, incoming: Incoming, messages: Sequence[Outgoing]) -> None:
        """Print the answer to the speaker and remember its buttons for numbers."""
        self._show(TEXT["bot_to"].format(name=incoming.account_id), incoming.account_id, messages)

    async def send(self, external_id: str, messages: Sequence[Outgoing]) -> None:
        """Print a notice addressed to its recipient; ``@name`` then a number presses its button."""
        self._show(TEXT["notice_to"].format(name=external_id), external_id, messages)

    # -- typed lines -----------------------------------------------------------------------

    @property
    def prompt(self) -> str:
        return f"{self.speaker}> "

    async def feed(self, line: str, *, echo: bool = False) -> str:
        """Handle one typed line; return the transcript it produced (also written out).

        ``echo`` writes the prompt and the line first, as a terminal would have shown them,
        for transcripts of piped scripts. Never raises: the console must outlive any line.
        """
        self._chunk = []
        text = _CONTROL_RE.sub(" ", line).strip()
        if not text or text.startswith("#"):
            return ""
        try:
            if echo:
                self._write(self.prompt + text)
            await self._feed(text)
        except Exception as exc:  # a bug here must not end someone's session
            log.exception("console line failed (%d characters; not logged)", len(line))
            self._write(TEXT["console_error"].format(error=type(exc).__name__))
        chunk, self._chunk = self._chunk, []
        return "\n".join(chunk) + ("\n" if chunk else "")

    async def _feed(self, text: str) -> None:
        speaker = self.speaker
        word, _, rest = text.partition(" ")
        if self.clock_hook is not None and word.casefold() == CLOCK_WORD:
            await self.clock_hook(self, rest.strip())
            return
        if text.startswith("@") and _literal(text) is None:
            match = _SPEAKER_RE.fullmatch(text)
            raw_name, rest = (match.group(1), match.group(2) or "") if match else ("", "")
            name = clean_name(raw_name)
            if name is None:
                self._write(TEXT["bad_name"].format(max=MAX_NAME))
                return
            self.speaker = speaker = name
            text = rest.strip()
            if not text:
                self._write(TEXT["speaking_as"].format(who=await self.describe(name)))
                return
        await self._turn(speaker, text)

    async def _turn(self, speaker: str, text: str) -> None:
        incoming = self._incoming(speaker, text)
        messages = await self.engine.handle(incoming)
        if messages:
            await self.reply(incoming, messages)
        else:
            self._write(TEXT["bot_to"].format(name=speaker))
            self._write(TEXT["no_answer"])
        await self.deliver_notices()

    def _incoming(self, speaker: str, text: str) -> Incoming:
        """Text, or a button press when ``text`` is a number naming a button on screen."""
        literal = _literal(text)
        if literal is not None:
            text, found = literal, None
        else:
            found = self._button_for(speaker, text)
        if found is not None:
            n, button = found
            self._write(TEXT["pressed"].format(n=n, label=button.label))
        return Incoming(
            channel=ChannelName.CONSOLE,
            account_id=speaker,
            text=text if found is None else None,
            button_data=found[1].data if found is not None else None,
            display_name=speaker,
            event_id=f"console:{uuid.uuid4().hex}",  # unique across runs on one database
            at=self.runtime.clock.now(),
        )

    def _button_for(self, speaker: str, text: str) -> tuple[int, Button] | None:
        digits = normalize_digits(text)
        if not (digits.isascii() and digits.isdigit()):
            return None
        shown = self.shown.get(speaker, [])
        n = int(digits)
        return (n, shown[n - 1]) if 1 <= n <= len(shown) else None

    async def deliver_notices(self) -> int:
        """Print the outbox's due notices for console accounts; return how many.

        The same delivery loop as LINE and Telegram; quiet hours do not apply to a terminal.
        """
        try:
            return await dispatch.deliver(
                self.runtime.sessions, self.runtime.clock, ConsoleSender(self)
            )
        except Exception as exc:  # the database is down or locked: the chat itself goes on
            log.exception("console outbox delivery failed")
            self._write(TEXT["console_error"].format(error=type(exc).__name__))
            return 0

    async def describe(self, name: str) -> str:
        """Who a console name is: the person's name and roles, or a stranger."""
        async with self.runtime.sessions() as session:
            account = (
                await session.exec(
                    select(ChannelAccount).where(
                        ChannelAccount.channel == ChannelName.CONSOLE,
                        ChannelAccount.external_id == name,
                    )
                )
            ).first()
            person_id = account.person_id if account else None
            person = await session.get(Person, person_id) if person_id else None
            if person is None:
                return TEXT["stranger"].format(name=name)
            rows = await session.exec(
                select(Membership, Organization)
                .join(Organization, Organization.id == Membership.org_id)
                .where(Membership.person_id == person.id, Membership.active)
                .order_by(Organization.id, Membership.id)
            )
            by_org: dict[str, list[str]] = {}
            for membership, org in rows.all():
                chair = TEXT["chair"] if membership.is_chair else ""
                by_org.setdefault(org.short_name, []).append(membership.role.label_th + chair)
        roles = " · ".join(f"{', '.join(labels)} {org}" for org, labels in by_org.items())
        return TEXT["known"].format(
            name=name, person=person.name, roles=TEXT["roles"].format(roles=roles) if roles else ""
        )

    # -- whole sessions --------------------------------------------------------------------

    async def run(
        self,
        lines: Iterable[str] | AsyncIterable[str] | None = None,
        interactive: bool = False,
    ) -> None:
        """Talk until the lines run out (Ctrl-D) or someone types ``ออก``/``exit``.

        Interactive (a terminal): a welcome, then a prompt per line; ``lines=None`` reads the
        terminal. Script (a pipe): every line is echoed after the prompt, so the output reads
        as the conversation. Notices already due are shown first, as a phone would on opening.
        """
        if interactive:
            self._write_out(TEXT["welcome"].format(who=await self.describe(self.speaker)))
        self._chunk = []
        await self.deliver_notices()
        echo = not (interactive and lines is None)  # a terminal already shows what was typed
        source = _terminal_lines(lambda: self.prompt) if lines is None and interactive else lines
        async for line in _aiter(source if source is not None else sys.stdin):
            if line.strip().casefold() in EXIT_WORDS:
                if echo:
                    self._write_out(self.prompt + line.strip())
                break
            await self.feed(line, echo=echo)
        if interactive:
            self._write_out("\n" + TEXT["bye"])

    # -- output ----------------------------------------------------------------------------

    def _show(self, header: str, name: str, messages: Sequence[Outgoing]) -> None:
        listed = list(messages)
        self.shown[name] = buttons_of(listed)
        self._write(header)
        self._write(_indent(plain_text(listed, numbered=True)))

    def write(self, text: str) -> None:
        """A line of the console's own (the demo clock's), in the transcript like any other."""
        self._write(text)

    def _write(self, text: str) -> None:
        self._chunk.append(text)
        self._write_out(text)

    def _write_out(self, text: str) -> None:
        out = self._out or sys.stdout
        try:
            out.write(text + "\n")
            out.flush()
        except (OSError, ValueError, UnicodeError):  # a closed pipe or an odd terminal
            log.debug("console output failed", exc_info=True)


class ConsoleSender:
    """The :class:`scheduler.dispatch.Sender` of the console: print, in order."""

    channel = ChannelName.CONSOLE
    group_size = 1
    concurrency = 1
    lease = DEFAULT_LEASE

    def __init__(self, chat: ConsoleChat) -> None:
        self.chat = chat

    async def send(self, deliveries: list[Delivery]) -> int:
        for delivery in deliveries:
            await self.chat.send(delivery.external_id, delivery.messages)
        return 0

    async def after_sent(self, session: AsyncSession, used: int) -> None:
        """The console counts nothing."""


def clean_name(raw: str) -> str | None:
    """A console name as stored: casefolded, no ``@``, short; ``None`` if unusable."""
    name = raw.strip().casefold()
    if not name or "@" in name or len(name) > MAX_NAME or any(c.isspace() for c in name):
        return None
    return name


def _literal(text: str) -> str | None:
    """What is inside ``"…"`` when the quotes escape console syntax, else ``None``.

    ``"1"`` types the number instead of pressing button 1; ``"@x"``, ``"#x"`` and ``"  "``
    are typed as they are. Other quoted text keeps its quotes: the person may mean them.
    """
    match = _QUOTED_RE.fullmatch(text)
    if match is None:
        return None
    inner = match.group(1)
    special = not inner.strip() or _NUMBER_RE.fullmatch(inner) or inner.lstrip()[:1] in "@#"
    return inner if special else None


def _indent(text: str) -> str:
    return "\n".join(INDENT + line if line else "" for line in text.split("\n"))


async def _aiter(lines: Iterable[str] | AsyncIterable[str]) -> AsyncIterator[str]:
    """Lines from either kind of source (a pipe is read in place: nothing else is waiting)."""
    if isinstance(lines, AsyncIterable):
        async for line in lines:
            yield line
    else:
        for line in lines:
            yield line


async def _terminal_lines(prompt: Callable[[], str]) -> AsyncIterator[str]:
    """Read the terminal with ``input(prompt)`` in a daemon thread, one line at a time.

    A daemon thread rather than ``asyncio.to_thread``: the default executor is joined at
    exit, so Ctrl-C would hang until Enter while ``input()`` still waits.
    """
    with contextlib.suppress(ImportError):  # line editing and history, where available
        import readline  # noqa: F401
    loop = asyncio.get_running_loop()
    while True:
        future: asyncio.Future[str | None] = loop.create_future()

        def read(text: str, answer: asyncio.Future[str | None] = future) -> None:
            try:
                line: str | None = input(text)
            except (EOFError, KeyboardInterrupt, OSError, UnicodeError):
                line = None
            with contextlib.suppress(RuntimeError):  # the loop closed: nobody is waiting
                loop.call_soon_threadsafe(_settle, answer, line)

        threading.Thread(target=read, args=(prompt(),), daemon=True).start()
        line = await future
        if line is None:
            return
        yield line


def _settle(future: asyncio.Future[str | None], value: str | None) -> None:
    if not future.done():
        future.set_result(value)
