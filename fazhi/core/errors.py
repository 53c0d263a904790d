"""Domain errors: raised by services, shown to users in their language."""

from __future__ import annotations

from django.utils.functional import Promise


class DomainError(Exception):
    """A rule refused the action; ``message`` is already translated text."""

    status_code = 400

    def __init__(self, message: str | Promise, *, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


class NotAllowed(DomainError):
    """The actor's role does not grant the permission the action needs (403)."""

    status_code = 403


class OutOfScope(NotAllowed):
    """The object lies outside the actor's org scope: answered as "not found" (404)."""

    status_code = 404


class Conflict(DomainError):
    """The object is not in a state that allows this action."""

    status_code = 409


class Refused(DomainError):
    """A workflow guard refused a transition; ``message`` says why."""

    status_code = 409
