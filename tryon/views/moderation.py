"""Staff moderation of the lookbook queue."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from tryon import services
from tryon.models import TryOnTask
from tryon.views.common import staff_required, with_labels


@staff_required
def moderation(request):
    """The queue of submitted results. POST: one decision for the ticked results, or one row's button."""
    notice = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        decision, _, one_id = action.partition(":")
        public_ids = [one_id] if one_id else request.POST.getlist("public_ids")
        if decision not in services.MODERATION_DECISIONS:
            return HttpResponse("Unknown decision", status=400)
        changed = services.moderate(request.user, public_ids, decision)
        done = {"approve": "Approved", "reject": "Rejected", "hide": "Hid"}[decision]
        notice = f"{done} {changed} result{'s' if changed != 1 else ''}."
        if not request.htmx:
            messages.success(request, notice)
            return redirect("moderation")
    queue = TryOnTask.objects.filter(
        status=TryOnTask.Status.COMPLETED, moderation=TryOnTask.Moderation.SUBMITTED
    ).order_by("created_at")
    decided = (
        TryOnTask.objects.filter(moderated_at__isnull=False).select_related("moderated_by").order_by("-moderated_at")
    )[:20]
    context = {"queue": with_labels(list(queue)), "decided": decided, "notice": notice}
    template = "tryon/partials/moderation_queue.html" if request.htmx else "tryon/moderation.html"
    return render(request, template, context)
