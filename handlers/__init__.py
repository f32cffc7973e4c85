"""Conversation handlers: one module per flow. Importing the package registers them all.

Handlers never import a chat SDK; they speak ``handlers.messages`` and the engine runs them.
"""

from handlers import (  # noqa: F401
    amend,
    browse,
    budget,
    documents,
    draft,
    executive,
    extend,
    history,
    invite,
    join,
    mine,
    mydata,
    plan,
    posting,
    reminder_settings,
    review,
    round_cancel,
    schedule,
    screen,
    status,
    submit,
)
from handlers import help as help_flow  # noqa: F401
