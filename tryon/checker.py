"""The check process: the local engine's photo checks in one long-lived process beside the web ones.

A check needs mediapipe's graphs and OpenCV, about 250 MB in every process that runs one, and
its tenth of a second of CPU held a web process's threads while status polls waited. So the web
processes send the photo, already decoded and normalised, over a Unix socket to
``manage.py runchecker`` (the Procfile's ``checker`` line), which built the engine's models as it
started. Queue workers keep running the checks themselves: they have the engine loaded to render.

One check per connection: a JSON line ``{"check": "model" | "clothes", "size": [width, height]}``
and the RGB pixels, answered by one JSON line: ``{"result": {...}}`` (the check's fields),
``{"rejected": why}`` (the engine refuses the image: the caller's 400) or ``{"unavailable": why}``.
"""

import contextlib
import dataclasses
import json
import logging
import os
import socket
import socketserver

from django.conf import settings
from PIL import Image

from tryon import backends

log = logging.getLogger(__name__)

CHECKS = ("model", "clothes")
# A web request waits at most this long for its check, then answers 503 (a check takes about 0.1 s,
# a few at once queue on the engine's lock, and a just-started check process builds its models first).
ANSWER_TIMEOUT = 30.0
MAX_PIXELS = 4096 * 4096  # the engine's working size is at most 2048 on the long side


def ask(check: str, image: Image.Image) -> dict:
    """The check process's answer for ``image``: the check's fields, or the contract's error."""
    path = str(settings.TRYON_CHECKER_SOCKET)
    image = image if image.mode == "RGB" else image.convert("RGB")
    header = json.dumps({"check": check, "size": list(image.size)}).encode() + b"\n"
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(ANSWER_TIMEOUT)
            connection.connect(path)
            connection.sendall(header)
            connection.sendall(image.tobytes())
            with connection.makefile("rb") as answers:
                answer = json.loads(answers.readline())
    except (OSError, ValueError) as exc:
        raise backends.BackendUnavailable(f"the check process at {path} did not answer: {exc}") from exc
    if "rejected" in answer:
        raise backends.ImageRejected(answer["rejected"])
    if "result" not in answer:
        raise backends.BackendUnavailable(f"the check process failed: {answer.get('unavailable')}")
    return answer["result"]


class _CheckHandler(socketserver.StreamRequestHandler):
    def handle(self):
        try:
            request = json.loads(self.rfile.readline(1024))
            width, height = (int(side) for side in request["size"])
            if request["check"] not in CHECKS or not 0 < width * height <= MAX_PIXELS:
                raise ValueError(f"not a check request: {request}")
            image = Image.frombytes("RGB", (width, height), self.rfile.read(width * height * 3))
            backend = backends.LocalBackend()
            check = backend.check_model if request["check"] == "model" else backend.check_clothes
            answer = {"result": dataclasses.asdict(check(image))}
        except backends.ImageRejected as exc:
            answer = {"rejected": str(exc)}
        except Exception as exc:
            log.exception("a check failed in the check process")
            answer = {"unavailable": f"{type(exc).__name__}: {exc}"}
        with contextlib.suppress(OSError):  # the web request gave up waiting
            self.wfile.write(json.dumps(answer).encode() + b"\n")


class _CheckServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    request_queue_size = 64  # checks arriving while the models are still being built wait here


def serve(path: str) -> None:
    """Answer checks on the Unix socket ``path`` until the process is stopped."""
    from tryon import engine

    backends.run_checks_here()
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)  # left by a check process that was killed
    with _CheckServer(path, _CheckHandler) as server:
        # Listening before the models are built: a check sent meanwhile waits instead of failing.
        engine.load_models()
        log.info("checks answered at %s", path)
        server.serve_forever()
