"""Who acts: a logged-in user, or code run by an operator (a ``SystemActor``).

Services take ``actor: Actor``. A ``User`` satisfies the protocol; so does a
``SystemActor``, which stands for a management command, the task worker or the
demo loader: it may do everything, everywhere, and is recorded in the audit
trail under its label.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from fazhi.core.models import OrgUnit, Role


@runtime_checkable
class Actor(Protocol):
    """Anything that may call a service: a ``User`` or a ``SystemActor``."""

    @property
    def pk(self) -> Any: ...

    @property
    def is_authenticated(self) -> bool: ...

    @property
    def is_superuser(self) -> bool: ...

    @property
    def unit(self) -> OrgUnit | None: ...

    @property
    def role(self) -> Role | None: ...

    def has_perm(self, perm: str, obj: Any = None) -> bool: ...

    def get_username(self) -> str: ...


class SystemActor:
    """Code run by an operator (command, worker, demo loader), named by ``label``.

    It holds every permission and sees every unit: whoever can run the code can
    already read the database. Its audit events carry ``label`` and no user.
    """

    pk = None
    is_authenticated = True
    is_superuser = True
    is_active = True
    unit: OrgUnit | None = None
    role: Role | None = None

    def __init__(self, label: str) -> None:
        if not label.strip():
            raise ValueError("a SystemActor needs a label naming the code that acts")
        self.label = label.strip()

    def __repr__(self) -> str:
        return f"SystemActor({self.label!r})"

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        return True

    def get_username(self) -> str:
        return self.label


def actor_label(actor: Actor | None) -> str:
    """Return how an actor is named to people: a user's full name, "系统：<label>"."""
    if isinstance(actor, SystemActor):
        return _("System: %(label)s") % {"label": actor.label}
    if actor is None or not actor.is_authenticated:
        return _("Anonymous")
    full_name = getattr(actor, "full_name", "")
    return str(full_name or actor.get_username())
