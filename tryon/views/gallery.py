"""A visitor's own try-ons (delete, submit to the lookbook), the public lookbook, and the images behind both."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from tryon import services
from tryon.models import TryOnTask
from tryon.views.common import GALLERY_PAGE_SIZE, IMAGE_KINDS, PUBLIC_IMAGE_KINDS, own_task, owner_of, with_labels


@require_GET
def task_image(request, public_id, kind):
    """An input or result image, for its owner; approved results for anyone; everything for staff."""
    if kind not in IMAGE_KINDS:
        raise Http404("No such image")
    try:
        task = services.get_task(owner_of(request), public_id)
    except services.TaskNotFound:
        if request.user.is_staff:
            task = TryOnTask.objects.filter(public_id=public_id).first()
        elif kind in PUBLIC_IMAGE_KINDS:
            task = services.lookbook().filter(public_id=public_id).first()
        else:
            task = None
    file = getattr(task, IMAGE_KINDS[kind]) if task else None
    if not file:
        raise Http404("No such image")
    download = request.GET.get("download") == "1"
    response = FileResponse(
        file.open("rb"),
        content_type="image/jpeg",
        as_attachment=download,
        filename=f"fitroom-{task.public_id}-{kind}.jpg",
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _page(request, queryset):
    return Paginator(queryset, GALLERY_PAGE_SIZE).get_page(request.GET.get("page"))


@require_GET
def gallery(request):
    page = _page(request, owner_of(request).tasks().order_by("-created_at", "-pk"))
    with_labels(page.object_list)
    return render(request, "tryon/gallery.html", {"page": page})


@require_GET
def public_gallery(request):
    page = _page(request, services.lookbook().order_by("-moderated_at", "-pk"))
    with_labels(page.object_list)
    return render(request, "tryon/public_gallery.html", {"page": page})


@require_POST
def delete(request, public_id):
    try:
        services.delete_task(owner_of(request), public_id)
    except services.TaskNotFound:
        raise Http404("No such try-on") from None
    except services.ServiceError as exc:
        if request.htmx:
            return HttpResponse(str(exc), status=exc.status)
        messages.error(request, str(exc))
        return redirect("gallery")
    if request.htmx:
        return HttpResponse("")  # the card swaps itself out
    messages.success(request, "The try-on was deleted.")
    return redirect("gallery")


@require_POST
def submit(request, public_id):
    owner = owner_of(request)
    try:
        task = services.submit_to_lookbook(owner, public_id)
    except services.TaskNotFound:
        raise Http404("No such try-on") from None
    except services.ServiceError as exc:
        task = own_task(request, public_id)
        if request.htmx:
            context = {"task": with_labels([task])[0], "card_error": str(exc)}
            return render(request, "tryon/partials/gallery_card.html", context)
        messages.error(request, str(exc))
        return redirect("gallery")
    if request.htmx:
        context = {"task": with_labels([task])[0], "just_submitted": True}
        return render(request, "tryon/partials/gallery_card.html", context)
    messages.success(request, "Submitted: staff will review it for the public lookbook.")
    return redirect("gallery")
