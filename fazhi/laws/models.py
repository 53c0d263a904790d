"""The law library: works, their versions, articles and compilations.

Public surface for other apps (stable):

- ``LawWork`` — the identity of one law across its versions (``key`` is the
  normalized title, e.g. ``安全生产法``).
- ``Law`` — one version of a law (法律法规), with ``status`` and
  ``superseded_by``; old versions stay readable and citable.
- ``Article`` — one article (条) of one version, with its 编/章/节 path and
  its paragraphs (款) and items (项) in ``paragraphs``.
- ``fazhi.laws.citations`` — ``citation_resolve(text, *, on=None)`` and
  ``citations_find(text, *, on=None)`` turn citation strings into articles.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fazhi.laws.choices import DateConfidence, LawLevel, LawStatus, TermOrigin
from fazhi.laws.numerals import article_anchor, article_label


class LawWork(models.Model):
    """法律法规 (作品) — what every version of one law shares: its identity."""

    key = models.CharField(_("normalized title"), max_length=200, unique=True)
    title = models.CharField(_("title"), max_length=200)
    short_title = models.CharField(_("short title"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("law work")
        verbose_name_plural = _("law works")
        ordering = ["key"]

    def __str__(self) -> str:
        return self.title


class Law(models.Model):
    """法律法规 — one version of a law, regulation or rule."""

    work = models.ForeignKey(
        LawWork, verbose_name=_("work"), on_delete=models.PROTECT, related_name="versions"
    )
    title = models.CharField(_("title"), max_length=200)
    short_title = models.CharField(_("short title"), max_length=100, blank=True)
    level = models.CharField(_("level"), max_length=30, choices=LawLevel.choices, db_index=True)
    issuer = models.CharField(_("issuer"), max_length=100, blank=True)
    region = models.CharField(
        _("region"), max_length=60, blank=True, help_text=_("For local legislation.")
    )
    document_number = models.CharField(_("document number"), max_length=60, blank=True)
    version_date = models.DateField(_("version date"))
    effective_date = models.DateField(_("effective date"))
    effective_date_stated = models.BooleanField(
        _("effective date stated in the text"),
        default=True,
        help_text=_("If not, the version date was used; check it."),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=LawStatus.choices,
        default=LawStatus.IN_FORCE,
        db_index=True,
    )
    repealed_on = models.DateField(
        _("repealed on"),
        null=True,
        blank=True,
        help_text=_("The first day the text is no longer in force."),
    )
    repealed_by = models.ForeignKey(
        "Article",
        verbose_name=_("repealed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="repeals",
        help_text=_("The article that repealed this text."),
    )
    superseded_by = models.ForeignKey(
        "self",
        verbose_name=_("superseded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supersedes",
    )
    effective_date_confidence = models.CharField(
        _("confidence of the effective date"),
        max_length=20,
        choices=DateConfidence.choices,
        blank=True,
        help_text=_("From the shipped table of effective dates; blank if not reviewed."),
    )
    effective_date_note = models.TextField(_("source of the effective date"), blank=True)
    history = models.JSONField(_("adoption and amendments"), default=list, blank=True)
    import_warnings = models.JSONField(
        _("import warnings"),
        default=list,
        blank=True,
        help_text=_("What the importer doubted, as {line, message}."),
    )
    heading_corrections = models.JSONField(
        _("lines marked as headings"),
        default=list,
        blank=True,
        help_text=_("Unmarked lines an administrator confirmed as chapter headings."),
    )
    source_name = models.CharField(_("source file"), max_length=255, blank=True)
    source_text = models.TextField(_("source text"), blank=True)
    content_hash = models.CharField(_("content hash"), max_length=64, unique=True)
    article_count = models.PositiveIntegerField(_("articles"), default=0)
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("law")
        verbose_name_plural = _("laws")
        ordering = ["work__key", "-version_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["work", "version_date"], name="law_one_version_per_date"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.version_date:%Y-%m-%d}）"

    def get_absolute_url(self) -> str:
        return reverse("laws:law_detail", args=[self.pk])

    @property
    def display_title(self) -> str:
        return self.short_title or self.title

    @property
    def effective_date_doubtful(self) -> bool:
        """True when the effective date needs checking (not stated, or not of high confidence)."""
        if self.effective_date_confidence:
            return self.effective_date_confidence != DateConfidence.HIGH
        return not self.effective_date_stated


class Article(models.Model):
    """条 — one article of one law version.

    ``paragraphs`` holds the 款 in order; each is ``{"text": str, "items":
    [{"label": "（一）", "number": 1, "text": str, "subitems": [...]}]}``.
    ``search_text`` is the jieba-segmented text that the full-text index
    reads: on SQLite the FTS5 table ``laws_article_fts`` kept in step by
    triggers, on PostgreSQL the generated ``search_vector`` column (see
    migration 0002). A later migration that makes Django rebuild this table
    on SQLite must call ``fazhi.laws.search.install_fts`` again.
    """

    law = models.ForeignKey(
        Law, verbose_name=_("law"), on_delete=models.CASCADE, related_name="articles"
    )
    seq = models.PositiveIntegerField(_("position"))
    number = models.PositiveIntegerField(_("number"))
    suffix = models.PositiveSmallIntegerField(
        _("suffix"), default=0, help_text=_("1 for 之一, 2 for 之二 …")
    )
    label = models.CharField(_("label"), max_length=30)
    part = models.CharField(_("part"), max_length=200, blank=True)
    chapter = models.CharField(_("chapter"), max_length=200, blank=True)
    section = models.CharField(_("section"), max_length=200, blank=True)
    paragraphs = models.JSONField(_("paragraphs"), default=list)
    text = models.TextField(_("text"))
    search_text = models.TextField(editable=False, default="")
    line = models.PositiveIntegerField(_("source line"), default=0)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["law", "seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["law", "number", "suffix"], name="article_unique_label"
            )
        ]
        indexes = [
            models.Index(fields=["law", "seq"], name="article_law_seq"),
            # Search by article number across laws (第九十二条, 92条).
            models.Index(fields=["number", "suffix"], name="article_number"),
        ]

    def __str__(self) -> str:
        return f"{self.law.display_title} {self.label}"

    def get_absolute_url(self) -> str:
        return reverse("laws:article_detail", args=[self.law_id, self.anchor])

    @property
    def anchor(self) -> str:
        return article_anchor(self.number, self.suffix)

    @property
    def path(self) -> list[str]:
        """Return the 编/章/节 headings above this article, outermost first."""
        return [p for p in (self.part, self.chapter, self.section) if p]

    def paragraph_text(self, index: int) -> str:
        """Return paragraph ``index`` (1-based) with its items, one per line."""
        paragraph = self.paragraphs[index - 1]
        lines = [paragraph["text"]] if paragraph["text"] else []
        for item in paragraph.get("items", []):
            lines.append(item_text(item))
        return "\n".join(lines)


def item_text(item: dict[str, Any]) -> str:
    lines = [item["label"] + item["text"]]
    lines.extend(sub["label"] + sub["text"] for sub in item.get("subitems", []))
    return "\n".join(lines)


class Compilation(models.Model):
    """汇编 — selected law versions exported as one DOCX document."""

    title = models.CharField(_("title"), max_length=200)
    unit = models.ForeignKey(
        "core.OrgUnit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    laws = models.ManyToManyField(
        Law, verbose_name=_("laws"), through="CompilationEntry", related_name="compilations"
    )

    class Meta:
        verbose_name = _("compilation")
        verbose_name_plural = _("compilations")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("laws:compilation_detail", args=[self.pk])

    def ordered_laws(self) -> list[Law]:
        entries = self.entries.select_related("law").order_by("position")
        return [entry.law for entry in entries]


class CompilationEntry(models.Model):
    """One law version in a compilation, at its position."""

    compilation = models.ForeignKey(Compilation, on_delete=models.CASCADE, related_name="entries")
    law = models.ForeignKey(Law, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("compilation entry")
        verbose_name_plural = _("compilation entries")
        ordering = ["compilation", "position"]
        constraints = [
            models.UniqueConstraint(fields=["compilation", "law"], name="compilation_law_once")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.law}"


class LawTerm(models.Model):
    """术语 — a doctrine or procedure name (and its 别称) mapped to the articles it means.

    Staff search with such names (过罚相当, 听证权利告知) rather than the
    statute's words; search expands a query through this table. Each
    reference names its source (``LawTermRef.source``).
    """

    term = models.CharField(_("term"), max_length=60, unique=True)
    aliases = models.JSONField(_("aliases"), default=list, blank=True)
    note = models.TextField(_("note"), blank=True)
    origin = models.CharField(
        _("origin"), max_length=20, choices=TermOrigin.choices, default=TermOrigin.EDITED
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("legal term")
        verbose_name_plural = _("legal terms")
        ordering = ["term"]

    def __str__(self) -> str:
        return self.term

    def get_absolute_url(self) -> str:
        return reverse("laws:term_edit", args=[self.pk])

    @property
    def names(self) -> list[str]:
        """The term and its aliases."""
        return [self.term, *(a for a in self.aliases if a and a != self.term)]


class LawTermRef(models.Model):
    """One article (or paragraph, or item) a term means, with the source of the mapping."""

    term = models.ForeignKey(
        LawTerm, verbose_name=_("term"), on_delete=models.CASCADE, related_name="refs"
    )
    work = models.ForeignKey(
        LawWork, verbose_name=_("law"), on_delete=models.PROTECT, related_name="+"
    )
    number = models.PositiveIntegerField(_("article number"))
    suffix = models.PositiveSmallIntegerField(_("suffix"), default=0)
    paragraph = models.PositiveSmallIntegerField(_("paragraph"), null=True, blank=True)
    item = models.PositiveSmallIntegerField(_("item"), null=True, blank=True)
    source = models.TextField(_("source of the mapping"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("term reference")
        verbose_name_plural = _("term references")
        ordering = ["term", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.term} → {self.citation}"

    @property
    def citation(self) -> str:
        """The reference as a citation string (《行政处罚法》第五条第二款)."""
        from fazhi.laws.numerals import int_to_cn

        title = self.work.short_title or self.work.title
        text = (
            f"《{title.removeprefix('中华人民共和国')}》{article_label(self.number, self.suffix)}"
        )
        if self.paragraph:
            text += f"第{int_to_cn(self.paragraph)}款"
        if self.item:
            text += f"第（{int_to_cn(self.item)}）项"
        return text
