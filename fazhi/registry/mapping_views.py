"""The import's value-mapping step as a page action (the form is on the
import page, ``registry/_import_values.html``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fazhi.core import policy
from fazhi.core.errors import DomainError
from fazhi.registry import selectors
from fazhi.registry.imports import mapping

# The select's value for "decide later" (a blank value refuses the word).
UNDECIDED = "-"


@login_required
@require_POST
def import_values_map(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the words the user decided and check the file again."""
    policy.page_require(request.user, "registry.view_importjob", hide=True)
    try:
        job = selectors.import_job_get(actor=request.user, pk=pk)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc
    try:
        count = min(int(request.POST.get("count", "0")), mapping.PROBLEMS_READ)
    except ValueError:
        count = 0
    decisions = []
    for i in range(count):
        target = request.POST.get(f"target-{i}", UNDECIDED)
        if target != UNDECIDED:
            decisions.append(
                (request.POST.get(f"column-{i}", ""), request.POST.get(f"value-{i}", ""), target)
            )
    try:
        again = mapping.import_values_map(actor=request.user, job=job, decisions=decisions)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("registry:import_detail", pk=job.pk)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("registry:import_detail", pk=job.pk)
    if again.pk == job.pk:
        messages.success(
            request, _("Saved; the refused values stay errors in this agency's files.")
        )
    else:
        messages.success(
            request, _("Saved for this agency's files; the file is being checked again.")
        )
    return redirect("registry:import_detail", pk=again.pk)
