"""Issue 13 item 13: a garment from a product page's image address, fetched by the server safely."""

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.images import drawn_tee

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
TEE = drawn_tee()


class Shop(BaseHTTPRequestHandler):
    """A tiny shop on loopback: a product photo, a page, a huge 'photo', a redirect and a slow answer."""

    def do_GET(self):
        if self.path == "/tee.jpg":
            self._answer(200, "image/jpeg", TEE)
        elif self.path == "/product.html":
            self._answer(200, "text/html", b"<html>a product page</html>")
        elif self.path == "/huge.jpg":
            self._answer(200, "image/jpeg", b"\xff\xd8" + b"\0" * (64 * 1024))
        elif self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/tee.jpg")
            self.end_headers()
        else:
            self._answer(404, "text/plain", b"no")

    def _answer(self, status, content_type, body):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def shop():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Shop)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def check_address(client, url, slot="cloth"):
    data = {f"{slot}_url": url, "slot": slot, "cloth_type": "upper"}
    return client.post("/studio/check/clothes/", data, **HTMX).content.decode()


def test_a_garment_from_an_image_address_is_checked_and_stored(client, settings, shop):
    settings.TRYON_IMAGE_URL_ALLOW_PRIVATE = True  # the test shop is on loopback
    html = check_address(client, f"{shop}/tee.jpg")
    assert "Looks like a top." in html
    assert re.search(r'name="cloth_upload" value="[^"]+"', html)  # the try-on reuses it
    assert "Looks like a top." in check_address(client, f"{shop}/moved")  # redirects followed, vetted again


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/product.html", "That address isn"),
        ("/huge.jpg", "That picture is too big to fetch."),
        ("/missing.jpg", "We couldn"),
    ],
)
def test_only_pictures_within_the_limits_are_taken(client, settings, shop, path, words):
    settings.TRYON_IMAGE_URL_ALLOW_PRIVATE = True
    settings.TRYON_MAX_UPLOAD_BYTES = 32 * 1024
    html = check_address(client, shop + path)
    assert words in html and "data-blocks-tryon" in html


@pytest.mark.parametrize(
    "address",
    [
        "http://127.0.0.1:{port}/tee.jpg",
        "http://localhost:{port}/tee.jpg",
        "http://[::1]:{port}/tee.jpg",
        "http://2130706433:{port}/tee.jpg",  # 127.0.0.1 spelled as a number
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata (link-local)
        "http://10.0.0.1/tee.jpg",
        "http://192.168.1.1/tee.jpg",
    ],
)
def test_private_and_loopback_addresses_are_refused(client, shop, address):
    port = shop.rsplit(":", 1)[1]
    html = check_address(client, address.format(port=port))
    assert "We can only fetch pictures from public websites." in html


@pytest.mark.parametrize("address", ["file:///etc/passwd", "ftp://example.com/tee.jpg", "javascript:alert(1)", "tee"])
def test_only_web_addresses_are_fetched(client, address):
    assert "That isn" in check_address(client, address) and "a web address" in check_address(client, address)
