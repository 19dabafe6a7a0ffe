"""A visitor's own try-ons (delete, submit to the lookbook), the public lookbook, and the images behind both."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from tryon import services
from tryon.models import TryOnTask
from tryon.views.common import (
    GALLERY_PAGE_SIZE,
    IMAGE_KINDS,
    PUBLIC_IMAGE_KINDS,
    own_task,
    owner_of,
    studio_rate_limited,
    with_labels,
)


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


def _card_action(request, public_id, action, done: str):
    """Run one owner action on a result; htmx swaps the card (or the task page's panel), else redirect back."""
    try:
        task = action(owner_of(request), public_id)
    except services.TaskNotFound:
        raise Http404("No such try-on") from None
    except services.ServiceError as exc:
        task, error = own_task(request, public_id), str(exc)
    else:
        error = ""
    back = request.POST.get("next") == "task"
    if request.htmx:
        context = {"task": with_labels([task])[0], "card_error": error, "done": "" if error else done}
        return render(request, "tryon/partials/gallery_card.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect("task", public_id=public_id) if back else redirect("gallery")


@require_POST
def submit(request, public_id):
    """Offer a result to the lookbook; the owner confirms the person pictured agrees."""
    agrees = request.POST.get("person_agrees") == "yes"

    def action(owner, public_id):
        return services.submit_to_lookbook(owner, public_id, person_agrees=agrees)

    return _card_action(request, public_id, action, "Submitted: staff will review it.")


@require_POST
def withdraw(request, public_id):
    done = "Withdrawn: it is no longer in the lookbook."
    return _card_action(request, public_id, services.withdraw_from_lookbook, done)


@require_POST
def share(request, public_id):
    return _card_action(
        request, public_id, services.share_result, "Share link created: anyone with it can see the result."
    )


@require_POST
def unshare(request, public_id):
    return _card_action(request, public_id, services.revoke_share, "The share link no longer works.")


@require_GET
def shared(request, share_token):
    """A result someone shared: the picture only, never the photos it was made from."""
    try:
        task = services.shared_result(share_token)
    except services.TaskNotFound:
        raise Http404("This link no longer works") from None
    if request.path.endswith(".jpg"):
        response = FileResponse(task.result_image.open("rb"), content_type="image/jpeg")
        response["Cache-Control"] = "private, no-store"  # revoking must take effect at once
        return response
    return render(request, "tryon/shared.html", {"task": with_labels([task])[0], "share_token": share_token})


COMPARE_MAX = 6
# Where each garment photo of a try-on sits, by what it is: a top or a bottom.
GARMENT_SOURCES = {
    "upper": [("upper", "cloth_image")],
    "lower": [("lower", "cloth_image")],
    "combo": [("upper", "cloth_image"), ("lower", "lower_cloth_image")],
    "full_set": [],
}


def _compared(request, public_ids) -> list[TryOnTask]:
    owner = owner_of(request)
    tasks = owner.tasks().filter(public_id__in=public_ids[:COMPARE_MAX], status=TryOnTask.Status.COMPLETED)
    return with_labels(list(tasks.order_by("created_at")))


def _outfit_choices(tasks) -> dict:
    """People, tops and bottoms from try-ons already made, for a top-and-bottom outfit."""
    choices = {"people": [], "upper": [], "lower": []}
    for task in tasks:
        choices["people"].append({"value": task.public_id, "task": task})
        for kind, field in GARMENT_SOURCES.get(task.cloth_type, []):
            image_kind = "cloth" if field == "cloth_image" else "lower_cloth"
            choices[kind].append({"value": f"{task.public_id}:{image_kind}", "task": task, "kind": image_kind})
    return choices


@require_GET
def compare(request):
    """A board of several results side by side (say, garments on one person), and outfits from their garments."""
    tasks = _compared(request, request.GET.getlist("t"))
    context = {"tasks": tasks, "outfit": _outfit_choices(tasks), "compare_max": COMPARE_MAX}
    return render(request, "tryon/compare.html", context)


@studio_rate_limited
@require_POST
def outfit(request):
    """A top-and-bottom try-on from a person, a top and a bottom of try-ons already made: nothing to upload."""
    owner = owner_of(request)
    back = request.POST.getlist("t")

    def pick(value, kinds):
        public_id, _, kind = value.partition(":")
        if kind not in kinds:
            raise Http404("No such garment")
        task = own_task(request, public_id)
        return services.load_task_image(
            task, {"model": "model_image", "cloth": "cloth_image"}.get(kind, f"{kind}_image")
        )

    try:
        person = pick(request.POST.get("person", "") + ":model", {"model"})
        top = pick(request.POST.get("upper", ""), {"cloth"})
        bottom = pick(request.POST.get("lower", ""), {"cloth", "lower_cloth"})
        check = services.check_model_image(person)
        if not check.is_good or not {"upper", "lower"} <= set(check.good_clothes_types):
            raise services.InvalidInput("This person photo doesn't show enough of the body for a top and a bottom.")
        task = services.create_task(
            owner, model_image=person, cloth_image=top, lower_cloth_image=bottom, cloth_type="combo"
        )
    except services.ServiceError as exc:
        messages.error(
            request,
            str(exc)
            if not isinstance(exc, services.EngineUnavailable)
            else "Our try-on service is taking a break. Please try again in a minute.",
        )
        query = "&".join(f"t={public_id}" for public_id in back)
        return redirect(f"{reverse('compare')}?{query}")
    return redirect("task", public_id=task.public_id)
