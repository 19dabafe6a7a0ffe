"""Every documented error status, in the one JSON shape, and nothing stored or charged on failure."""

import time

import pytest
from django.test import override_settings

from tests import images
from tests.api.helpers import TASKS, task_form, upload
from tryon.models import TryOnTask


def assert_error(response, status, message_part=""):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == status
    assert message_part in body["error"]["message"]
    return body


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-API-KEY": ""}, {"X-API-KEY": "nonsense"}, {"X-API-KEY": "fr_00000000_" + "x" * 32}],
    ids=["missing", "empty", "malformed", "unknown"],
)
@pytest.mark.parametrize(
    "method, url",
    [
        ("post", "/api/tryon/input_check/v1/model"),
        ("post", "/api/tryon/input_check/v1/clothes"),
        ("post", TASKS),
        ("get", TASKS + "/0123456789abcdef0123456789abcdef"),
    ],
)
def test_missing_or_wrong_key_is_401(client, db, headers, method, url):
    assert_error(getattr(client, method)(url, headers=headers), 401)


def test_wrong_secret_with_a_real_prefix_is_401(client, alice):
    forged = alice.raw[:-4] + "AAAA"
    assert_error(client.get(TASKS + "/x", headers={"X-API-KEY": forged}), 401)


def test_revoked_key_is_401_at_once(client, alice):
    alice.key.is_active = False
    alice.key.save()
    assert_error(client.post(TASKS, task_form(), headers=alice.headers), 401)


def test_no_credits_is_402_and_nothing_is_stored(client, broke):
    assert_error(client.post(TASKS, task_form(), headers=broke.headers), 402, "Insufficient credit")
    assert TryOnTask.objects.count() == 0
    assert broke.refresh().credits == 0


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"model_image": None}, "model_image is required"),
        ({"cloth_image": None}, "cloth_image is required"),
        ({"cloth_type": None}, "cloth_type is required"),
        ({"cloth_type": "hat"}, "cloth_type must be one of"),
        ({"cloth_type": "combo"}, "lower_cloth_image is required"),
        ({"model_image": upload(b"", "empty.jpg")}, "model_image"),
        ({"model_image": upload(images.text_named_jpg(), "model.jpg")}, "not a JPEG, PNG, WebP, AVIF or HEIC"),
        ({"model_image": upload(images.truncated_jpeg(), "model.jpg")}, "damaged or truncated"),
        ({"cloth_image": upload(images.decompression_bomb_png(), "bomb.png")}, "pixels"),
    ],
    ids=["no-model", "no-cloth", "no-type", "bad-type", "combo-without-lower", "empty", "text", "truncated", "bomb"],
)
def test_bad_task_requests_are_400_and_free(client, alice, overrides, message):
    for upload_file in overrides.values():
        if hasattr(upload_file, "seek"):
            upload_file.seek(0)  # the upload objects are made once, at import: rewind in case of a rerun
    assert_error(client.post(TASKS, task_form(**overrides), headers=alice.headers), 400, message)
    assert TryOnTask.objects.count() == 0
    assert alice.refresh().credits == 10


def test_image_over_the_byte_limit_is_400(client, alice, settings):
    settings.TRYON_MAX_UPLOAD_BYTES = 100_000  # the person photo has 105 kB, the drawn tee 29 kB
    assert_error(client.post(TASKS, task_form(), headers=alice.headers), 400, "model_image: is larger than 97 kB")


def test_oversized_request_is_refused_before_reading_the_body(client, alice, settings):
    settings.TRYON_MAX_UPLOAD_BYTES = 1000
    big = upload(b"x" * 300_000, "big.jpg")
    assert_error(client.post(TASKS, task_form(model_image=big), headers=alice.headers), 400, "too large")


def test_image_over_the_pixel_limit_is_400(client, alice, settings):
    settings.TRYON_MAX_IMAGE_PIXELS = 100_000  # the person photo has 722 x 1024
    assert_error(client.post(TASKS, task_form(), headers=alice.headers), 400, "megapixels")


def test_unknown_task_is_404(client, alice):
    assert_error(client.get(TASKS + "/doesnotexist", headers=alice.headers), 404, "task not found")


def test_unknown_api_path_is_404_json(client, alice):
    assert_error(client.get("/api/tryon/v3/everything", headers=alice.headers), 404)


@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_unknown_api_path_is_json_404_even_without_collected_static_files(client, alice, settings, tmp_path, method):
    """Django's own 404 page needs the static manifest; an API path must never depend on it."""
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path / "not-collected"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    response = getattr(client, method)("/api/tryon/v3/everything", headers=alice.headers)
    assert_error(response, 404)


def _multipart_with_file_name(field: str, file_name: bytes) -> bytes:
    return (
        b"--BOUND\r\nContent-Disposition: form-data; name=\"" + field.encode() + b"\"; filename=\"" + file_name
        + b"\"\r\nContent-Type: image/jpeg\r\n\r\n" + images.person_photo() + b"\r\n--BOUND--\r\n"
    )  # fmt: skip


@pytest.mark.parametrize(
    ("url", "field"),
    [(TASKS, "model_image"), ("/api/tryon/input_check/v1/model", "input_image"),
     ("/api/tryon/input_check/v1/clothes", "input_image")],
)  # fmt: skip
@pytest.mark.parametrize("fault", ["no boundary", "long file name"])
def test_malformed_multipart_is_400_json(client, alice, url, field, fault):
    if fault == "no boundary":
        body, content_type = _multipart_with_file_name(field, b"model.jpg"), "multipart/form-data"
    else:
        body, content_type = (
            _multipart_with_file_name(field, b"a" * 1000 + b".jpg"),
            "multipart/form-data; boundary=BOUND",
        )
    response = client.generic("POST", url, body, content_type=content_type, headers=alice.headers)
    assert_error(response, 400, "invalid multipart request")
    assert alice.refresh().credits == 10


def test_maintenance_mode_is_503(client, alice):
    with override_settings(TRYON_MAINTENANCE_MODE=True):
        response = client.get(TASKS + "/x", headers=alice.headers)
        assert_error(response, 503, "maintenance")
        assert response["Retry-After"] == "30"  # FitRoom's answer, unless the operator sets another
    assert client.get(TASKS + "/x", headers=alice.headers).status_code == 404


def test_61st_request_in_a_minute_is_429_with_retry_after(client, make_key):
    carol = make_key("carol", rate_limit=5)
    for used in range(1, 6):
        response = client.get(TASKS + "/x", headers=carol.headers)
        assert response.status_code == 404
        assert response["X-RateLimit-Limit"] == "5"
        assert response["X-RateLimit-Remaining"] == str(5 - used)
    limited = client.get(TASKS + "/x", headers=carol.headers)
    assert_error(limited, 429, "Too many requests")
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert limited["X-RateLimit-Remaining"] == "0"


def test_default_limit_is_60_per_minute_per_key(client, alice, bob):
    seconds_left = 60 - time.time() % 60
    if seconds_left < 5:  # make the 61 requests fall in one fixed window
        time.sleep(seconds_left)
    statuses = [client.get(TASKS + "/x", headers=alice.headers).status_code for _ in range(61)]
    assert statuses == [404] * 60 + [429]
    # Another key has its own budget.
    assert client.get(TASKS + "/x", headers=bob.headers).status_code == 404


def test_unreachable_remote_engine_makes_checks_503(client, alice, settings):
    settings.TRYON_BACKEND = "remote"
    settings.TRYON_REMOTE_URL = "http://127.0.0.1:9"  # discard port: nothing listens
    settings.TRYON_REMOTE_API_KEY = "fr_remote_key"
    response = client.post(
        "/api/tryon/input_check/v1/model", {"input_image": upload(images.person_photo())}, headers=alice.headers
    )
    assert_error(response, 503, "engine is unavailable")
