"""Demo: load the real law texts shipped in ``fazhi/laws/data/laws`` and the term table."""

from __future__ import annotations

from pathlib import Path

from fazhi.core.demo_context import DemoContext
from fazhi.laws.choices import ImportOutcome
from fazhi.laws.services import law_import_paths
from fazhi.laws.terms import terms_load_defaults

DATA = Path(__file__).resolve().parent / "data" / "laws"


def load(ctx: DemoContext) -> list[str]:
    results = law_import_paths(actor=ctx.admin, paths=[DATA])
    created = [r for r in results if r.outcome == ImportOutcome.CREATED]
    failed = [r for r in results if r.failed]
    terms = terms_load_defaults(actor=ctx.admin)
    lines = [
        f"{len(results)} texts, {len(created)} new, "
        f"{sum(r.article_count for r in results)} articles, {len(terms)} terms loaded"
    ]
    lines.extend(f"FAILED {r.source_name}: {'; '.join(map(str, r.errors))}" for r in failed)
    return lines
