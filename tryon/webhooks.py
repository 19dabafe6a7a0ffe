"""Webhooks: a finished task is POSTed to the client's URL, signed per Standard Webhooks, retried for a day.

The body is exactly what ``GET /api/tryon/v2/tasks/<id>`` answers. Each API key signs with its own
``whsec_`` secret through the ``standardwebhooks`` library, so receivers verify with any Standard
Webhooks implementation. Deliveries run on django-q2; a failed attempt schedules the next one with
exponential backoff until 24 hours after the task finished. Every attempt is logged.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import socket
import time
from datetime import datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

import httpx
from django.conf import settings
from django.utils import timezone
from standardwebhooks import Webhook

from tryon.models import TryOnTask, WebhookAttempt, WebhookDelivery

log = logging.getLogger(__name__)

RETRY_FOR = timedelta(hours=24)
# The first retry waits settings.TRYON_WEBHOOK_FIRST_RETRY_DELAY (5 s); each later one four times longer...
MAX_RETRY_DELAY = 6 * 3600.0  # ...up to this
USER_AGENT = "fitroom-webhooks/1"


class WebhookRefused(Exception):
    """The URL may not be called: not http(s), does not resolve, or reaches into a private network."""


def refusal(url: str) -> str | None:
    """Why the server will not call ``url`` (in words for the API's 400), or None when it will."""
    try:
        _resolve(url)
    except WebhookRefused as exc:
        return str(exc)
    return None


def _resolve(url: str) -> tuple[str, int]:
    """The address to connect to for ``url`` (checked against private ranges) and the port."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookRefused("must be an http:// or https:// URL with a host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        found = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError, UnicodeError) as exc:
        raise WebhookRefused(f"the host {parts.hostname} does not resolve") from exc
    addresses = [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in found]
    if not settings.TRYON_WEBHOOK_ALLOW_PRIVATE and not all(_is_public(address) for address in addresses):
        raise WebhookRefused(f"the host {parts.hostname} resolves to a private, loopback or link-local address")
    return str(addresses[0]), port


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


# --- Creating deliveries (called by services when a task ends) ---------------------------------


def task_finished(public_id: str) -> WebhookDelivery | None:
    """Queue the report of a task that just ended, if its create or its key named a webhook URL."""
    task = TryOnTask.objects.select_related("api_key").filter(public_id=public_id).first()
    if task is None or task.api_key is None:
        return None
    url = task.webhook_url or task.api_key.webhook_url
    if not url:
        return None
    delivery = WebhookDelivery.objects.create(task=task, url=url)
    _enqueue(delivery)
    return delivery


def resend(delivery: WebhookDelivery) -> None:
    """One more attempt now (the admin's "resend"), with retries if still within the day."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=WebhookDelivery.Status.PENDING, next_attempt_at=None)
    _enqueue(delivery)


def _enqueue(delivery: WebhookDelivery) -> None:
    from django_q.tasks import async_task

    async_task("tryon.tasks.deliver_webhook", delivery.pk, task_name=f"webhook-{delivery.message_id}")


def _schedule_retry(delivery: WebhookDelivery, number: int, when: datetime) -> None:
    from django_q.models import Schedule
    from django_q.tasks import schedule

    schedule(
        "tryon.tasks.deliver_webhook",
        delivery.pk,
        name=f"webhook {delivery.message_id} attempt {number}",
        schedule_type=Schedule.ONCE,
        next_run=when,
    )


def next_attempt_at(created_at: datetime, attempts_made: int, now: datetime) -> datetime | None:
    """When to try again after ``attempts_made`` failures: 5 s, 20 s, 80 s... (at most 6 h), for 24 h."""
    delay = min(settings.TRYON_WEBHOOK_FIRST_RETRY_DELAY * 4 ** (attempts_made - 1), MAX_RETRY_DELAY)
    when = now + timedelta(seconds=delay)
    return when if when <= created_at + RETRY_FOR else None


# --- Delivering (a django-q2 task) --------------------------------------------------------------


def deliver(delivery_id: int) -> None:
    """Make one attempt; on failure schedule the next, or give up after a day."""
    delivery = WebhookDelivery.objects.select_related("task__api_key").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != WebhookDelivery.Status.PENDING:
        return
    if delivery.task.api_key is None:  # the key was deleted: nothing left to sign with, nobody to tell
        WebhookDelivery.objects.filter(pk=delivery.pk).update(status=WebhookDelivery.Status.FAILED)
        return
    number = delivery.attempts + 1
    # Claim the attempt: a resend and a scheduled retry arriving together make one POST, not two.
    if not WebhookDelivery.objects.filter(
        pk=delivery.pk, status=WebhookDelivery.Status.PENDING, attempts=delivery.attempts
    ).update(attempts=number, next_attempt_at=None):
        return
    payload = json.dumps(_payload(delivery.task), separators=(",", ":"))
    attempt = WebhookAttempt(delivery=delivery, number=number, payload=payload)
    started = time.monotonic()
    refused = False
    try:
        response = _post(delivery, payload)
        attempt.status_code = response.status_code
        if not response.is_success:
            attempt.error = f"HTTP {response.status_code} {response.reason_phrase}".strip()
    except WebhookRefused as exc:
        attempt.error = f"refused: {exc}"
        refused = True  # where the host points is configuration: asking again will not help
    except httpx.HTTPError as exc:
        attempt.error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    attempt.duration_ms = int((time.monotonic() - started) * 1000)
    attempt.save()

    now = timezone.now()
    mine = WebhookDelivery.objects.filter(pk=delivery.pk, attempts=number)
    if not attempt.error:
        mine.update(status=WebhookDelivery.Status.DELIVERED, delivered_at=now)
        return
    log.warning("webhook %s attempt %d to %s failed: %s", delivery.message_id, number, delivery.url, attempt.error)
    when = None if refused else next_attempt_at(delivery.created_at, number, now)
    if when is None:
        mine.update(status=WebhookDelivery.Status.FAILED)
        return
    mine.update(next_attempt_at=when)
    _schedule_retry(delivery, number + 1, when)


def _payload(task: TryOnTask) -> dict:
    from tryon.api.downloads import signed_url
    from tryon.api.responses import task_status_body

    url = None
    if task.status == TryOnTask.Status.COMPLETED:
        url = signed_url(settings.TRYON_PUBLIC_BASE_URL or task.origin, task.public_id)
    return task_status_body(task, url)


def _post(delivery: WebhookDelivery, payload: str) -> httpx.Response:
    # Connect to the address we checked, not to whatever the name resolves to a moment later.
    address, port = _resolve(delivery.url)
    parts = urlsplit(delivery.url)
    host = f"[{address}]" if ":" in address else address
    pinned = urlunsplit((parts.scheme, f"{host}:{port}", parts.path or "/", parts.query, ""))
    headers = sign(delivery.task.api_key.webhook_secret, delivery.message_id, payload)
    headers.update(
        {
            "Host": parts.netloc.rsplit("@", 1)[-1],
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
        }
    )
    with httpx.Client(timeout=settings.TRYON_WEBHOOK_TIMEOUT, follow_redirects=False) as http:
        return http.post(pinned, content=payload.encode(), headers=headers, extensions={"sni_hostname": parts.hostname})


def sign(secret: str, message_id: str, payload: str, at: datetime | None = None) -> dict[str, str]:
    """The three Standard Webhooks headers for ``payload``."""
    at = at or timezone.now()
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, at, payload),
    }
