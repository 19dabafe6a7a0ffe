"""The four FitRoom endpoints, the signed result download and the OpenAPI description."""

from pathlib import Path

from django.http import FileResponse, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from tryon import services
from tryon.api import downloads
from tryon.api.decorators import api_endpoint
from tryon.api.idempotency import idempotency_of
from tryon.api.responses import (
    clothes_check_body,
    credits_body,
    error_response,
    model_check_body,
    task_created_body,
    task_status_body,
)
from tryon.forms import InputImageForm, TryOnTaskForm, first_error
from tryon.models import TryOnTask


def _bad_request(form):
    return error_response(400, first_error(form))


@require_POST
@api_endpoint
def check_model(request, api_key):
    form = InputImageForm(request.POST, request.FILES)
    if not form.is_valid():
        return _bad_request(form)
    return JsonResponse(model_check_body(services.check_model_image(form.cleaned_data["input_image"])))


@require_POST
@api_endpoint
def check_clothes(request, api_key):
    form = InputImageForm(request.POST, request.FILES)
    if not form.is_valid():
        return _bad_request(form)
    return JsonResponse(clothes_check_body(services.check_clothes_image(form.cleaned_data["input_image"])))


@require_POST
@api_endpoint
def create_task(request, api_key):
    idempotency = idempotency_of(request)
    form = TryOnTaskForm(request.POST, request.FILES)
    if not form.is_valid():
        return _bad_request(form)
    task = services.create_task(
        services.Owner(api_key=api_key),
        idempotency=idempotency,
        origin=downloads.request_origin(request),
        **form.cleaned_data,
    )
    return JsonResponse(task_created_body(task))


@require_GET
@api_endpoint
def get_task(request, api_key, task_id):
    task = services.get_task(services.Owner(api_key=api_key), task_id)
    url = downloads.signed_result_url(request, task.public_id) if task.status == task.Status.COMPLETED else None
    return JsonResponse(task_status_body(task, url))


@require_POST
@api_endpoint
def cancel_task(request, api_key, task_id):
    task = services.cancel_task(services.Owner(api_key=api_key), task_id)
    return JsonResponse(task_status_body(task, None))


@require_GET
@api_endpoint
def credits(request, api_key):
    return JsonResponse(credits_body(services.credits_of(api_key)))


@csrf_exempt  # a signed link, no cookie: CSRF does not apply, and other methods get 405, not 403
@require_GET
def download_result(request, task_id):
    problem = downloads.verify(task_id, request.GET.get("exp"), request.GET.get("sig"))
    if problem:
        return error_response(403, problem)
    task = TryOnTask.objects.filter(public_id=task_id, status=TryOnTask.Status.COMPLETED).first()
    if task is None or not task.result_image:
        return error_response(404, "result not found")
    response = FileResponse(task.result_image.open("rb"), content_type="image/jpeg")
    response["Content-Disposition"] = f'inline; filename="tryon-{task.public_id}.jpg"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@csrf_exempt  # any method on an unknown path is a 404, not a CSRF 403
def not_found(request):
    return error_response(404, "Not Found")


OPENAPI_PATH = Path(__file__).with_name("openapi.json")


@require_GET
def openapi(request):
    return HttpResponse(OPENAPI_PATH.read_bytes(), content_type="application/json")
