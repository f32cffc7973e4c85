"""The reminders' figures for ``/metrics``: the hook the reminder jobs report to.

``planbot_reminders_total{outcome="due|sent|failed"}``: the daily reminder pass reports how
many reminders fell due (queued), and the outbox dispatcher how many of them went out or
were given up on. Defined here, in the clock's layer, so the jobs that know call it:
``reminders_due(n)``, ``reminders_sent(n)``, ``reminders_failed(n)``.
"""

from __future__ import annotations

from prometheus_client import Counter

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
