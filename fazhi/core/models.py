"""Core records: org tree, users and roles, audit chain, calendar, clocks, files."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.contrib.auth.models import AbstractUser, Permission, UserManager
from django.contrib.auth.password_validation import validate_password
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from fazhi.core import codes
from fazhi.core.choices import (
    AgencyLevel,
    AttachmentRole,
    ClockState,
    ClockUnit,
    DayKind,
    ProposalStatus,
    Province,
    RoleCode,
    Scope,
    UnitKind,
)
from fazhi.core.effective import Effective, EffectiveQuerySet
from fazhi.core.number_patterns import number_format, pattern_problem

PATH_STEP = 6  # digits per tree level in OrgUnit.path


class OrgUnit(models.Model):
    """行政机关 / 内设机构 — an agency or one of its internal units.

    ``path`` is a materialized path ("000001.000004.") so that a subtree is one
    indexed ``startswith`` query on both SQLite and PostgreSQL.
    """

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    level = models.CharField(
        _("administrative level"), max_length=10, choices=AgencyLevel.choices, blank=True
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    region_code = models.CharField(_("region code"), max_length=6, blank=True)
    uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    doc_abbr = models.CharField(
        _("document abbreviation"),
        max_length=10,
        blank=True,
        help_text=_("机关代字 used in 文书号 and 案号, e.g. 济 or 任."),
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["uscc"], condition=~models.Q(uscc=""), name="orgunit_unique_uscc"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, object] = {}
        if self.kind == UnitKind.AGENCY:
            if not self.level:
                errors["level"] = _("An agency needs its administrative level.")
            region = codes.validate_region(self.region_code)
            if not region.valid:
                errors["region_code"] = region.reason
            if self.uscc:
                check = codes.validate_uscc(self.uscc)
                if not check.valid:
                    errors["uscc"] = check.reason
        elif self.parent is None:
            errors["parent"] = _("An internal unit must belong to an agency.")
        elif self.level:
            errors["level"] = _("Only agencies have an administrative level.")
        if self.pk and self.parent_id:
            ancestor = self.parent
            while ancestor is not None:
                if ancestor.pk == self.pk:
                    errors["parent"] = _("A unit cannot be placed under itself.")
                    break
                ancestor = ancestor.parent
        if errors:
            raise ValidationError(errors)

    @property
    def depth(self) -> int:
        return self.path.count(".") - 1

    def agency(self) -> OrgUnit:
        """Return the agency this unit belongs to (itself if it is one)."""
        unit: OrgUnit | None = self
        while unit is not None and unit.kind != UnitKind.AGENCY:
            unit = unit.parent
        return unit or self

    def ancestors(self) -> models.QuerySet[OrgUnit]:
        prefixes = [self.path[: (i + 1) * (PATH_STEP + 1)] for i in range(self.depth)]
        return OrgUnit.objects.filter(path__in=prefixes).order_by("path")

    def subtree(self) -> models.QuerySet[OrgUnit]:
        return OrgUnit.objects.filter(path__startswith=self.path)

    def province(self) -> str:
        """The province (two digits of the region code) of this unit or its nearest ancestor."""
        if len(self.region_code) >= 2:
            return self.region_code[:2]
        nearest = (
            self.ancestors()
            .exclude(region_code="")
            .order_by("-path")
            .values("region_code")
            .first()
        )
        return nearest["region_code"][:2] if nearest else ""


class Role(models.Model):
    """角色 — what a user may do (permissions) and how far they see (scope)."""

    code = models.CharField(_("code"), max_length=30, unique=True, choices=RoleCode.choices)
    name = models.CharField(_("name"), max_length=60)
    scope = models.CharField(_("visibility scope"), max_length=10, choices=Scope.choices)
    permissions = models.ManyToManyField(
        Permission, verbose_name=_("permissions"), blank=True, related_name="fazhi_roles"
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["id"]

    def __str__(self) -> str:
        # The built-in roles show their translated label; renamed ones their name.
        if self.code in RoleCode.values:
            label = RoleCode(self.code).label
            with translation.override(None):
                untranslated = str(label)
            if self.name == untranslated:
                return str(label)
        return self.name


class FazhiUserManager(UserManager["User"]):
    """Run the password validators on every user the manager creates.

    ``createsuperuser --noinput`` with DJANGO_SUPERUSER_PASSWORD, its
    interactive "bypass validation" answer, and scripts calling
    ``create_user`` all come through here.
    """

    def _create_user_object(
        self, username: Any, email: Any, password: Any, **extra_fields: Any
    ) -> User:
        user = super()._create_user_object(  # type: ignore[misc]  # not in django-stubs
            username, email, password, **extra_fields
        )
        if password is not None:
            validate_password(password, user)
        return user


class User(AbstractUser):
    """A person who logs in; acts for one unit under one role."""

    objects = FazhiUserManager()  # type: ignore[misc]

    full_name = models.CharField(_("full name"), max_length=60, blank=True)
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    role = models.ForeignKey(
        Role, verbose_name=_("role"), null=True, blank=True, on_delete=models.PROTECT
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    enterprise_uscc = models.CharField(
        _("enterprise credit code"),
        max_length=18,
        blank=True,
        help_text=_("For enterprise users: the entity they act for."),
    )
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)
    failed_logins = models.PositiveIntegerField(_("consecutive failed logins"), default=0)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.full_name or self.username

    def set_password(self, raw_password: str | None) -> None:
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > timezone.now()


class PasswordHistory(models.Model):
    """A password hash a user had, so that recent passwords are not reused."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("password history")
        verbose_name_plural = _("password histories")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d}"


class LoginFailure(models.Model):
    """One failed login, counted per client address and per account for throttling."""

    username = models.CharField(max_length=150, db_index=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("login failure")
        verbose_name_plural = _("login failures")

    def __str__(self) -> str:
        return f"{self.username} {self.client_ip} {self.at:%Y-%m-%d %H:%M}"


class ApiToken(models.Model):
    """个人访问令牌 — a personal token for machine clients (Bearer)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked = models.BooleanField(_("revoked"), default=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_key() -> str:
        return "fz_" + secrets.token_urlsafe(32)


class RecoveryCode(models.Model):
    """恢复码 — a one-time second factor for a lost authenticator, kept as a hash."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d}"

    @staticmethod
    def hash_code(code: str) -> str:
        return hashlib.sha256(code.encode()).hexdigest()


class RuleProposal(models.Model):
    """规则修改建议 — a lower level asks the owner of rule data for a change.

    The owner (``owner`` None: national/provincial, the system administrators)
    accepts or rejects it; an accepted change is then made by the owner through
    the rule data's own page, so that it is checked and audited like any other.
    """

    proposer = models.ForeignKey(
        User, verbose_name=_("proposed by"), on_delete=models.PROTECT, related_name="+"
    )
    proposer_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("proposing agency"), on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        OrgUnit,
        verbose_name=_("owner of the rule data"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    subject = models.CharField(_("rule data concerned"), max_length=200)
    proposal = models.TextField(_("proposed change and reason"))
    status = models.CharField(
        _("status"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PENDING
    )
    decided_by = models.ForeignKey(
        User,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("rule proposal")
        verbose_name_plural = _("rule proposals")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.subject


class AuditEvent(models.Model):
    """审计日志 — one state change, chained to the previous event by hash."""

    seq = models.BigIntegerField(_("sequence"), unique=True, editable=False)
    occurred_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User, verbose_name=_("actor"), null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_label = models.CharField(_("actor"), max_length=150)
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.SET_NULL
    )
    unit_path = models.CharField(max_length=255, blank=True, db_index=True)
    verb = models.CharField(_("action"), max_length=60, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    before_digest = models.CharField(max_length=64, blank=True)
    after_digest = models.CharField(max_length=64, blank=True)
    client_ip = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    algorithm = models.CharField(_("hash algorithm"), max_length=10)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.verb} {self.object_repr}"


class AuditChainHead(models.Model):
    """The single row that serializes appends and remembers the chain's tip."""

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain heads")

    def __str__(self) -> str:
        return f"#{self.last_seq} {self.last_hash}"


class CalendarYear(models.Model):
    """A year whose holiday notice has been entered by an administrator."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(_("source"), max_length=200, help_text=_("e.g. 国办发明电〔2026〕…"))

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """An administrator's override of one day: a holiday or a make-up working day."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=60, blank=True)
    source = models.CharField(_("source"), max_length=200)

    class Meta:
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


class ClockRule(Effective):
    """期限规则 — a statutory time limit stored as data, with its source."""

    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    length = models.PositiveIntegerField(_("length"))
    unit = models.CharField(_("unit"), max_length=10, choices=ClockUnit.choices)
    start_day_counts = models.BooleanField(_("start day counts"), default=False)
    roll_forward = models.BooleanField(
        _("roll to next working day"),
        default=True,
        help_text=_("A calendar period that ends on a rest day ends on the next working day."),
    )
    pausable = models.BooleanField(
        _("pausable"),
        default=False,
        help_text=_("Time such as expert review is not counted (行政许可法 Art. 45)."),
    )
    source = models.CharField(_("source article"), max_length=255)
    province = models.CharField(
        _("province"),
        max_length=2,
        blank=True,
        choices=Province.choices,
        help_text=_(
            "Blank: the national rule. A province's version applies to units in that "
            "province (by their region code) instead of the national one."
        ),
    )
    verified = models.BooleanField(
        _("verified"), default=True, help_text=_("Unverified defaults are flagged in the UI.")
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = EffectiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("clock rule")
        verbose_name_plural = _("clock rules")
        ordering = ["code", "province", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "province", "effective_from"], name="clockrule_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.length} {self.get_unit_display()})"

    def clean(self) -> None:
        super().clean()
        if self.length == 0:
            raise ValidationError({"length": _("A time limit must be at least 1.")})


class ObjectClock(models.Model):
    """法定期限 — one statutory clock running on one object (a case, an inspection …).

    Started, paused, resumed and stopped by workflow transitions; ``due_on``
    and ``derivation`` always come from the clock engine and the rule version
    in force on ``started_on``. ``pauses`` keeps every pause with its reason
    ({"from", "to", "reason"}, both days included; "to" is null while paused).
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField(_("object id"))
    target = GenericForeignKey("content_type", "object_id")
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rule = models.ForeignKey(
        ClockRule, verbose_name=_("rule version"), on_delete=models.PROTECT, related_name="+"
    )
    rule_code = models.SlugField(_("rule"), max_length=60)
    key = models.CharField(_("key"), max_length=60, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=ClockState.choices, default=ClockState.RUNNING
    )
    started_on = models.DateField(_("started on"))
    due_on = models.DateField(_("due on"), db_index=True)
    pauses = models.JSONField(_("pauses"), default=list, blank=True)
    stopped_on = models.DateField(_("stopped on"), null=True, blank=True)
    derivation = models.JSONField(_("derivation"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("statutory clock")
        verbose_name_plural = _("statutory clocks")
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "rule_code", "key"], name="objectclock_one"
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="objectclock_target")]

    def __str__(self) -> str:
        return f"{self.rule_code} {self.due_on}"


class Blob(models.Model):
    """A stored file, addressed by its SHA-256; shared by identical uploads."""

    sha256 = models.CharField(max_length=64, unique=True)
    sm3 = models.CharField(max_length=64, blank=True)
    size = models.BigIntegerField()
    content_type = models.CharField(max_length=100)
    storage_name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("stored file content")
        verbose_name_plural = _("stored file contents")

    def __str__(self) -> str:
        return self.sha256


class Attachment(models.Model):
    """证据 / 附件 — an uploaded file in the context of an org unit."""

    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="attachments")
    original_name = models.CharField(_("file name"), max_length=255)
    role = models.CharField(
        _("role"), max_length=20, choices=AttachmentRole.choices, default=AttachmentRole.OTHER
    )
    description = models.CharField(_("description"), max_length=255, blank=True)
    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT)
    uploaded_by = models.ForeignKey(
        User, verbose_name=_("uploaded by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class NumberPattern(models.Model):
    """文书号 / 案号 pattern — how one agency writes the numbers of one kind.

    A row without an agency is the default for every agency. The pattern is a
    Python format string over ``agency_abbr``, ``year`` and ``seq`` (which may
    carry a width, ``{seq:04d}``), e.g. ``{agency_abbr}应急罚〔{year}〕{seq}号``.
    """

    kind = models.CharField(_("kind"), max_length=60)
    agency = models.ForeignKey(
        OrgUnit, verbose_name=_("agency"), null=True, blank=True, on_delete=models.PROTECT
    )
    label = models.CharField(_("name"), max_length=100)
    pattern = models.CharField(_("pattern"), max_length=120)

    class Meta:
        verbose_name = _("numbering pattern")
        verbose_name_plural = _("numbering patterns")
        ordering = ["kind", "agency__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "agency"], name="numberpattern_unique_kind_agency"
            ),
            models.UniqueConstraint(
                fields=["kind"],
                condition=models.Q(agency__isnull=True),
                name="numberpattern_unique_default",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.pattern}"

    def example(self) -> str:
        """The first number of this year as the pattern writes it (济 for an unnamed agency)."""
        abbr = self.agency.doc_abbr if self.agency and self.agency.doc_abbr else "济"
        try:
            return number_format(
                self.pattern, agency_abbr=abbr, year=timezone.localdate().year, seq=1
            )
        except (KeyError, ValueError, IndexError):
            return self.pattern

    def clean(self) -> None:
        problem = pattern_problem(self.pattern)
        if problem:
            raise ValidationError({"pattern": problem})


class NumberSequence(models.Model):
    """The counter behind one agency's numbers of one kind in one year."""

    agency = models.ForeignKey(OrgUnit, on_delete=models.PROTECT)
    kind = models.CharField(max_length=60)
    year = models.PositiveIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "kind", "year"], name="numbersequence_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.kind}/{self.year}: {self.last_value}"


class IssuedNumber(models.Model):
    """A number handed out; the constraints make a duplicate impossible."""

    agency = models.ForeignKey(OrgUnit, verbose_name=_("agency"), on_delete=models.PROTECT)
    kind = models.CharField(_("kind"), max_length=60)
    year = models.PositiveIntegerField(_("year"))
    seq = models.PositiveIntegerField(_("sequence number"))
    text = models.CharField(_("number"), max_length=160)
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)

    class Meta:
        verbose_name = _("issued number")
        verbose_name_plural = _("issued numbers")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "kind", "year", "seq"], name="issuednumber_unique_seq"
            ),
            models.UniqueConstraint(fields=["agency", "text"], name="issuednumber_unique_text"),
        ]

    def __str__(self) -> str:
        return self.text


class DocumentTemplate(models.Model):
    """文书模板 — one version of a Word template, rendered with docxtpl.

    Versions are never edited: an administrator downloads the active version,
    edits it in Word and uploads it as the next version. Templates are small
    and few, so their bytes live in the database with their hash.
    """

    code = models.CharField(_("code"), max_length=60)
    version = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=100)
    content = models.BinaryField(_("file"))
    sha256 = models.CharField(max_length=64)
    variables = models.JSONField(_("variables"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        User, verbose_name=_("uploaded by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("document template")
        verbose_name_plural = _("document templates")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="doctemplate_unique_version")
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class Document(models.Model):
    """文书 — a rendered, numbered and hashed document about one object."""

    template = models.ForeignKey(
        DocumentTemplate, verbose_name=_("template"), on_delete=models.PROTECT
    )
    title = models.CharField(_("title"), max_length=200)
    number = models.CharField(_("document number"), max_length=160, blank=True)
    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=40)
    attachment = models.ForeignKey(
        Attachment, verbose_name=_("file"), on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        User, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.title} {self.number}".strip()
