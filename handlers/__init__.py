"""Conversation handlers: one module per flow. Importing the package registers them all.

Handlers never import a chat SDK; they speak ``handlers.messages`` and the engine runs them.
"""

from handlers import budget, invite, join, mine, status, submit  # noqa: F401
from handlers import help as help_flow  # noqa: F401
