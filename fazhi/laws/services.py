"""Writes for the law library: import law texts, correct them, build compilations.

``law_import(actor=…, text=…, source_name=…)`` parses one text and stores it
as a new version of its work (idempotent by content hash); a newer version
supersedes the older ones, which stay readable. ``law_import_paths`` does the
same for files and folders. Every change is audited in its own transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from fazhi.core import policy
from fazhi.core.audit import audit_record, snapshot
from fazhi.core.errors import DomainError
from fazhi.laws.choices import ImportOutcome, LawStatus
from fazhi.laws.models import Article, Compilation, CompilationEntry, Law, LawWork
from fazhi.laws.parser import ParsedLaw, Problem, compact, parse_law
from fazhi.laws.search import index_text, merge_pending
from fazhi.laws.shipped import shipped_date, shipped_dates, shipped_headings

LAW_FIELDS = [
    "title",
    "short_title",
    "level",
    "issuer",
    "region",
    "document_number",
    "version_date",
    "effective_date",
    "effective_date_stated",
    "status",
    "repealed_on",
    "repealed_by",
    "superseded_by",
    "effective_date_confidence",
    "effective_date_note",
    "heading_corrections",
    "content_hash",
    "article_count",
]
EDITABLE_FIELDS = [
    "short_title",
    "level",
    "issuer",
    "region",
    "document_number",
    "effective_date",
    "status",
    "repealed_on",
]


@dataclass
class ImportResult:
    """What happened to one file: imported, unchanged (already there) or failed."""

    source_name: str
    outcome: str
    law: Law | None = None
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    superseded: list[Law] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.outcome == ImportOutcome.FAILED

    @property
    def article_count(self) -> int:
        return self.law.article_count if self.law else 0

    def summary(self) -> str:
        """One line for the command and the import page."""
        if self.law is None:
            return _("%(file)s: failed") % {"file": self.source_name}
        return _("%(file)s: %(outcome)s — %(title)s (%(date)s), %(count)s articles") % {
            "file": self.source_name,
            "outcome": ImportOutcome(self.outcome).label,
            "title": self.law.title,
            "date": self.law.version_date.isoformat(),
            "count": self.law.article_count,
        }


def _article_rows(law: Law, parsed: ParsedLaw) -> list[Article]:
    rows = []
    for seq, parsed_article in enumerate(parsed.articles, start=1):
        text = parsed_article.text
        rows.append(
            Article(
                law=law,
                seq=seq,
                number=parsed_article.number,
                suffix=parsed_article.suffix,
                label=parsed_article.label,
                part=parsed_article.part,
                chapter=parsed_article.chapter,
                section=parsed_article.section,
                paragraphs=[p.as_json() for p in parsed_article.paragraphs],
                text=text,
                search_text=index_text(
                    text, parsed_article.part, parsed_article.chapter, parsed_article.section
                ),
                line=parsed_article.line,
            )
        )
    return rows


def _relink_versions(*, actor: Any, work: LawWork) -> list[Law]:
    """Chain a work's versions by date: each is superseded by the next one.

    Return the versions whose status or link changed. Repealed versions keep
    their status; the newest version is in force unless it was repealed.
    """
    versions = list(
        Law.objects.select_for_update().filter(work=work).order_by("version_date", "pk")
    )
    changed = []
    for index, version in enumerate(versions):
        newer = versions[index + 1] if index + 1 < len(versions) else None
        status = version.status
        if newer is not None and status == LawStatus.IN_FORCE:
            status = LawStatus.AMENDED
        elif newer is None and status == LawStatus.AMENDED:
            status = LawStatus.IN_FORCE
        newer_id = newer.pk if newer is not None else None
        if status == version.status and newer_id == version.superseded_by_id:
            continue
        before = snapshot(version, ["status", "superseded_by"])
        version.status = status
        version.superseded_by = newer
        version.save(update_fields=["status", "superseded_by"])
        audit_record(
            actor=actor,
            verb="laws.law.supersede",
            obj=version,
            before=before,
            after=snapshot(version, ["status", "superseded_by"]),
        )
        changed.append(version)
    return changed


@policy.requires("laws.add_law")
def law_import(
    *, actor: Any, text: str, source_name: str, headings: Sequence[str] | None = None
) -> ImportResult:
    """Import one law text as a version of its work; return what happened.

    Parse errors, or a different text for a version already stored, leave the
    database untouched and come back in ``errors`` with line numbers.
    ``headings`` are unmarked lines confirmed as chapter headings; for a
    shipped file they default to ``data/heading-corrections.tsv``, and its
    effective date comes from ``effective-dates.tsv``.
    """
    if headings is None:
        headings = shipped_headings().get(Path(source_name).name, ())
    parsed = parse_law(text, source_name, headings=headings)
    result = ImportResult(source_name, ImportOutcome.FAILED, errors=list(parsed.errors))
    result.warnings = list(parsed.warnings)
    if parsed.errors:
        return result
    existing = Law.objects.filter(content_hash=parsed.content_hash).first()
    if existing is not None:
        result.outcome = ImportOutcome.UNCHANGED
        result.law = existing
        if not existing.effective_date_confidence:
            # Imported before the table of effective dates was shipped.
            result.law = _apply_shipped_date(actor=actor, law=existing) or existing
        return result
    try:
        with transaction.atomic():
            result.law, result.superseded = _store(actor=actor, parsed=parsed)
            transaction.on_commit(merge_pending)
    except DomainError as exc:
        result.errors.append(Problem(1, str(exc.message)))
        return result
    except IntegrityError:
        # The same text was imported concurrently: nothing left to do.
        result.law = Law.objects.filter(content_hash=parsed.content_hash).first()
        if result.law is None:
            raise
        result.outcome = ImportOutcome.UNCHANGED
        return result
    result.outcome = ImportOutcome.CREATED
    return result


def _store(*, actor: Any, parsed: ParsedLaw) -> tuple[Law, list[Law]]:
    assert parsed.version_date is not None
    assert parsed.effective_date is not None
    work, _created = LawWork.objects.get_or_create(
        key=parsed.work_key,
        defaults={"title": parsed.title, "short_title": parsed.short_title},
    )
    work = LawWork.objects.select_for_update().get(pk=work.pk)
    clash = Law.objects.filter(work=work, version_date=parsed.version_date).first()
    if clash is not None:
        raise DomainError(
            _(
                "Version %(date)s of %(title)s is already stored with a different text; "
                "give the new text its own version date."
            )
            % {"date": parsed.version_date.isoformat(), "title": work.title},
            field="file",
        )
    shipped = shipped_date(parsed.source_name, parsed.title)
    effective_date = parsed.effective_date
    if shipped is not None and shipped.version_date == parsed.version_date:
        effective_date = shipped.effective_date
    law = Law(
        work=work,
        title=parsed.title,
        short_title=parsed.short_title,
        level=parsed.level,
        issuer=parsed.issuer,
        region=parsed.region,
        document_number=parsed.document_number,
        version_date=parsed.version_date,
        effective_date=effective_date,
        effective_date_stated=parsed.effective_date_stated,
        effective_date_confidence=shipped.confidence if shipped else "",
        effective_date_note=shipped.note if shipped else "",
        status=LawStatus.IN_FORCE,
        history=parsed.history,
        import_warnings=[w.as_json() for w in parsed.warnings],
        heading_corrections=sorted(_applied_headings(parsed)),
        source_name=Path(parsed.source_name).name,
        source_text=parsed.normalized_text,
        content_hash=parsed.content_hash,
        article_count=len(parsed.articles),
        imported_by=actor if getattr(actor, "pk", None) else None,
    )
    try:
        law.full_clean()
    except ValidationError as exc:
        raise DomainError("; ".join(exc.messages)) from exc
    law.save()
    Article.objects.bulk_create(_article_rows(law, parsed), batch_size=500)
    newest = Law.objects.filter(work=work).order_by("-version_date").values_list("pk", flat=True)
    if newest.first() == law.pk and (work.title, work.short_title) != (
        law.title,
        law.short_title,
    ):
        work.title, work.short_title = law.title, law.short_title
        work.save(update_fields=["title", "short_title"])
    audit_record(actor=actor, verb="laws.law.import", obj=law, after=snapshot(law, LAW_FIELDS))
    superseded = [v for v in _relink_versions(actor=actor, work=work) if v.pk != law.pk]
    law.refresh_from_db()
    return law, superseded


def _applied_headings(parsed: ParsedLaw) -> set[str]:
    return {a.chapter.split(" ", 1)[-1] for a in parsed.articles if a.chapter} & set(
        parsed.headings
    )


def _apply_shipped_date(*, actor: Any, law: Law) -> Law | None:
    """Set a stored law's effective date from the shipped table; None if it has no row."""
    shipped = shipped_date(law.source_name, law.title)
    if shipped is None or shipped.version_date != law.version_date:
        return None
    with transaction.atomic():
        law = Law.objects.select_for_update().get(pk=law.pk)
        before = snapshot(law, LAW_FIELDS)
        law.effective_date = shipped.effective_date
        law.effective_date_confidence = shipped.confidence
        law.effective_date_note = shipped.note
        law.save(
            update_fields=[
                "effective_date",
                "effective_date_confidence",
                "effective_date_note",
            ]
        )
        audit_record(
            actor=actor,
            verb="laws.law.update",
            obj=law,
            before=before,
            after=snapshot(law, LAW_FIELDS),
        )
    return law


@policy.requires("laws.change_law")
def law_apply_repeals(*, actor: Any) -> list[Law]:
    """Mark the shipped versions the table records as repealed, linking the repealing article.

    A version is left alone until the repealing law is in the library (the
    link must resolve), and once it is marked. Return the versions changed.
    """
    from fazhi.laws.citations import citation_resolve

    changed = []
    for row in shipped_dates().values():
        repeal = row.repeal
        if repeal is None:
            continue
        repealed_on, citation_text = repeal
        law = Law.objects.filter(source_name=row.file, version_date=row.version_date).first()
        if law is None or (law.status == LawStatus.REPEALED and law.repealed_by_id):
            continue
        citation = citation_resolve(citation_text, on=repealed_on)
        if not citation.resolved:
            continue
        with transaction.atomic():
            law = Law.objects.select_for_update().get(pk=law.pk)
            before = snapshot(law, LAW_FIELDS)
            law.status = LawStatus.REPEALED
            law.repealed_on = repealed_on
            law.repealed_by = citation.article
            law.save(update_fields=["status", "repealed_on", "repealed_by"])
            audit_record(
                actor=actor,
                verb="laws.law.repeal",
                obj=law,
                before=before,
                after=snapshot(law, LAW_FIELDS),
            )
        changed.append(law)
    return changed


@policy.requires("laws.change_law")
@transaction.atomic
def law_headings_correct(*, actor: Any, law: Law, headings: Sequence[str]) -> Law:
    """Re-read a stored text with ``headings`` confirmed as unmarked chapter headings.

    The articles keep their identity (other records cite them); their
    chapters, text and index are updated, and the remaining warnings stored.
    """
    law = Law.objects.select_for_update().get(pk=law.pk)
    chosen = [compact(h) for h in headings if compact(h)]
    suspected = {w.get("heading") for w in law.import_warnings} | set(law.heading_corrections)
    unknown = [h for h in chosen if h not in suspected]
    if unknown:
        raise DomainError(
            _("These lines were not found as possible headings: %(lines)s")
            % {"lines": "、".join(unknown)},
            field="headings",
        )
    parsed = parse_law(law.source_text, law.source_name, headings=chosen)
    if parsed.errors:
        raise DomainError("; ".join(str(e) for e in parsed.errors), field="headings")
    stored = {(a.number, a.suffix): a for a in law.articles.all()}
    if set(stored) != {(a.number, a.suffix) for a in parsed.articles}:
        raise DomainError(_("The corrected text has different articles."), field="headings")
    before = snapshot(law, LAW_FIELDS)
    rows = []
    for parsed_article in parsed.articles:
        article = stored[(parsed_article.number, parsed_article.suffix)]
        article.part = parsed_article.part
        article.chapter = parsed_article.chapter
        article.section = parsed_article.section
        article.paragraphs = [p.as_json() for p in parsed_article.paragraphs]
        article.text = parsed_article.text
        article.search_text = index_text(
            article.text, article.part, article.chapter, article.section
        )
        rows.append(article)
    Article.objects.bulk_update(
        rows, ["part", "chapter", "section", "paragraphs", "text", "search_text"], batch_size=200
    )
    law.heading_corrections = sorted(_applied_headings(parsed))
    law.import_warnings = [w.as_json() for w in parsed.warnings]
    law.save(update_fields=["heading_corrections", "import_warnings"])
    audit_record(
        actor=actor,
        verb="laws.law.headings_correct",
        obj=law,
        before=before,
        after=snapshot(law, LAW_FIELDS),
    )
    return law


def law_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand files and folders (their ``*.md``, sorted) into a list of files."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*.md") if p.name.lower() != "readme.md"))
        else:
            files.append(path)
    return files


@policy.requires("laws.add_law")
def law_import_paths(*, actor: Any, paths: Sequence[str | Path]) -> list[ImportResult]:
    """Import every file (and every ``*.md`` in every folder) given."""
    results = []
    for path in law_files(paths):
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except OSError as exc:
            result = ImportResult(str(path), ImportOutcome.FAILED)
            result.errors.append(Problem(0, _("Cannot read the file: %(error)s") % {"error": exc}))
            results.append(result)
            continue
        except UnicodeDecodeError as exc:
            result = ImportResult(str(path), ImportOutcome.FAILED)
            line = path.read_bytes()[: exc.start].count(b"\n") + 1
            result.errors.append(Problem(line, _("The file is not UTF-8 text.")))
            results.append(result)
            continue
        result = law_import(actor=actor, text=text, source_name=str(path))
        results.append(result)
    law_apply_repeals(actor=actor)
    return results


@policy.requires("laws.change_law")
@transaction.atomic
def law_update(*, actor: Any, law: Law, **fields: Any) -> Law:
    """Correct what the importer inferred: level, issuer, dates, status."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(_("These fields cannot be changed: %(f)s") % {"f": ", ".join(unknown)})
    law = Law.objects.select_for_update().get(pk=law.pk)
    before = snapshot(law, LAW_FIELDS)
    for name, value in fields.items():
        setattr(law, name, value)
    if "effective_date" in fields:
        law.effective_date_stated = True
        law.effective_date_confidence = ""
        law.effective_date_note = _("Corrected by %(user)s.") % {"user": _actor_name(actor)}
    if law.status == LawStatus.REPEALED and law.repealed_on is None:
        raise DomainError(_("Give the date the text was repealed."), field="repealed_on")
    if law.status != LawStatus.REPEALED:
        law.repealed_on = None
        law.repealed_by = None
    if law.status == LawStatus.IN_FORCE and law.superseded_by_id:
        raise DomainError(
            _("A newer version exists; this version cannot be in force."), field="status"
        )
    if law.status == LawStatus.AMENDED and not law.superseded_by_id:
        raise DomainError(_("No newer version supersedes this one."), field="status")
    law.full_clean()
    law.save()
    audit_record(
        actor=actor,
        verb="laws.law.update",
        obj=law,
        before=before,
        after=snapshot(law, LAW_FIELDS),
    )
    return law


def _actor_name(actor: Any) -> str:
    getter = getattr(actor, "get_username", None)
    return str(getter()) if callable(getter) else str(actor)


@policy.requires("laws.add_compilation")
@transaction.atomic
def compilation_create(*, actor: Any, title: str, laws: Sequence[Law]) -> Compilation:
    """Save a compilation (汇编) of law versions, in the order given."""
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Give the compilation a title."), field="title")
    unique: list[Law] = []
    for law in laws:
        if law.pk not in {u.pk for u in unique}:
            unique.append(law)
    if not unique:
        raise DomainError(_("Pick at least one law."), field="laws")
    compilation = Compilation(
        title=title,
        unit=getattr(actor, "unit", None),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    compilation.full_clean(exclude=["created_by", "unit"])
    compilation.save()
    CompilationEntry.objects.bulk_create(
        CompilationEntry(compilation=compilation, law=law, position=i)
        for i, law in enumerate(unique, start=1)
    )
    audit_record(
        actor=actor,
        verb="laws.compilation.create",
        obj=compilation,
        after={
            "title": compilation.title,
            "laws": [{"id": law.pk, "title": str(law)} for law in unique],
        },
        unit=compilation.unit,
    )
    return compilation
