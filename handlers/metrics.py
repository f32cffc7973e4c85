"""What the conversation engine counts for ``/metrics`` (prometheus-client's default registry).

Defined in the lowest layer that counts them, so the channels (``bot``) add the notices
they deliver to the same ``planbot_messages_sent_total`` the engine adds replies to.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

from models.enums import Channel

MESSAGES_RECEIVED = Counter(
    "planbot_messages_received_total",
    "Messages (texts, button presses, files) people sent, per channel.",
    ["channel"],
)
MESSAGES_SENT = Counter(
    "planbot_messages_sent_total",
    "Messages planbot sent, per channel: replies to a turn, and notices from the outbox.",
    ["channel", "kind"],
)
TURN_SECONDS = Histogram(
    "planbot_turn_seconds",
    "Time one turn of the conversation took (its transaction and retries), per channel.",
    ["channel"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
REPLY, NOTICE = "reply", "notice"

for _channel in Channel:  # every series present from the start, at zero
    MESSAGES_RECEIVED.labels(_channel.value)
    TURN_SECONDS.labels(_channel.value)
    for _kind in (REPLY, NOTICE):
        MESSAGES_SENT.labels(_channel.value, _kind)


def turn_done(channel: Channel, seconds: float, replies: int) -> None:
    MESSAGES_RECEIVED.labels(channel.value).inc()
    TURN_SECONDS.labels(channel.value).observe(seconds)
    MESSAGES_SENT.labels(channel.value, REPLY).inc(replies)


def notices_sent(channel: Channel, count: int) -> None:
    MESSAGES_SENT.labels(channel.value, NOTICE).inc(count)
