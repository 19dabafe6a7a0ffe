"""The only place the API's JSON bodies are built."""

from django.http import JsonResponse

REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    402: "Payment Required",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Payload Too Large",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def error_response(status: int, message: str, headers: dict | None = None) -> JsonResponse:
    """``{"error": {"code": <status>, "message": ...}}`` with the matching HTTP status."""
    return JsonResponse({"error": {"code": status, "message": message}}, status=status, headers=headers)


def model_check_body(check) -> dict:
    body = {"is_good": check.is_good, "good_clothes_types": list(check.good_clothes_types)}
    if check.error_code:
        body["error_code"] = check.error_code
    return body


def clothes_check_body(check) -> dict:
    return {"clothes_type": check.clothes_type, "is_clothes": check.is_clothes}


def credits_body(credits: int) -> dict:
    return {"credits": credits}


def task_created_body(task) -> dict:
    body = {"task_id": task.public_id, "status": task.status}
    return _with_auto_cloth_type(body, task)


def task_status_body(task, download_url: str | None) -> dict:
    body = {"task_id": task.public_id, "status": task.status}
    if task.status == task.Status.COMPLETED:
        body["download_signed_url"] = download_url
    if task.status != task.Status.FAILED:
        body["progress"] = task.progress
    else:
        body["error"] = task.error or "Failed to process try-on task"
    body["created_at"] = _unix(task.created_at)
    if task.started_at:
        body["started_at"] = _unix(task.started_at)
    if task.completed_at:
        body["completed_at"] = _unix(task.completed_at)
    return _with_auto_cloth_type(body, task)


def _with_auto_cloth_type(body: dict, task) -> dict:
    # Only "auto" tasks say which type was used: FitRoom's own answers keep their exact shape.
    if task.cloth_type_auto:
        body["cloth_type"] = task.cloth_type
    return body


def _unix(moment) -> int:
    return int(moment.timestamp())
