"""The FitRoom contract around every API view: maintenance, X-API-KEY, rate limit, errors."""

import functools
import logging

from django.conf import settings
from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFilesSent,
)
from django.db import DatabaseError
from django.http.multipartparser import MultiPartParserError
from django.views.decorators.csrf import csrf_exempt

from tryon import keys, ratelimit
from tryon.api.responses import error_response
from tryon.services import ServiceError

log = logging.getLogger(__name__)


def _service_unavailable():
    return error_response(
        503,
        "We're temporarily offline for maintenance. Please try again later.",
        {"Retry-After": str(settings.TRYON_MAINTENANCE_RETRY_AFTER)},
    )


def api_endpoint(view):
    """Authenticate by X-API-KEY, count the request, and turn every failure into the JSON error body.

    The view is called as ``view(request, api_key, ...)``.
    """

    @csrf_exempt  # API clients authenticate with a header, not a cookie: CSRF does not apply
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if settings.TRYON_MAINTENANCE_MODE:
            return _service_unavailable()
        if _declared_length(request) > _max_request_bytes():
            # Refuse before Django spools the body to disk.
            return error_response(400, "the request is too large")
        try:
            address = ratelimit.client_address(request.META)
            # The key first (a key this process saw within seconds is in its memory): the address's
            # failed authentications and the key's count are then one Redis round trip.
            api_key = keys.authenticate(request.headers.get("X-API-KEY"))
            if api_key is None:
                failures = ratelimit.failed_auth_state(address)
                if failures.used < failures.limit:
                    ratelimit.count_failed_auth(address)
                    return error_response(401, "Unauthorized: your API key is missing or wrong.")
            else:
                failures, limit = ratelimit.count_request_from(api_key, address)
            if failures.used >= failures.limit:
                # Right or wrong, a key from a throttled address gets the same answer: a guess that
                # happens to be right learns nothing.
                return error_response(
                    429,
                    f"Too many failed authentications from your address: at most {failures.limit} per minute.",
                    {"Retry-After": str(failures.retry_after())},
                )
            if not limit.allowed:
                return error_response(429, f"Too many requests: at most {limit.limit} per minute.", limit.headers())
            response = view(request, api_key, *args, **kwargs)
        except ServiceError as exc:
            response = error_response(exc.status, str(exc))
        except (RequestDataTooBig, TooManyFilesSent):
            return error_response(400, "the request is too large")
        except SuspiciousOperation as exc:
            return error_response(400, f"invalid request: {exc}")
        except MultiPartParserError as exc:
            # No boundary, a header past Django's size limit, a broken part: the client's request, not our fault.
            return error_response(400, f"invalid multipart request: {exc}")
        except DatabaseError:
            # The database (or Redis, below) is briefly away: say so instead of a stack trace.
            log.exception("database unavailable")
            return _service_unavailable()
        except Exception as exc:
            if _is_redis_error(exc):
                log.exception("redis unavailable")
                return _service_unavailable()
            log.exception("unexpected API error")
            return error_response(500, "Internal Server Error. We had a problem with our server. Try again later.")
        for header, value in limit.headers().items():
            response.setdefault(header, value)
        return response

    return wrapper


def _declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _max_request_bytes() -> int:
    # Three images (combo) at the per-file limit, plus room for the form fields.
    return 3 * settings.TRYON_MAX_UPLOAD_BYTES + 64 * 1024


def _is_redis_error(exc: Exception) -> bool:
    try:
        import redis
    except ImportError:
        return False
    return isinstance(exc, redis.RedisError)
