"""A webhook receiver on loopback that verifies Standard Webhooks signatures with the library."""

from __future__ import annotations

import http.server
import threading
import time
from dataclasses import dataclass, field

from standardwebhooks import Webhook, WebhookVerificationError


@dataclass
class Received:
    headers: dict
    body: bytes
    payload: dict | None  # None when the signature did not verify
    error: str = ""


@dataclass
class Receiver:
    """Answers each POST with the next status in ``answers`` (then 200), after ``delay`` seconds."""

    secret: str
    answers: list[int] = field(default_factory=list)
    delay: float = 0.0
    redirect_to: str = ""
    received: list[Received] = field(default_factory=list)

    def __enter__(self) -> Receiver:
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = dict(self.headers.items())
                try:
                    payload = Webhook(receiver.secret).verify(body, headers)
                    receiver.received.append(Received(headers, body, payload))
                except WebhookVerificationError as exc:
                    receiver.received.append(Received(headers, body, None, str(exc)))
                time.sleep(receiver.delay)
                status = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(status)
                if receiver.redirect_to:
                    self.send_header("Location", receiver.redirect_to)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hooks/fitroom?source=test"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def wait_for(self, count: int, timeout: float) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        return self.received
