"""The studio: the three steps with their live checks, then one try-on's progress and result."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from tryon import cloth_types, services
from tryon.engine.images import HD_SIDE, NORMAL_SIDE
from tryon.errors import CHECK_CODES, IMAGE_ADDRESS_PROBLEMS, STUDIO_PROBLEMS, task_problem, upload_problem
from tryon.forms import InputImageForm, StoredUpload, StudioTryOnForm, TryOnTaskForm, sign_upload, unsign_upload
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
    studio_live_check,
    studio_rate_limited,
    studio_visitor,
    with_labels,
)

# The photos as the studio's labels name them (never the API's field names).
PHOTO_NAMES = {
    "model_image": "the person photo",
    "cloth_image": "the garment photo",
    "lower_cloth_image": "the bottom garment photo",
}


def _picker_types(good_clothes_types) -> list[str]:
    """good_clothes_types (upper/lower/full) as task cloth types, plus combo when top and bottom both work."""
    return cloth_types.wearable(good_clothes_types)


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
    # A usable photo suits at least one garment type: a chest-up photo may pass the check and suit none.
    usable = check.is_good and bool(offered)
    return {
        "check": check,
        "code": code,
        "usable": usable,
        "no_types": STUDIO_PROBLEMS["no_clothes_types"] if check.is_good and not offered else None,
        "overlay": _overlay(check),
        "picker": _picker(offered, selected, blocked=not usable),
        "offered_phrase": _or_phrase(offered),
    }


def _hd_context(image) -> dict:
    """What HD would change for this photo: a bigger picture, or nothing when the photo is small."""
    width, height = image.size
    long_side = max(width, height)

    def size(side):
        scale = min(1.0, side / long_side)
        return f"{round(width * scale)}×{round(height * scale)}"

    normal, hd = size(NORMAL_SIDE), size(HD_SIDE)
    return {"hd": {"normal": normal, "hd": hd, "helps": hd != normal}}


def _upload_problem(form, field: str):
    error = form.errors.as_data()[field][0]
    return upload_problem(error.code or "", " ".join(error.messages))


def _form_problem(form) -> str:
    """The first thing wrong with a studio try-on post, in a shopper's words (no field names, no limits)."""
    for field in form.errors:
        if field.endswith("_upload"):
            return "A photo you chose earlier has expired. Choose it again."
        if field in PHOTO_NAMES:
            problem = _upload_problem(form, field)
            if problem.friendly == "No photo was chosen.":
                return f"Choose {PHOTO_NAMES[field]}."
            return f"{PHOTO_NAMES[field].capitalize()}: {problem.friendly} {problem.hint}"
        if field == "cloth_type":
            return "Choose what you are trying on: a top, a bottom, a full outfit, or a top and a bottom."
    return "Something in the form isn't right. Check each step and try again."


def _stored(request, image, check: dict) -> str:
    """Keep a checked photo and return the signed reference the try-on form sends instead of the file."""
    name = services.store_studio_upload(image)
    return sign_upload(StoredUpload(name, check), studio_visitor(request))


def _same_person(request, public_id) -> dict:
    """Step 1 already done with the person of an earlier try-on: "Try another garment" without a new upload."""
    task = own_task(request, public_id)
    image = services.load_task_image(task, "model_image")
    context = _prechecked_person(request, image, reverse("task_image", args=[task.public_id, "model"]))
    if "picker" in context:
        context["picker"] = _picker(
            [o["value"] for o in context["picker"]["options"]], task.cloth_type, blocked=context["picker"]["blocked"]
        )
    return context


def _saved_person(request, pk) -> dict:
    """Step 1 done with a photo from the stylist's "My models"."""
    try:
        person = services.saved_person(request.user, pk)
    except services.TaskNotFound:
        raise Http404("No such saved person") from None
    context = _prechecked_person(request, services.load_saved_person(person), reverse("saved_person_image", args=[pk]))
    context["already_saved"] = True  # no second copy in My models
    return context


def _prechecked_person(request, image, preview_url) -> dict:
    """The studio with its person photo already checked and stored, so only the garment is uploaded."""
    try:
        check = services.check_model_image(image)
    except services.ServiceError:
        return {}  # the studio then simply asks for the photo
    request.session[SESSION_GOOD_TYPES] = list(check.good_clothes_types) if check.is_good else []
    context = _model_check_context(check)
    context.update(_hd_context(image), person_preview_url=preview_url)
    if context["usable"]:
        summary = {"is_good": True, "good_clothes_types": list(check.good_clothes_types)}
        context["model_upload_ref"] = _stored(request, image, summary)
    return context


def _studio_error(request, context, status):
    """A refused try-on: htmx gets the explanation beside the button (photos stay chosen), else the page."""
    if request.htmx:
        return render(request, "tryon/partials/studio_feedback.html", context)
    return render(request, "tryon/studio.html", context, status=status)


@studio_rate_limited
def studio(request):
    """Step 1 to 3 in one form. Without JavaScript it is a plain multipart POST; htmx adds the live checks.

    With htmx the form posts in the background: a refusal lands beside the button and the chosen
    photos stay; photos the live checks stored are sent as references, not uploaded again.
    """
    if request.method != "POST":
        owner_of(request)
        request.session.pop(SESSION_GOOD_TYPES, None)  # a fresh studio: no model photo checked yet
        offered = list(CLOTH_TYPE_LABELS)
        context = {"picker": _picker(offered, "upper"), "form": TryOnTaskForm()}
        if request.GET.get("person"):
            context.update(_same_person(request, request.GET["person"]))
        elif request.GET.get("saved") and request.user.is_authenticated:
            context.update(_saved_person(request, request.GET["saved"]))
        if request.user.is_authenticated:
            context["saved_people"] = request.user.saved_people.all()
        return render(request, "tryon/studio.html", context)

    form = StudioTryOnForm(request.POST, request.FILES, visitor=studio_visitor(request))
    context = {"form": form, "picker": _picker(list(CLOTH_TYPE_LABELS), request.POST.get("cloth_type"))}
    if not form.is_valid():
        context["form_error"] = _form_problem(form)
        return _studio_error(request, context, 400)
    data = form.cleaned_data
    try:
        # The same checks the live steps ran (their findings travel with a stored photo), so a
        # browser without JavaScript cannot skip them.
        stored = form.stored_check("model")
        if stored is not None:
            good_types, is_good = stored.get("good_clothes_types", []), stored.get("is_good", False)
        else:
            check = services.check_model_image(data["model_image"])
            good_types, is_good = check.good_clothes_types, check.is_good
            if not is_good:
                context.update(_model_check_context(check))
                context["picker"] = _picker(list(CLOTH_TYPE_LABELS), data["cloth_type"])
        offered = _picker_types(good_types) if is_good else []
        if not is_good or not offered:
            problem = STUDIO_PROBLEMS["no_clothes_types"] if is_good else None
            context["form_error"] = (
                f"{problem.friendly} {problem.hint}" if problem else "The person photo won't work. Choose another one."
            )
            return _studio_error(request, context, 400)
        if data["cloth_type"] not in offered:
            context["form_error"] = f"This person photo suits {_or_phrase(offered)} only. Choose one of those."
            return _studio_error(request, context, 400)
        slots = ["cloth", "lower_cloth"] if data["cloth_type"] == "combo" else ["cloth"]
        for slot in slots:
            stored = form.stored_check(slot)
            is_clothes = stored.get("is_clothes") if stored is not None else None
            if is_clothes is None:
                is_clothes = services.check_clothes_image(data[f"{slot}_image"]).is_clothes
            if not is_clothes:
                problem = STUDIO_PROBLEMS["not_clothes"]
                name = PHOTO_NAMES[f"{slot}_image"].capitalize()
                context["form_error"] = f"{name}: {problem.friendly} {problem.hint}"
                return _studio_error(request, context, 400)
        task = services.create_task(
            owner_of(request),
            model_image=data["model_image"],
            cloth_image=data["cloth_image"],
            lower_cloth_image=data["lower_cloth_image"],
            cloth_type=data["cloth_type"],
            hd_mode=data["hd_mode"],
        )
    except services.EngineUnavailable:
        problem = STUDIO_PROBLEMS["engine_unavailable"]
        context["form_error"] = f"{problem.friendly} {problem.hint}"
        return _studio_error(request, context, 503)
    except services.ServiceError as exc:
        message = str(exc)
        if message.startswith("input_image"):  # a remote engine refused a photo: the decoder's words
            problem = upload_problem("", message)
            message = f"{problem.friendly} {problem.hint}"
        context["form_error"] = message
        return _studio_error(request, context, exc.status)
    if request.htmx:
        return HttpResponseClientRedirect(reverse("task", args=[task.public_id]))
    return redirect("task", public_id=task.public_id)


@studio_rate_limited
@require_POST
def save_person(request):
    """Keep the person photo just checked in "My models" (signed-in stylists), from its stored upload."""
    if not request.user.is_authenticated:
        raise Http404("Sign in to keep model photos")
    upload = unsign_upload(request.POST.get("model_upload", ""), studio_visitor(request))
    context = {}
    try:
        if upload is None:
            raise services.InvalidInput("Choose the photo again, then save it.")
        services.save_person(request.user, services.load_studio_upload(upload.name))
        context["saved"] = True
    except services.ServiceError as exc:
        context["save_error"] = str(exc)
    context["saved_people"] = request.user.saved_people.all()
    return render(request, "tryon/partials/saved_people.html", context)


@require_GET
def saved_person_image(request, pk):
    try:
        person = services.saved_person(request.user, pk)
    except services.TaskNotFound:
        raise Http404("No such saved person") from None
    response = FileResponse(person.image.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_POST
def delete_saved_person(request, pk):
    try:
        services.delete_saved_person(request.user, pk)
    except services.TaskNotFound:
        raise Http404("No such saved person") from None
    context = {"saved_people": request.user.saved_people.all(), "deleted": True}
    if request.htmx:
        return render(request, "tryon/partials/saved_people.html", context)
    return redirect("studio")


def _check_failed(request, template, context, exc):
    """A check the engine could not run: an outage, or a remote engine refusing the photo."""
    if isinstance(exc, services.EngineUnavailable):
        context.update(problem=STUDIO_PROBLEMS["engine_unavailable"], outage=True)
        status = exc.status
    else:
        context["problem"] = upload_problem("", str(exc))
        status = 400
    return render(request, template, context, status=partial_error_status(request, status))


@studio_rate_limited
@studio_live_check
@require_POST
def check_model(request):
    """Step 1's live check: one file as input_image, answered with the explanation partial."""
    template = "tryon/partials/model_check.html"
    form = InputImageForm(request.POST, request.FILES)
    # Whatever the photo was before, until this one checks out it suits nothing.
    request.session[SESSION_GOOD_TYPES] = []
    blocked = {"picker": _picker([], blocked=True), "upload_ref": ""}
    if not form.is_valid():
        context = {**blocked, "problem": _upload_problem(form, "input_image"), "upload_error": True}
        return render(request, template, context, status=partial_error_status(request))
    image = form.cleaned_data["input_image"]
    try:
        check = services.check_model_image(image)
    except services.ServiceError as exc:
        return _check_failed(request, template, {**blocked, "upload_error": True}, exc)
    request.session[SESSION_GOOD_TYPES] = list(check.good_clothes_types) if check.is_good else []
    # A new photo keeps the garment type already chosen, when it still suits it.
    context = _model_check_context(check, selected=request.POST.get("cloth_type"))
    context.update(_hd_context(image))
    if context["usable"]:
        summary = {"is_good": True, "good_clothes_types": list(check.good_clothes_types)}
        context["upload_ref"] = _stored(request, image, summary)
    else:
        context["upload_ref"] = ""
    return render(request, template, context)


@studio_rate_limited
@studio_live_check
@require_POST
def check_clothes(request):
    """Step 2's live check: detect the garment's type, and pre-select it unless the shopper already chose.

    A detector can take a skirt for a top; a choice the shopper made by hand is theirs, so the
    detection only says what it saw.
    """
    template = "tryon/partials/clothes_check.html"
    slot = "lower_cloth" if request.POST.get("slot") == "lower_cloth" else "cloth"
    chosen = request.POST.get("cloth_type", "")
    chosen_by_hand = request.POST.get("cloth_type_chosen") == "1"
    context = {"slot": slot, "upload_ref": ""}
    image_url = request.POST.get(f"{slot}_url", "").strip()
    try:
        if image_url and not request.FILES:
            # A garment from a product page's image address, fetched by us (public addresses only).
            image = services.fetch_garment_image(image_url)
        else:
            form = InputImageForm(request.POST, request.FILES)
            if not form.is_valid():
                context.update(problem=_upload_problem(form, "input_image"), upload_error=True)
                return render(request, template, context, status=partial_error_status(request))
            image = form.cleaned_data["input_image"]
    except services.ImageAddressRefused as exc:
        context.update(problem=IMAGE_ADDRESS_PROBLEMS[exc.reason], upload_error=True)
        return render(request, template, context, status=partial_error_status(request))
    try:
        check = services.check_clothes_image(image)
    except services.ServiceError as exc:
        context["upload_error"] = True
        return _check_failed(request, template, context, exc)
    detected = cloth_types.task_type(check.clothes_type)
    good = request.session.get(SESSION_GOOD_TYPES)
    offered = _picker_types(good) if good else list(CLOTH_TYPE_LABELS)
    context.update(
        check=check,
        detected_words=CLOTHES_WORDS.get(check.clothes_type, "a garment"),
        chosen_label=CLOTH_TYPE_LABELS.get(chosen, ""),
    )
    if not check.is_clothes:
        context["problem"] = STUDIO_PROBLEMS["not_clothes"]  # the try-on waits for another photo
        return render(request, template, context)
    context["upload_ref"] = _stored(request, image, {"is_clothes": True, "clothes_type": check.clothes_type})
    if slot == "lower_cloth" or chosen == "combo":
        # In a combo the first garment must be a top and the second a bottom; the picker stays.
        expected = "lower" if slot == "lower_cloth" else "upper"
        context["mismatch"] = check.clothes_type != expected
        context["expected_words"] = CLOTHES_WORDS[expected]
    elif chosen_by_hand and chosen and chosen != detected:
        context["kept"] = True  # said, not switched
    elif detected in offered:
        context["switched_from"] = CLOTH_TYPE_LABELS.get(chosen) if chosen and chosen != detected else None
        context["selected_label"] = CLOTH_TYPE_LABELS[detected]
        context["picker"] = _picker(offered, detected)
    else:
        context["unsupported"] = True
        context["offered_phrase"] = _or_phrase(offered)
    return render(request, template, context)


# --- One try-on ---------------------------------------------------------------------------------


# The local engine's render composites for about twice as long as all it does before (finding the
# person, cutting out and placing the garment; 1.8-2.1 times on the dev machine): a try-on seen
# compositing should end after this many times that (a little before it does).
COMPOSITE_LENGTH = 1.5
# A poll that comes this close (seconds) to when the render should end waits on the server for the
# result, up to this long: the page sees the result as it is saved, not up to a poll's delay later.
RESULT_WAIT = 0.3


def _render_left(task) -> float | None:
    """Seconds until a young try-on's render should end, when it is in its last stages; else None.

    Only a try-on under 5 s old (most finish in one to three seconds): an older one is polled at
    leisure.
    """
    age = (timezone.now() - task.created_at).total_seconds()
    if task.status != TryOnTask.Status.PROCESSING or age >= 5 or task.stage not in ("composite", "encode", "save"):
        return None
    if task.stage == "composite" and task.started_at and task.progress_updated_at:
        before = task.progress_updated_at - task.started_at
        return max(0.0, (task.progress_updated_at + COMPOSITE_LENGTH * before - timezone.now()).total_seconds())
    return 0.0


def _poll_delay_ms(task) -> int:
    """Poll fast while a try-on is young (most finish in one to three seconds), then back off to once a second.

    A poll costs the server a few milliseconds (and the browser more). A young try-on seen
    compositing is polled next a little before its render should end, and from then on every 50 ms;
    such a poll waits on the server for the result (see ``task``).
    """
    left = _render_left(task)
    if left is not None:
        return max(50, min(1000, int(left * 1000)))
    age = (timezone.now() - task.created_at).total_seconds()
    for younger_than, delay in ((5, 100), (15, 500)):
        if age < younger_than:
            return delay
    return 1000


def _task_context(task) -> dict:
    stage = STAGE_NAMES.get(task.stage, task.stage.replace("_", " ").capitalize())
    if task.status == TryOnTask.Status.CREATED:
        stage = STAGE_NAMES[""]
    with_labels([task])
    context = {"task": task, "stage_name": stage, "poll_ms": _poll_delay_ms(task)}
    if task.status == TryOnTask.Status.FAILED:
        context["problem"], context["retry_helps"] = task_problem(task.error)
    return context


@require_GET
def task(request, public_id):
    """The task page; htmx polls the same URL for the status partial while the task runs."""
    task = own_task(request, public_id)
    template = "tryon/partials/task_status.html" if request.htmx else "tryon/task.html"
    left = _render_left(task) if request.htmx else None
    if left is not None and left <= RESULT_WAIT:
        # Polled every 50 ms, the result waited half that on average, and the request's own time.
        task = services.await_finish(task, RESULT_WAIT)
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
