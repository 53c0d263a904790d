"""Database sessions whose row is remembered while the database is unchanged.

Every page reads its session row before anything else; reading it again when
no committed write happened since (read_cache.remembered) answers from memory.
A logout, a new login or an idle timeout writes, so it is seen at once; the
expiry date is checked on every request, as Django's own backend does.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends import db
from django.contrib.sessions.base_session import AbstractBaseSession
from django.utils import timezone

from fazhi.core import read_cache

_known: dict[Any, tuple[tuple[Any, ...], AbstractBaseSession | None]] = {}


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> AbstractBaseSession | None:
        key = self.session_key
        row = read_cache.remembered(
            _known, key, lambda: self.model.objects.filter(session_key=key).first()
        )
        if row is None or row.expire_date <= timezone.now():
            self._session_key = None
            return None
        return row
