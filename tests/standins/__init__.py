"""Local stand-ins for the chat platforms' HTTP APIs, checked against their published specs.

The real SDKs talk to these over real HTTP, so a wrong method, field name or type fails a
test here instead of a user's phone (``tests/specs/``, a copy of ``../shared/specs/``).
"""
