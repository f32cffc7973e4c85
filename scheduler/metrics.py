"""The reminders' figures for ``/metrics``: the hook the reminder jobs report to.

``planbot_reminders_total{outcome="due|sent|failed"}``: the daily reminder pass reports how
many reminders fell due (queued: ``reminders_due``), and the outbox dispatcher how many of
them went out or were given up on (``delivered``, which also counts every notice sent per
channel). Defined here, in the clock's layer, beside the jobs that know.
"""

from __future__ import annotations

from collections.abc import Sequence

from prometheus_client import Counter

from handlers.metrics import notices_sent
from models.enums import Channel
from models.outbox import Claimed

REMINDER_KEY = "r:"  # the dedupe keys of reminders (handlers.reminders.Reminder.dedupe_key)
REMINDERS = Counter(
    "planbot_reminders_total",
    "Reminders by outcome: due (queued by the daily pass), sent, failed (given up).",
    ["outcome"],
)
DUE, SENT, FAILED = "due", "sent", "failed"
for _outcome in (DUE, SENT, FAILED):
    REMINDERS.labels(_outcome)


def reminders_due(count: int) -> None:
    REMINDERS.labels(DUE).inc(count)


def reminders_sent(count: int) -> None:
    REMINDERS.labels(SENT).inc(count)


def reminders_failed(count: int) -> None:
    REMINDERS.labels(FAILED).inc(count)


def delivered(
    channel: Channel | None, sent: int, rows: Sequence[Claimed], given_up: Sequence[Claimed]
) -> None:
    """One batch marked: its notices per channel, and which of them were reminders."""
    if channel is not None:
        notices_sent(channel, sent)
    reminders_sent(sum(row.dedupe_key.startswith(REMINDER_KEY) for row in rows))
    reminders_failed(sum(row.dedupe_key.startswith(REMINDER_KEY) for row in given_up))
