"""LINE: the webhook, the inbox worker, rendering, pushes and the quota, the rich menu.

The only place line-bot-sdk is imported. ``service.LineService`` is what the web app mounts
when ``LINE_CHANNEL_SECRET`` and ``LINE_CHANNEL_ACCESS_TOKEN`` are set; the modules read top
to bottom in the order an event travels: ``webhook`` → ``inbox`` → ``lanes`` → ``events`` →
(the conversation engine) → ``render`` → ``channel`` (reply, or push through the outbox with
``quota``) → ``client`` — with ``richmenu`` and ``cli`` (``planbot line``, going through
``client``) beside them.
"""
