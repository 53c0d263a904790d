"""Core records: org tree, users and roles, audit chain, calendar, clocks, files.

One module per concern; everything is re-exported here, where Django and the
rest of the code (and migration 0005, which names ``FazhiUserManager``) look.
"""

from __future__ import annotations

from fazhi.core.models.accounts import (
    ApiToken,
    FazhiUserManager,
    LoginFailure,
    PasswordHistory,
    RecoveryCode,
    Role,
    User,
)
from fazhi.core.models.audit import AuditChainHead, AuditEvent
from fazhi.core.models.files import Attachment, Blob, Document, DocumentTemplate
from fazhi.core.models.orgs import PATH_STEP, OrgUnit
from fazhi.core.models.proposals import RuleProposal
from fazhi.core.models.sequences import IssuedNumber, NumberPattern, NumberSequence
from fazhi.core.models.time_limits import CalendarDay, CalendarYear, ClockRule, ObjectClock

__all__ = [
    "PATH_STEP",
    "ApiToken",
    "Attachment",
    "AuditChainHead",
    "AuditEvent",
    "Blob",
    "CalendarDay",
    "CalendarYear",
    "ClockRule",
    "Document",
    "DocumentTemplate",
    "FazhiUserManager",
    "IssuedNumber",
    "LoginFailure",
    "NumberPattern",
    "NumberSequence",
    "ObjectClock",
    "OrgUnit",
    "PasswordHistory",
    "RecoveryCode",
    "Role",
    "RuleProposal",
    "User",
]
