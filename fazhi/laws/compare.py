"""Article-level comparison of two versions of a law.

Articles are matched by content, not by number, because a revision often
renumbers them: identical texts first (a longest-common-subsequence pass),
then, inside each changed stretch, the most similar article in order. The
result lists every article as unchanged, changed (with an inline text diff),
added or removed.
"""

from __future__ import annotations

import difflib
import html
from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe

from fazhi.laws.models import Article, Law

SIMILAR = 0.45  # below this, a pair counts as one removed and one added article
WINDOW = 25  # how far ahead to look for a match inside a changed stretch


@dataclass
class ArticleChange:
    kind: str  # unchanged | changed | added | removed
    old: Article | None
    new: Article | None
    diff: SafeString | None = None

    @property
    def renumbered(self) -> bool:
        return self.old is not None and self.new is not None and self.old.label != self.new.label


@dataclass
class Comparison:
    old: Law
    new: Law
    changes: list[ArticleChange]

    def count(self, kind: str) -> int:
        return sum(1 for change in self.changes if change.kind == kind)

    @property
    def added(self) -> int:
        return self.count("added")

    @property
    def removed(self) -> int:
        return self.count("removed")

    @property
    def changed(self) -> int:
        return self.count("changed")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")


def inline_diff(old: str, new: str) -> SafeString:
    """Character-level diff as escaped HTML with <del> and <ins>."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    out: list[str] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append(html.escape(old[i1:i2]))
            continue
        if op in ("delete", "replace"):
            out.append(f'<del class="diff-del">{html.escape(old[i1:i2])}</del>')
        if op in ("insert", "replace"):
            out.append(f'<ins class="diff-ins">{html.escape(new[j1:j2])}</ins>')
    return mark_safe("".join(out).replace("\n", "<br>"))


def _similarity(a: str, b: str) -> float:
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < SIMILAR or matcher.quick_ratio() < SIMILAR:
        return 0.0
    return matcher.ratio()


def _pair_block(old: list[Article], new: list[Article]) -> list[tuple[int | None, int | None]]:
    """Pair articles of a changed stretch in order; None marks no counterpart."""
    pairs: list[tuple[int | None, int | None]] = []
    next_new = 0
    for i, article in enumerate(old):
        best, best_score = None, SIMILAR
        for j in range(next_new, min(len(new), next_new + WINDOW)):
            score = _similarity(article.text, new[j].text)
            if score > best_score:
                best, best_score = j, score
        if best is None:
            pairs.append((i, None))
            continue
        pairs.extend((None, j) for j in range(next_new, best))
        pairs.append((i, best))
        next_new = best + 1
    pairs.extend((None, j) for j in range(next_new, len(new)))
    return pairs


def align(old: list[Article], new: list[Article]) -> list[ArticleChange]:
    """Match the articles of two versions and classify each."""
    matcher = difflib.SequenceMatcher(
        None, [a.text for a in old], [a.text for a in new], autojunk=False
    )
    changes: list[ArticleChange] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            changes.extend(
                ArticleChange("unchanged", old[i], new[j])
                for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
            )
            continue
        for i, j in _pair_block(old[i1:i2], new[j1:j2]):
            if i is not None and j is not None:
                a, b = old[i1 + i], new[j1 + j]
                kind = "unchanged" if a.text == b.text else "changed"
                diff = inline_diff(a.text, b.text) if kind == "changed" else None
                changes.append(ArticleChange(kind, a, b, diff))
            elif i is not None:
                changes.append(ArticleChange("removed", old[i1 + i], None))
            elif j is not None:
                changes.append(ArticleChange("added", None, new[j1 + j]))
    return changes


def compare_versions(old: Law, new: Law) -> Comparison:
    """Compare two versions (``old`` and ``new`` are swapped if given newest first)."""
    if (old.version_date, old.pk) > (new.version_date, new.pk):
        old, new = new, old
    old_articles = list(Article.objects.filter(law=old).order_by("seq"))
    new_articles = list(Article.objects.filter(law=new).order_by("seq"))
    return Comparison(old, new, align(old_articles, new_articles))


def counterpart(article: Article, other: Law) -> Article | None:
    """Return the article of another version that matches ``article`` by content."""
    this = list(Article.objects.filter(law=article.law_id).order_by("seq"))
    those = list(Article.objects.filter(law=other).order_by("seq"))
    older_first = (article.law.version_date, article.law_id) < (other.version_date, other.pk)
    changes = align(this, those) if older_first else align(those, this)
    for change in changes:
        mine, theirs = (change.old, change.new) if older_first else (change.new, change.old)
        if mine is not None and mine.pk == article.pk:
            return theirs
    return None
