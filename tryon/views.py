"""The studio (shoppers and stylists), the gallery and staff moderation.

Views parse input, call one service and render a page, or only its partial when htmx asks.
"""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from tryon import ratelimit, services
from tryon.errors import CHECK_CODES
from tryon.forms import InputImageForm, TryOnTaskForm, first_error
from tryon.models import TryOnTask

# The picker's choices, in the order offered; the model check speaks of "full", tasks of "full_set".
CLOTH_TYPE_LABELS = {
    "upper": "Top",
    "lower": "Bottom",
    "full_set": "Full outfit",
    "combo": "Top and bottom",
}
CLOTH_TYPE_HINTS = {
    "upper": "shirts, T-shirts, jackets",
    "lower": "trousers, skirts, shorts",
    "full_set": "dresses, jumpsuits",
    "combo": "one top and one bottom together",
}
CLOTHES_WORDS = {"upper": "a top", "lower": "a bottom", "full": "a full outfit (like a dress)"}
STAGE_NAMES = {
    "": "Waiting in the queue",
    "load": "Loading your photos",
    "analyse_person": "Finding the person",
    "analyse_garment": "Reading the garment",
    "warp": "Fitting the garment",
    "composite": "Dressing the model",
    "encode": "Finishing the picture",
    "save": "Saving the result",
    "done": "Done",
    "remote": "Dressing your model",
}
IMAGE_KINDS = {
    "model": "model_image",
    "cloth": "cloth_image",
    "lower_cloth": "lower_cloth_image",
    "result": "result_image",
    "thumbnail": "result_thumbnail",
}
PUBLIC_IMAGE_KINDS = {"result", "thumbnail"}
GALLERY_PAGE_SIZE = 12
SESSION_GOOD_TYPES = "studio_good_clothes_types"
SESSION_ANONYMOUS_KEY = "studio_anonymous_session"


def _owner(request) -> services.Owner:
    if request.user.is_authenticated:
        # Signing in keeps session data: try-ons made before it move to the account.
        anonymous_key = request.session.pop(SESSION_ANONYMOUS_KEY, None)
        if anonymous_key:
            services.adopt_session_tasks(anonymous_key, request.user)
        return services.Owner(user=request.user)
    if not request.session.session_key:
        request.session.save()  # anonymous results hang on the session: make sure there is one
    request.session.setdefault(SESSION_ANONYMOUS_KEY, request.session.session_key)
    return services.Owner(session_key=request.session.session_key)


def _own_task(request, public_id) -> TryOnTask:
    try:
        return services.get_task(_owner(request), public_id)
    except services.TaskNotFound:
        raise Http404("No such try-on") from None


def _picker_types(good_clothes_types) -> list[str]:
    """good_clothes_types (upper/lower/full) as task cloth types, plus combo when top and bottom both work."""
    good = set(good_clothes_types)
    offered = {"full_set" if t == "full" else t for t in good}
    if {"upper", "lower"} <= good:
        offered.add("combo")
    return [t for t in CLOTH_TYPE_LABELS if t in offered]


def _picker(offered, selected=None, *, blocked=False) -> dict:
    if selected not in offered:
        selected = offered[0] if len(offered) == 1 else None
    return {
        "options": [
            {"value": t, "label": CLOTH_TYPE_LABELS[t], "hint": CLOTH_TYPE_HINTS[t], "checked": t == selected}
            for t in offered
        ],
        "blocked": blocked,
    }


def _or_phrase(cloth_types) -> str:
    labels = [CLOTH_TYPE_LABELS[t].lower() for t in cloth_types]
    return " or ".join([", ".join(labels[:-1]), labels[-1]]) if len(labels) > 1 else "".join(labels)


def _with_labels(tasks):
    """Tasks with the picker's words for their cloth type ("Top", not "upper")."""
    for task in tasks:
        task.cloth_type_label = CLOTH_TYPE_LABELS.get(task.cloth_type, task.cloth_type)
    return tasks


def _overlay(check) -> dict | None:
    """The detected person as SVG numbers in a 0..1 viewBox (strings, so no locale formatting)."""
    if check.person_box is None and not check.pose_outline:
        return None
    box = None
    if check.person_box is not None:
        x0, y0, x1, y1 = check.person_box
        box = {"x": f"{x0:.4f}", "y": f"{y0:.4f}", "width": f"{x1 - x0:.4f}", "height": f"{y1 - y0:.4f}"}
    lines = [
        {"x1": f"{a[0]:.4f}", "y1": f"{a[1]:.4f}", "x2": f"{b[0]:.4f}", "y2": f"{b[1]:.4f}"}
        for a, b in check.pose_outline
    ]
    return {"box": box, "lines": lines}


def _model_check_context(check, selected=None) -> dict:
    code = CHECK_CODES.get(check.error_code) if check.error_code else None
    offered = _picker_types(check.good_clothes_types) if check.is_good else []
    return {
        "check": check,
        "code": code,
        "overlay": _overlay(check),
        "picker": _picker(offered, selected, blocked=not check.is_good),
        "offered_phrase": _or_phrase(offered),
    }


def _partial_error_status(request, status: int = 400) -> int:
    # htmx swaps only 2xx answers by default; the explanation is the point, so send it as 200.
    return 200 if request.htmx else status


def _visitor(request) -> str:
    """Who a studio post counts against: the signed-in user, else the client's IP address.

    Behind TRYON_PROXY_COUNT proxies the client is the address the outermost of them saw, the
    one that many places from the end of X-Forwarded-For; anything further left can be forged.
    """
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    address = request.META.get("REMOTE_ADDR", "")
    if settings.TRYON_PROXY_COUNT:
        forwarded = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(forwarded) >= settings.TRYON_PROXY_COUNT:
            address = forwarded[-settings.TRYON_PROXY_COUNT]
    return f"ip:{address}"


def studio_rate_limited(view):
    """Studio posts (live checks, try-ons, retries) count against the visitor's per-minute limit."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST":
            state = ratelimit.count_studio_request(_visitor(request))
            if not state.allowed:
                # A live check gets the explanation in its panel; a whole-page post, a page.
                template = "tryon/partials/slow_down.html" if request.htmx else "tryon/slow_down.html"
                seconds = state.retry_after()
                response = render(request, template, {"seconds": seconds}, status=_partial_error_status(request, 429))
                response["Retry-After"] = str(seconds)
                return response
        return view(request, *args, **kwargs)

    return wrapper


# --- The studio --------------------------------------------------------------------------------


@studio_rate_limited
def studio(request):
    """Step 1 to 3 in one form. Without JavaScript it is a plain multipart POST; htmx adds the live checks."""
    if request.method != "POST":
        _owner(request)
        request.session.pop(SESSION_GOOD_TYPES, None)  # a fresh studio: no model photo checked yet
        offered = list(CLOTH_TYPE_LABELS)
        return render(request, "tryon/studio.html", {"picker": _picker(offered, "upper"), "form": TryOnTaskForm()})

    form = TryOnTaskForm(request.POST, request.FILES)
    context = {"form": form, "picker": _picker(list(CLOTH_TYPE_LABELS), request.POST.get("cloth_type"))}
    if not form.is_valid():
        context["form_error"] = first_error(form)
        return render(request, "tryon/studio.html", context, status=400)
    data = form.cleaned_data
    # The same check the live step runs, so a browser without JavaScript cannot skip it.
    check = services.check_model_image(data["model_image"])
    if not check.is_good:
        context.update(_model_check_context(check))
        context["picker"] = _picker(list(CLOTH_TYPE_LABELS), data["cloth_type"])
        return render(request, "tryon/studio.html", context, status=400)
    offered = _picker_types(check.good_clothes_types)
    if data["cloth_type"] not in offered:
        context["form_error"] = f"This model photo suits {_or_phrase(offered)} only. Choose one of those."
        return render(request, "tryon/studio.html", context, status=400)
    try:
        task = services.create_task(
            _owner(request),
            model_image=data["model_image"],
            cloth_image=data["cloth_image"],
            lower_cloth_image=data["lower_cloth_image"],
            cloth_type=data["cloth_type"],
            hd_mode=data["hd_mode"],
        )
    except services.ServiceError as exc:
        context["form_error"] = str(exc)
        return render(request, "tryon/studio.html", context, status=exc.status)
    return redirect("task", public_id=task.public_id)


@studio_rate_limited
@require_POST
def check_model(request):
    """Step 1's live check: one file as input_image, answered with the explanation partial."""
    form = InputImageForm(request.POST, request.FILES)
    if not form.is_valid():
        context = {"upload_error": first_error(form)}
        return render(request, "tryon/partials/model_check.html", context, status=_partial_error_status(request))
    check = services.check_model_image(form.cleaned_data["input_image"])
    request.session[SESSION_GOOD_TYPES] = list(check.good_clothes_types) if check.is_good else []
    # A new photo keeps the garment type already chosen, when it still suits it.
    context = _model_check_context(check, selected=request.POST.get("cloth_type"))
    return render(request, "tryon/partials/model_check.html", context)


@studio_rate_limited
@require_POST
def check_clothes(request):
    """Step 2's live check: detect the garment's type, pre-select it and explain a mismatch."""
    slot = "lower_cloth" if request.POST.get("slot") == "lower_cloth" else "cloth"
    chosen = request.POST.get("cloth_type", "")
    form = InputImageForm(request.POST, request.FILES)
    context = {"slot": slot}
    if not form.is_valid():
        context["upload_error"] = first_error(form)
        return render(request, "tryon/partials/clothes_check.html", context, status=_partial_error_status(request))
    check = services.check_clothes_image(form.cleaned_data["input_image"])
    detected = "full_set" if check.clothes_type == "full" else check.clothes_type
    good = request.session.get(SESSION_GOOD_TYPES)
    offered = _picker_types(good) if good else list(CLOTH_TYPE_LABELS)
    context.update(
        check=check,
        detected_words=CLOTHES_WORDS.get(check.clothes_type, "a garment"),
        chosen_label=CLOTH_TYPE_LABELS.get(chosen, ""),
    )
    if not check.is_clothes:
        pass  # explained in the partial; the picker stays as it is
    elif slot == "lower_cloth" or chosen == "combo":
        # In a combo the first garment must be a top and the second a bottom; the picker stays.
        expected = "lower" if slot == "lower_cloth" else "upper"
        context["mismatch"] = check.clothes_type != expected
        context["expected_words"] = CLOTHES_WORDS[expected]
    elif detected in offered:
        context["switched_from"] = CLOTH_TYPE_LABELS.get(chosen) if chosen and chosen != detected else None
        context["selected_label"] = CLOTH_TYPE_LABELS[detected]
        context["picker"] = _picker(offered, detected)
    else:
        context["unsupported"] = True
        context["offered_phrase"] = _or_phrase(offered)
    return render(request, "tryon/partials/clothes_check.html", context)


# --- One try-on --------------------------------------------------------------------------------


def _task_context(task) -> dict:
    stage = STAGE_NAMES.get(task.stage, task.stage.replace("_", " ").capitalize())
    if task.status == TryOnTask.Status.CREATED:
        stage = STAGE_NAMES[""]
    _with_labels([task])
    return {"task": task, "stage_name": stage}


@require_GET
def task(request, public_id):
    """The task page; htmx polls the same URL for the status partial while the task runs."""
    task = _own_task(request, public_id)
    template = "tryon/partials/task_status.html" if request.htmx else "tryon/task.html"
    return render(request, template, _task_context(task))


@studio_rate_limited
@require_POST
def retry(request, public_id):
    try:
        task = services.retry_task(_owner(request), public_id)
    except services.TaskNotFound:
        raise Http404("No such try-on") from None
    except services.ServiceError as exc:
        messages.error(request, str(exc))
        return redirect("task", public_id=public_id)
    return redirect("task", public_id=task.public_id)


@require_GET
def task_image(request, public_id, kind):
    """An input or result image, for its owner; approved results for anyone; everything for staff."""
    if kind not in IMAGE_KINDS:
        raise Http404("No such image")
    try:
        task = services.get_task(_owner(request), public_id)
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


# --- Gallery -----------------------------------------------------------------------------------


def _page(request, queryset):
    return Paginator(queryset, GALLERY_PAGE_SIZE).get_page(request.GET.get("page"))


@require_GET
def gallery(request):
    page = _page(request, _owner(request).tasks().order_by("-created_at", "-pk"))
    _with_labels(page.object_list)
    return render(request, "tryon/gallery.html", {"page": page})


@require_GET
def public_gallery(request):
    page = _page(request, services.lookbook().order_by("-moderated_at", "-pk"))
    _with_labels(page.object_list)
    return render(request, "tryon/public_gallery.html", {"page": page})


@require_POST
def delete(request, public_id):
    try:
        services.delete_task(_owner(request), public_id)
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
    owner = _owner(request)
    try:
        task = services.submit_to_lookbook(owner, public_id)
    except services.TaskNotFound:
        raise Http404("No such try-on") from None
    except services.ServiceError as exc:
        task = _own_task(request, public_id)
        if request.htmx:
            context = {"task": _with_labels([task])[0], "card_error": str(exc)}
            return render(request, "tryon/partials/gallery_card.html", context)
        messages.error(request, str(exc))
        return redirect("gallery")
    if request.htmx:
        context = {"task": _with_labels([task])[0], "just_submitted": True}
        return render(request, "tryon/partials/gallery_card.html", context)
    messages.success(request, "Submitted: staff will review it for the public lookbook.")
    return redirect("gallery")


# --- Staff moderation --------------------------------------------------------------------------


def staff_required(view):
    """Anonymous visitors get the login page, signed-in non-staff a 403, never the queue."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_staff:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


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
    context = {"queue": _with_labels(list(queue)), "decided": decided, "notice": notice}
    template = "tryon/partials/moderation_queue.html" if request.htmx else "tryon/moderation.html"
    return render(request, template, context)


def healthz(request):
    """Liveness for load balancers: the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})
