"""What the studio, gallery and moderation screens share: the picker's words, who the visitor is, decorators."""

import secrets
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from tryon import cloth_types, ratelimit, services
from tryon.models import TryOnTask

# The picker's choices, in the order offered, with their words: from the one table of cloth types.
CLOTH_TYPE_LABELS = {name: t.label for name, t in cloth_types.CLOTH_TYPES.items()}
CLOTH_TYPE_HINTS = {name: t.hint for name, t in cloth_types.CLOTH_TYPES.items()}
# What a card calls the garment a try-on dressed the person in.
GARMENT_WORDS = {"upper": "a top", "lower": "a bottom", "full_set": "a full outfit", "combo": "a top and a bottom"}
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
SESSION_STUDIO_VISITOR = "studio_visitor"


def owner_of(request) -> services.Owner:
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


def studio_visitor(request) -> str:
    """A random token for this browser's studio, kept across sign-in, that stored uploads are signed for."""
    return request.session.setdefault(SESSION_STUDIO_VISITOR, secrets.token_urlsafe(18))


def own_task(request, public_id) -> TryOnTask:
    try:
        return services.get_task(owner_of(request), public_id)
    except services.TaskNotFound:
        raise Http404("No such try-on") from None


def with_labels(tasks):
    """Tasks with the picker's words for their cloth type ("Top", not "upper")."""
    for task in tasks:
        task.cloth_type_label = CLOTH_TYPE_LABELS.get(task.cloth_type, task.cloth_type)
        task.garment_words = GARMENT_WORDS.get(task.cloth_type, "the garment")
    return tasks


def partial_error_status(request, status: int = 400) -> int:
    # htmx swaps only 2xx answers by default; the explanation is the point, so send it as 200.
    return 200 if request.htmx else status


def visitor_of(request) -> str:
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


def studio_live_check(view):
    """Marks a live check: for a signed-in stylist swapping garments it is not counted, only try-ons are.

    Anonymous visitors' checks still count: the studio needs no key, and a check runs the engine.
    """
    view.studio_live_check = True
    return view


def studio_rate_limited(view):
    """Studio posts (live checks, try-ons, retries) count against the visitor's per-minute limit."""
    live_check = getattr(view, "studio_live_check", False)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST" and not (live_check and request.user.is_authenticated):
            state = ratelimit.count_studio_request(visitor_of(request))
            if not state.allowed:
                # A live check gets the explanation in its panel; a whole-page post, a page.
                template = "tryon/partials/slow_down.html" if request.htmx else "tryon/slow_down.html"
                seconds = state.retry_after()
                response = render(request, template, {"seconds": seconds}, status=partial_error_status(request, 429))
                response["Retry-After"] = str(seconds)
                return response
        return view(request, *args, **kwargs)

    return wrapper


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
