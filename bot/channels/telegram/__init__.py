"""Telegram: updates by long polling or webhook, rendering, sends within Telegram's limits.

The only place python-telegram-bot is imported. ``service.TelegramService`` is what the web
app mounts when ``TELEGRAM_BOT_TOKEN`` is set; the modules read top to bottom in the order
an update travels: ``service`` (long polling, or ``POST /webhooks/telegram``) → ``events``
→ (the conversation engine) → ``render`` → ``channel`` (PTB's bot, within the limits) —
with ``committee`` (a committee's group) and ``cli`` (``planbot telegram``) beside them.
"""
