"""Anything under /api/ that Django itself rejects (404, 405, 500) still answers the JSON error body."""

import logging

from django.conf import settings

from tryon.api.responses import REASONS, error_response

log = logging.getLogger(__name__)


class ApiErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            headers = {"Allow": response["Allow"]} if response.has_header("Allow") else None
            status = response.status_code
            return error_response(status, REASONS.get(status, "Error"), headers)
        return response

    def process_exception(self, request, exception):
        if request.path.startswith("/api/") and not settings.DEBUG:
            log.exception("unhandled API error")
            return error_response(500, REASONS[500])
        return None
