"""The studio: the three steps with their live checks, then one try-on's progress and result."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from tryon import services
from tryon.errors import CHECK_CODES
from tryon.forms import InputImageForm, TryOnTaskForm, first_error
from tryon.models import TryOnTask
from tryon.views.common import (
    CLOTH_TYPE_HINTS,
    CLOTH_TYPE_LABELS,
    CLOTHES_WORDS,
    SESSION_GOOD_TYPES,
    STAGE_NAMES,
    own_task,
    owner_of,
    partial_error_status,
    studio_rate_limited,
    with_labels,
)


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


@studio_rate_limited
def studio(request):
    """Step 1 to 3 in one form. Without JavaScript it is a plain multipart POST; htmx adds the live checks."""
    if request.method != "POST":
        owner_of(request)
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
            owner_of(request),
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
        return render(request, "tryon/partials/model_check.html", context, status=partial_error_status(request))
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
        return render(request, "tryon/partials/clothes_check.html", context, status=partial_error_status(request))
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


# --- One try-on ---------------------------------------------------------------------------------


def _task_context(task) -> dict:
    stage = STAGE_NAMES.get(task.stage, task.stage.replace("_", " ").capitalize())
    if task.status == TryOnTask.Status.CREATED:
        stage = STAGE_NAMES[""]
    with_labels([task])
    return {"task": task, "stage_name": stage}


@require_GET
def task(request, public_id):
    """The task page; htmx polls the same URL for the status partial while the task runs."""
    task = own_task(request, public_id)
    template = "tryon/partials/task_status.html" if request.htmx else "tryon/task.html"
    return render(request, template, _task_context(task))


@studio_rate_limited
@require_POST
def retry(request, public_id):
    try:
        task = services.retry_task(owner_of(request), public_id)
    except services.TaskNotFound:
        raise Http404("No such try-on") from None
    except services.ServiceError as exc:
        messages.error(request, str(exc))
        return redirect("task", public_id=public_id)
    return redirect("task", public_id=task.public_id)
