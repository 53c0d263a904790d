"""The entity list's table rows, written in Python.

Through the template each of a page's 25 rows cost ~0.3 ms (a ``{% url %}``,
three translated choice labels, the state tag, a dozen variable lookups):
two thirds of the page's rendering. The markup is the template's, cell for
cell; the link is reversed once per page and the labels translated once.
The rows are dicts of the columns shown (``page_rows``), not model instances:
building 26 entities and their agencies cost more than the page's query.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from fazhi.core.templatetags.fazhi_ui import state_span
from fazhi.registry.choices import EntityKind, EntityStatus, RiskLevel
from fazhi.registry.models import RegulatoryCategory
from fazhi.registry.selectors import category_names

_PK = 918273645  # stands for the entity's id in the reversed link


COLUMNS = (
    "id",
    "name",
    "key_supervision",
    "uscc",
    "kind",
    "category_bits",
    "risk_level",
    "credit_class",
    "status",
)


def page_rows(entities: QuerySet[Any]) -> QuerySet[Any]:
    """The page's query as rows of the columns shown (``keyset_page``'s ``shape``)."""
    return entities.values(*COLUMNS, agency_name=F("supervising_agency__name"))


def entity_rows(
    rows: Iterable[dict[str, Any]], start: int, categories: list[RegulatoryCategory]
) -> SafeString:
    """``<tr>`` per row of ``page_rows``, numbered from ``start`` (序号)."""
    link = str(reverse("registry:entity_detail", args=[_PK]))
    kinds = {value: str(label) for value, label in EntityKind.choices}
    risks = {value: str(label) for value, label in RiskLevel.choices}
    statuses = {value: str(label) for value, label in EntityStatus.choices}
    key = ' <span class="badge text-bg-danger">' + conditional_escape(gettext("Key")) + "</span>"
    esc = conditional_escape
    parts: list[str] = []
    for number, e in enumerate(rows, start):
        kind = kinds.get(e["kind"], e["kind"])
        risk = risks.get(e["risk_level"], e["risk_level"]) or "—"
        names = "、".join(esc(n) for n in category_names(e["category_bits"], categories)) or "—"
        status = e["status"]
        parts.append(
            "\n<tr>\n"
            f'  <td class="fz-seq">{number}</td>\n'
            f'  <td><a href="{esc(link.replace(str(_PK), str(e["id"])))}">{esc(e["name"])}</a>'
            f"{key if e['key_supervision'] else ''}</td>\n"
            f"  <td><code>{esc(e['uscc'])}</code></td><td>{esc(kind)}</td>\n"
            f'  <td class="small">{names}</td>\n'
            f"  <td>{esc(risk)}</td><td>{esc(e['credit_class'] or '—')}</td>\n"
            f'  <td class="small">{esc(e["agency_name"])}</td>'
            f"<td>{state_span(status, statuses.get(status, status))}</td>\n"
            "</tr>\n"
        )
    return mark_safe("".join(parts))
