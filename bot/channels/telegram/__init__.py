"""Telegram: updates by long polling or webhook, rendering, sends within Telegram's limits.

The only place python-telegram-bot is imported. ``service.TelegramService`` is what the web
app mounts when ``TELEGRAM_BOT_TOKEN`` is set; the modules read top to bottom in the order
an update travels: ``polling`` (``getUpdates``) or ``webhook`` (``POST /webhooks/telegram``)
→ ``service`` (one update at a time, each person's in order) → ``events`` → (the
conversation engine) → ``render`` → ``channel`` (send, answer the press) → ``client``
(PTB's bot, within ``limits``) — with ``menu`` (the "/" command menu), ``committee`` (a
committee's group) and ``cli`` (``planbot telegram``) beside them.

A third channel follows the same shape: ``events`` (platform → ``Incoming``), ``render``
(``Outgoing`` → platform, pure), ``channel`` (sends), ``service`` (start, stop, the way in).
"""
