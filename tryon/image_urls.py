"""Fetching a garment photo from a product page's image address, without letting the server be used as a proxy.

Plain httpx, no Django. The address is resolved once and every resolved address must be public
(not loopback, private, link-local, multicast or reserved) unless the caller allows private
ones (tests on loopback). The connection then goes to the vetted address itself, with the
original host name for the Host header and TLS (SNI and certificate checking), so DNS cannot
answer differently the second time. Redirects are followed by hand, a few at most, and each
hop is vetted the same way. Only image responses are read, up to a size and a time limit.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

MAX_REDIRECTS = 3


class ImageUrlError(ValueError):
    """The address can't be used; ``reason`` is one of the REASONS keys, for the caller's words."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


REASONS = ("not_http", "not_public", "unreachable", "not_image", "too_large", "too_slow", "too_many_redirects")


@dataclass(frozen=True)
class FetchLimits:
    max_bytes: int = 15 * 1024 * 1024
    timeout: float = 10.0  # seconds for the whole fetch, redirects included
    allow_private: bool = False


def fetch_image_bytes(url: str, limits: FetchLimits = FetchLimits()) -> bytes:
    """The bytes of the image at ``url`` (http or https), or :class:`ImageUrlError`."""
    deadline = time.monotonic() + limits.timeout
    for _ in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ImageUrlError("not_http", url[:200])
        address = _vetted_address(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80), limits)
        response_or_next = _get(url, parts, address, deadline, limits)
        if isinstance(response_or_next, bytes):
            return response_or_next
        url = response_or_next
    raise ImageUrlError("too_many_redirects")


def _vetted_address(host: str, port: int, limits: FetchLimits) -> str:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ImageUrlError("unreachable", host) from exc
    addresses = {info[4][0] for info in infos}
    if not addresses:
        raise ImageUrlError("unreachable", host)
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if getattr(ip, "ipv4_mapped", None):
            ip = ip.ipv4_mapped
        if not limits.allow_private and not ip.is_global:
            raise ImageUrlError("not_public", host)
    return sorted(addresses)[0]


def _get(url, parts, address, deadline, limits) -> bytes | str:
    """The image bytes, or the next URL when the answer is a redirect."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise ImageUrlError("too_slow")
    host_for_url = f"[{address}]" if ":" in address else address
    port = f":{parts.port}" if parts.port else ""
    target = f"{parts.scheme}://{host_for_url}{port}{parts.path or '/'}{'?' + parts.query if parts.query else ''}"
    host_header = parts.hostname + port
    extensions = {"sni_hostname": parts.hostname} if parts.scheme == "https" else {}
    timeout = httpx.Timeout(remaining)
    try:
        with (
            httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client,
            client.stream(
                "GET",
                target,
                headers={"Host": host_header, "Accept": "image/*", "User-Agent": "fitroom-garment-fetch"},
                extensions=extensions,
            ) as response,
        ):
            if response.is_redirect and "location" in response.headers:
                return urljoin(url, response.headers["location"])
            if response.status_code != 200:
                raise ImageUrlError("unreachable", f"HTTP {response.status_code}")
            content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
            if not content_type.startswith("image/"):
                raise ImageUrlError("not_image", content_type)
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limits.max_bytes:
                raise ImageUrlError("too_large", declared)
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > limits.max_bytes:
                    raise ImageUrlError("too_large")
                if time.monotonic() > deadline:
                    raise ImageUrlError("too_slow")
            return bytes(body)
    except httpx.TimeoutException as exc:
        raise ImageUrlError("too_slow") from exc
    except httpx.HTTPError as exc:
        raise ImageUrlError("unreachable", str(exc)[:200]) from exc
