"""A small client for FitRoom-compatible try-on servers: ours, or the hosted service.

Plain httpx, no Django, so any Python program can use it::

    from tryon.client import FitRoomClient

    with FitRoomClient("https://fitroom.example.com", "fr_...") as client:
        result = client.try_on("model.jpg", "tee.jpg", "upper")
        open("result.jpg", "wb").write(result.image)

Every call raises a :class:`FitRoomError` subclass named after the documented
status code it got back. Rate limiting (429), server errors (500, 503) and
connection failures are retried a bounded number of times with exponential
backoff and jitter; 400, 401, 402 and 404 never are, since asking again cannot help.
Creating a task charges credits, so a create is only sent again when that cannot
charge twice: it carries an ``Idempotency-Key``, nothing reached the server, or the
server said "not now" (429 or 503 with ``Retry-After``).
"""

from __future__ import annotations

import email.utils
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any
from urllib.parse import quote

import httpx

from tryon import cloth_types

__all__ = [
    "BadRequest",
    "ClothesCheckResult",
    "Conflict",
    "ConnectionFailed",
    "FitRoomClient",
    "FitRoomError",
    "ModelCheckResult",
    "NotFound",
    "PaymentRequired",
    "PollTimeout",
    "RateLimited",
    "ServerError",
    "ServiceUnavailable",
    "Task",
    "TaskFailed",
    "TryOnResult",
    "Unauthorized",
    "Unprocessable",
    "WebhookVerificationError",
    "verify_webhook",
]

# bytes, a path, or a file opened in binary mode.
ImageInput = bytes | bytearray | memoryview | str | os.PathLike | IO[bytes]

MODEL_CHECK_PATH = "/api/tryon/input_check/v1/model"
CLOTHES_CHECK_PATH = "/api/tryon/input_check/v1/clothes"
TASKS_PATH = "/api/tryon/v2/tasks"
CREDITS_PATH = "/api/tryon/v2/credits"

CREATED, PROCESSING, COMPLETED, FAILED = "CREATED", "PROCESSING", "COMPLETED", "FAILED"


# --- errors -------------------------------------------------------------------------------


class FitRoomError(Exception):
    """Anything that went wrong talking to the server.

    ``status`` is the HTTP status (``None`` when there was no response) and
    ``message`` the server's explanation, or ours when it gave none.
    """

    status: int | None = None

    def __init__(self, message: str, status: int | None = None, *, response: httpx.Response | None = None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        self.response = response

    def __str__(self) -> str:
        return f"{self.status}: {self.message}" if self.status else self.message


class BadRequest(FitRoomError):
    """400: the request is invalid (a missing field, an unreadable image, ...)."""

    status = 400


class Unauthorized(FitRoomError):
    """401: the API key is missing or wrong."""

    status = 401


class PaymentRequired(FitRoomError):
    """402: the key has not enough credits."""

    status = 402


class NotFound(FitRoomError):
    """404: no such task (or it belongs to another key)."""

    status = 404


class Conflict(FitRoomError):
    """409: the task has already finished (cancel), or the same Idempotency-Key is still being created."""

    status = 409


class Unprocessable(FitRoomError):
    """422: the Idempotency-Key was already used for a different request."""

    status = 422


class RateLimited(FitRoomError):
    """429: too many requests; ``retry_after`` is the server's advice in seconds, if it gave one."""

    status = 429

    def __init__(self, message: str, status: int | None = None, *, response=None, retry_after: float | None = None):
        super().__init__(message, status, response=response)
        self.retry_after = retry_after


class ServerError(FitRoomError):
    """500: the server had a problem."""

    status = 500


class ServiceUnavailable(FitRoomError):
    """503: the server is offline for maintenance."""

    status = 503


class ConnectionFailed(FitRoomError):
    """No usable response: the server could not be reached or the connection broke."""


class TaskFailed(FitRoomError):
    """The task ended FAILED; ``message`` is the server's error text and ``task`` the last state seen."""

    def __init__(self, task: Task):
        super().__init__(task.error or "the try-on task failed")
        self.task = task


class PollTimeout(FitRoomError):
    """The task did not finish within the polling limit; ``task`` is the last state seen."""

    def __init__(self, task: Task, timeout: float):
        super().__init__(f"task {task.task_id} still {task.status} at {task.progress or 0}% after {timeout:g} seconds")
        self.task = task


_ERRORS_BY_STATUS: dict[int, type[FitRoomError]] = {
    cls.status: cls
    for cls in (
        BadRequest,
        Unauthorized,
        PaymentRequired,
        NotFound,
        Conflict,
        Unprocessable,
        RateLimited,
        ServerError,
        ServiceUnavailable,
    )
}

# Worth asking again after a pause; everything else is final.
_RETRYABLE_STATUSES = {429, 500, 502, 503, 504}


# --- results ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelCheckResult:
    """Answer of the model image check: 400xxx codes are errors, 410xxx warnings."""

    is_good: bool
    error_code: str | None
    good_clothes_types: tuple[str, ...]


@dataclass(frozen=True)
class ClothesCheckResult:
    """Answer of the clothes image check."""

    clothes_type: str | None
    is_clothes: bool


@dataclass(frozen=True)
class Task:
    """A try-on task as the server last described it; timestamps are Unix seconds."""

    task_id: str
    status: str
    progress: int | None = None
    download_signed_url: str | None = None
    error: str | None = None
    created_at: int | None = None
    started_at: int | None = None
    completed_at: int | None = None
    cloth_type: str | None = None  # the type the server chose, for cloth_type "auto"

    @property
    def is_finished(self) -> bool:
        """True once the task is COMPLETED or FAILED."""
        return self.status in (COMPLETED, FAILED)


@dataclass(frozen=True)
class TryOnResult:
    """What :meth:`FitRoomClient.try_on` hands back: the finished task and the result image bytes."""

    task: Task
    image: bytes


# --- the client ---------------------------------------------------------------------------


class FitRoomClient:
    """Synchronous client for one FitRoom-compatible server.

    ``base_url`` is the server's root (``https://platform.fitroom.app`` or ours);
    ``timeout`` applies to each HTTP request; ``max_retries`` bounds how often a
    request is repeated after 429, 500, 503 or a connection failure; a 429 whose
    ``Retry-After`` is longer than ``max_retry_wait`` seconds is raised at once.
    ``transport`` is handed to httpx (e.g. ``httpx.MockTransport`` or a WSGI transport).
    Use it as a context manager, or call :meth:`close`.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        timeout: float = 60.0,
        transport: httpx.BaseTransport | None = None,
        *,
        max_retries: int = 4,
        max_retry_wait: float = 120.0,
        backoff_initial: float = 1.0,
        backoff_max: float = 10.0,
    ):
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"the server URL must start with http:// or https://, not {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.max_retries = max_retries
        self.max_retry_wait = max_retry_wait
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=timeout,
            transport=transport,
            headers={"User-Agent": "fitroom-client/1", "Accept": "application/json"},
        )

    def __enter__(self) -> FitRoomClient:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        """Close the underlying connection pool."""
        self._http.close()

    # The four documented calls.

    def check_model(self, image: ImageInput) -> ModelCheckResult:
        """Ask whether ``image`` is a usable model photo and which clothes types suit it."""
        data = self._json(
            self._request("POST", MODEL_CHECK_PATH, files={"input_image": _file_part(image, "input_image")})
        )
        error_code = data.get("error_code")
        return ModelCheckResult(
            is_good=bool(data.get("is_good")),
            error_code=str(error_code) if error_code not in (None, "") else None,
            good_clothes_types=tuple(str(t) for t in data.get("good_clothes_types") or ()),
        )

    def check_clothes(self, image: ImageInput) -> ClothesCheckResult:
        """Ask whether ``image`` shows a garment and of which type (upper, lower or full)."""
        data = self._json(
            self._request("POST", CLOTHES_CHECK_PATH, files={"input_image": _file_part(image, "input_image")})
        )
        clothes_type = data.get("clothes_type")
        return ClothesCheckResult(
            clothes_type=str(clothes_type) if clothes_type else None,
            is_clothes=bool(data.get("is_clothes")),
        )

    def create_task(
        self,
        model_image: ImageInput,
        cloth_image: ImageInput,
        cloth_type: str,
        lower_cloth_image: ImageInput | None = None,
        hd: bool = False,
        *,
        idempotency_key: str | None = None,
        webhook_url: str | None = None,
    ) -> Task:
        """Start a try-on and return the new task (status CREATED).

        ``cloth_type`` is ``upper``, ``lower``, ``full_set`` or ``combo`` (``combo``
        needs ``lower_cloth_image``), or ``auto`` on servers that choose the type
        from the garment. This charges credits on the server. With
        ``idempotency_key``, the same request sent again (by this client's retries
        or by you) answers the same task and is charged once. ``webhook_url`` is
        told when the task ends.
        """
        files = {
            "model_image": _file_part(model_image, "model_image"),
            "cloth_image": _file_part(cloth_image, "cloth_image"),
        }
        if lower_cloth_image is not None:
            files["lower_cloth_image"] = _file_part(lower_cloth_image, "lower_cloth_image")
        # The checks' "full" is "full_set" to the create-task call (the hosted service knows only that word).
        form = {"cloth_type": cloth_types.task_type(cloth_type) or cloth_type}
        if hd:
            form["hd_mode"] = "true"
        if webhook_url:
            form["webhook_url"] = webhook_url
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        # Without a key a create is not idempotent: an error answer or a broken connection after
        # the upload may come from a task that was created (and charged), so see _request.
        response = self._request(
            "POST", TASKS_PATH, data=form, files=files, headers=headers, idempotent=bool(idempotency_key)
        )
        data = self._json(response)
        if not data.get("task_id"):
            raise FitRoomError("the server's answer has no task_id", response.status_code, response=response)
        return _task_from(data, default_status=CREATED)

    def get_task(self, task_id: str) -> Task:
        """Fetch the current state of task ``task_id``."""
        return self._get_task(task_id, deadline=None)

    def _get_task(self, task_id: str, deadline: float | None) -> Task:
        # While polling, a retry that would sleep past the polling deadline is not worth starting.
        response = self._request("GET", f"{TASKS_PATH}/{quote(str(task_id), safe='')}", deadline=deadline)
        data = self._json(response)
        data.setdefault("task_id", task_id)
        return _task_from(data)

    def cancel_task(self, task_id: str) -> Task:
        """Cancel an unfinished task: it ends FAILED with error "cancelled" and its credits come back.

        Raises :class:`Conflict` when the task had already finished.
        """
        response = self._request("POST", f"{TASKS_PATH}/{quote(str(task_id), safe='')}/cancel")
        data = self._json(response)
        data.setdefault("task_id", task_id)
        return _task_from(data)

    def credits(self) -> int:
        """The credits left on this API key."""
        data = self._json(self._request("GET", CREDITS_PATH))
        try:
            return int(data["credits"])
        except (KeyError, TypeError, ValueError):
            raise FitRoomError(f"the server's answer has no credits: {data!r}") from None

    def download(self, url: str) -> bytes:
        """Fetch a result image from its ``download_signed_url``.

        The API key is not sent: the URL is signed, and may point at another host
        (the hosted service uses cloud storage).
        """
        response = self._request("GET", url, authenticated=False, follow_redirects=True, headers={"Accept": "*/*"})
        return response.content

    # The whole journey.

    def wait_for_task(
        self,
        task_id: str,
        *,
        on_progress: Callable[[Task], None] | None = None,
        poll_timeout: float = 300.0,
    ) -> Task:
        """Poll until the task finishes and return it; raise :class:`TaskFailed` if it FAILED.

        Polls at once, then after 1-2 s, growing by half each time up to
        ``backoff_max`` seconds, each delay jittered so many clients spread out.
        ``on_progress`` gets every state seen. Raises :class:`PollTimeout` after
        ``poll_timeout`` seconds.
        """
        deadline = time.monotonic() + poll_timeout
        delay = self.backoff_initial
        while True:
            task = self._get_task(task_id, deadline)
            if on_progress is not None:
                on_progress(task)
            if task.status == COMPLETED:
                return task
            if task.status == FAILED:
                raise TaskFailed(task)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise PollTimeout(task, poll_timeout)
            time.sleep(min(_jittered(delay, self.backoff_max), remaining))
            delay = min(delay * 1.5, self.backoff_max)

    def try_on(
        self,
        model_image: ImageInput,
        cloth_image: ImageInput,
        cloth_type: str,
        lower_cloth_image: ImageInput | None = None,
        hd: bool = False,
        *,
        on_progress: Callable[[Task], None] | None = None,
        poll_timeout: float = 300.0,
        idempotency_key: str | None = None,
    ) -> TryOnResult:
        """Create a task, poll it to the end and download the result image.

        Raises :class:`TaskFailed` with the server's error text if the task fails,
        :class:`PollTimeout` if it is not done within ``poll_timeout`` seconds.
        """
        task = self.create_task(
            model_image, cloth_image, cloth_type, lower_cloth_image, hd, idempotency_key=idempotency_key
        )
        if on_progress is not None:
            on_progress(task)
        task = self.wait_for_task(task.task_id, on_progress=on_progress, poll_timeout=poll_timeout)
        if not task.download_signed_url:
            raise FitRoomError(f"task {task.task_id} is COMPLETED but has no download_signed_url")
        return TryOnResult(task=task, image=self.download(task.download_signed_url))

    # Plumbing.

    def _request(
        self,
        method: str,
        url: str,
        *,
        authenticated: bool = True,
        idempotent: bool = True,
        deadline: float | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        headers = dict(kwargs.pop("headers", None) or {})
        if authenticated:
            headers["X-API-KEY"] = self.api_key
        attempt = 0
        while True:
            try:
                response = self._http.request(method, url, headers=headers, **kwargs)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                # Nothing reached the server: always safe to try again.
                error: FitRoomError = ConnectionFailed(f"cannot reach {self.base_url}: {exc}")
                wait = None
            except (httpx.UnsupportedProtocol, httpx.LocalProtocolError, httpx.ProxyError) as exc:
                # Our side of the request is wrong; sending it again cannot help.
                raise ConnectionFailed(f"cannot send the request to {self.base_url}: {exc}") from exc
            except httpx.TransportError as exc:
                error = ConnectionFailed(f"connection to {self.base_url} failed: {exc}")
                if not idempotent:
                    raise error from exc
                wait = None
            else:
                if response.is_success:
                    return response
                error = _error_from(response)
                wait = _retry_after(response)
                if not _worth_retrying(response.status_code, wait, idempotent, headers):
                    raise error
                if wait is not None and wait > self.max_retry_wait:
                    raise error
            if attempt >= self.max_retries:
                raise error
            if wait is None:
                wait = _jittered(self.backoff_initial * 2**attempt, self.backoff_max)
            if deadline is not None and time.monotonic() + wait >= deadline:
                raise error
            time.sleep(wait)
            attempt += 1

    @staticmethod
    def _json(response: httpx.Response) -> dict[str, Any]:
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise FitRoomError(
                f"expected a JSON object, got {_snippet(response.text)!r}", response.status_code, response=response
            )
        return data


# --- helpers ------------------------------------------------------------------------------


def _worth_retrying(status: int, retry_after: float | None, idempotent: bool, headers: dict) -> bool:
    if idempotent:
        # 409 to a keyed create: the first request with this key is still being created.
        return status in _RETRYABLE_STATUSES or (status == 409 and "Idempotency-Key" in headers)
    # A create without a key: only a server that said "not now, try after" surely did nothing.
    return status in (429, 503) and retry_after is not None


def _jittered(delay: float, cap: float) -> float:
    """A random wait between ``delay`` and twice it, never above ``cap``."""
    low = min(delay, cap)
    return random.uniform(low, min(2 * low, cap)) if cap > low else low


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds from a ``Retry-After`` header, given as seconds or as an HTTP date."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _error_from(response: httpx.Response) -> FitRoomError:
    """Turn an error response into the matching exception, whatever shape its body has."""
    status = response.status_code
    message = _error_message(response) or response.reason_phrase or f"HTTP {status}"
    cls = _ERRORS_BY_STATUS.get(status)
    if cls is None:
        cls = ServerError if status >= 500 else FitRoomError
    if cls is RateLimited:
        return RateLimited(message, status, response=response, retry_after=_retry_after(response))
    return cls(message, status, response=response)


def _error_message(response: httpx.Response) -> str | None:
    # Ours: {"error": {"code": 400, "message": "..."}}; others send {"error": "..."},
    # {"message": "..."}, {"detail": "..."} (FastAPI, DRF), plain text or an HTML page.
    try:
        data = response.json()
    except ValueError:
        data = None
    if isinstance(data, dict):
        for key in ("error", "message", "detail", "msg", "error_description"):
            value = data.get(key)
            if isinstance(value, dict):
                value = value.get("message") or value.get("detail") or value.get("msg")
            if isinstance(value, list) and value:
                value = value[0].get("msg") if isinstance(value[0], dict) else value[0]
            if value:
                return str(value)
    elif isinstance(data, str) and data:
        return data
    content_type = response.headers.get("Content-Type", "")
    if response.text.strip() and "html" not in content_type:
        return _snippet(response.text)
    return None


def _snippet(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _task_from(data: dict[str, Any], default_status: str = "") -> Task:
    def integer(key: str) -> int | None:
        value = data.get(key)
        try:
            return int(value) if value is not None else None
        except (TypeError, ValueError):
            return None

    return Task(
        task_id=str(data["task_id"]),
        status=str(data.get("status") or default_status).upper(),
        progress=integer("progress"),
        download_signed_url=data.get("download_signed_url") or None,
        error=data.get("error") if isinstance(data.get("error"), str) else _nested_message(data.get("error")),
        created_at=integer("created_at"),
        started_at=integer("started_at"),
        completed_at=integer("completed_at"),
        cloth_type=str(data["cloth_type"]) if data.get("cloth_type") else None,
    )


def _nested_message(value: Any) -> str | None:
    if isinstance(value, dict):
        message = value.get("message") or value.get("detail")
        return str(message) if message else None
    return None


_SIGNATURES = (
    (b"\xff\xd8\xff", ".jpg", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", ".png", "image/png"),
)


def _file_part(image: ImageInput, field: str) -> tuple[str, bytes, str]:
    """(filename, bytes, content type) for a multipart field; bytes are read once so retries can resend them."""
    name = None
    if isinstance(image, (bytes, bytearray, memoryview)):
        data = bytes(image)
    elif isinstance(image, (str, os.PathLike)):
        with open(image, "rb") as file:
            data = file.read()
        name = os.path.basename(os.fspath(image))
    elif hasattr(image, "read"):
        data = image.read()
        if not isinstance(data, bytes):
            raise TypeError(f"{field}: open the file in binary mode ('rb')")
        file_name = getattr(image, "name", None)
        name = os.path.basename(file_name) if isinstance(file_name, str) else None
    else:
        raise TypeError(f"{field}: expected bytes, a path or a binary file, got {type(image).__name__}")
    extension, content_type = _sniff(data)
    return (name or field + extension, data, content_type)


def _sniff(data: bytes) -> tuple[str, str]:
    for signature, extension, content_type in _SIGNATURES:
        if data.startswith(signature):
            return extension, content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ".webp", "image/webp"
    if data[4:8] == b"ftyp" and data[8:12] in (b"avif", b"avis"):
        return ".avif", "image/avif"
    return "", "application/octet-stream"


class WebhookVerificationError(Exception):
    """A webhook's signature, timestamp or headers did not check out: do not trust its body."""


def verify_webhook(secret: str, body: bytes | str, headers: dict[str, str]) -> Task:
    """Check a webhook from a fitroom server (Standard Webhooks) and return the task it reports.

    ``secret`` is the key's ``whsec_...`` secret, ``body`` the raw request body (not re-encoded
    JSON) and ``headers`` the request's headers. Raises :class:`WebhookVerificationError` for a
    forged, altered or more than five minutes old message.
    """
    import standardwebhooks

    try:
        data = standardwebhooks.Webhook(secret).verify(body, headers)
    except (standardwebhooks.WebhookVerificationError, ValueError) as exc:
        raise WebhookVerificationError(str(exc) or "invalid webhook") from exc
    if not isinstance(data, dict) or not data.get("task_id"):
        raise WebhookVerificationError("the webhook's body is not a task")
    return _task_from(data)
