"""A task's life through the API: create, run (django-q2 in-process), poll, download."""

import io
import time
from urllib.parse import parse_qs, urlencode, urlparse

import numpy as np
import pytest
from PIL import Image

from tests import images
from tests.api.helpers import TASKS, task_form, upload
from tests.engine import drawing
from tryon import services
from tryon.models import TryOnTask


@pytest.fixture
def run_queue(django_capture_on_commit_callbacks):
    """Create through the API and let the on_commit enqueue run the task (django-q2 sync mode)."""

    def create(client, key, form):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(TASKS, form, headers=key.headers)
        assert response.status_code == 200, response.content
        return response.json()

    return create


def poll(client, key, task_id):
    response = client.get(f"{TASKS}/{task_id}", headers=key.headers)
    assert response.status_code == 200, response.content
    return response.json()


def download(client, url):
    parts = urlparse(url)
    return client.get(f"{parts.path}?{parts.query}")


def test_new_task_is_created_and_charged(client, alice):
    response = client.post(TASKS, task_form(), headers=alice.headers)  # on_commit not run: still queued
    body = response.json()
    assert response.status_code == 200
    assert body == {"task_id": body["task_id"], "status": "CREATED"}
    assert len(body["task_id"]) >= 32
    assert alice.refresh().credits == 9
    status = poll(client, alice, body["task_id"])
    assert status == {
        "task_id": body["task_id"],
        "status": "CREATED",
        "progress": 0,
        "created_at": status["created_at"],
    }
    assert abs(status["created_at"] - time.time()) < 60


def test_task_completes_with_a_signed_download(client, alice, run_queue):
    created = run_queue(client, alice, task_form())
    status = poll(client, alice, created["task_id"])
    assert status["status"] == "COMPLETED", status
    assert status["progress"] == 100
    assert status["created_at"] <= status["started_at"] <= status["completed_at"]
    url = status["download_signed_url"]
    assert url.startswith("http://testserver/api/tryon/v2/results/")
    response = download(client, url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    result = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    assert result.format == "JPEG"
    assert result.size == (722, 1024)  # the model photo's size, within the 1024 px normal cap
    assert not result.getexif()
    assert alice.refresh().credits == 9


def test_result_is_the_model_photo_wearing_the_garment(client, alice, run_queue):
    created = run_queue(client, alice, task_form())
    task = TryOnTask.objects.get(public_id=created["task_id"])
    result = Image.open(task.result_image.path).convert("RGB")
    model = Image.open(io.BytesIO(images.person_photo())).convert("RGB")
    # The top-left corner (background) is untouched; the chest now shows the drawn tee's red.
    assert max(abs(a - b) for a, b in zip(result.getpixel((5, 5)), model.getpixel((5, 5)), strict=True)) < 12
    chest = result.crop((300, 600, 420, 700)).resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))
    assert chest[0] > 120 and chest[0] > chest[1] * 1.8 and chest[0] > chest[2] * 1.8, chest


def test_hd_mode_renders_larger_than_normal(client, alice, run_queue):
    big_model = images.encode(Image.open(io.BytesIO(images.person_photo())).resize((1444, 2048)), quality=92)
    sizes = {}
    for hd in ("false", "true"):
        form = task_form(model_image=upload(big_model, "big.jpg"), hd_mode=hd)
        task_id = run_queue(client, alice, form)["task_id"]
        sizes[hd] = Image.open(TryOnTask.objects.get(public_id=task_id).result_image.path).size
    assert max(sizes["false"]) == 1024
    assert 1024 < max(sizes["true"]) <= 2048


def test_full_is_an_alias_of_full_set(client, alice):
    task_id = client.post(TASKS, task_form(cloth_type="full"), headers=alice.headers).json()["task_id"]
    assert TryOnTask.objects.get(public_id=task_id).cloth_type == "full_set"


def test_combo_needs_and_uses_the_lower_garment(client, alice, run_queue):
    trousers = images.encode(drawing.trousers(colour=(40, 70, 150)), quality=92)
    form = task_form(
        cloth_type="combo",
        model_image=upload(images.fixture_bytes("person_yoga_fullbody.jpg"), "model.jpg"),  # head to feet
        lower_cloth_image=upload(trousers, "trousers.jpg"),
    )
    created = run_queue(client, alice, form)
    task = TryOnTask.objects.get(public_id=created["task_id"])
    assert task.lower_cloth_image
    status = poll(client, alice, created["task_id"])
    assert status["status"] == "COMPLETED", status
    result = Image.open(io.BytesIO(b"".join(download(client, status["download_signed_url"]).streaming_content)))
    result = result.convert("RGB")
    assert result.size == (1000, 667)

    def red_and_blue(image):
        pixels = np.asarray(image).astype(int)
        red = (pixels[..., 0] - pixels[..., 1] > 70) & (pixels[..., 0] > 120)
        blue = (pixels[..., 2] - pixels[..., 0] > 60) & (pixels[..., 2] > 100)
        return red, blue

    red, blue = red_and_blue(result)
    red_before, blue_before = red_and_blue(Image.open(images.FIXTURES / "person_yoga_fullbody.jpg").convert("RGB"))
    # Both garments are on: new red (the top) above the hips (y about 470), new blue (the trousers) below.
    assert (red & ~red_before)[:470].sum() > 5000
    assert (blue & ~blue_before)[470:].sum() > 10000
    assert alice.refresh().credits == 9


def test_model_without_a_person_fails_and_refunds(client, alice, run_queue):
    created = run_queue(client, alice, task_form(model_image=upload(images.drawn_tee())))
    status = poll(client, alice, created["task_id"])
    assert status["status"] == "FAILED"
    assert "person" in status["error"].lower()
    assert "progress" not in status and "download_signed_url" not in status
    assert status["completed_at"] >= status["created_at"]
    assert alice.refresh().credits == 10
    assert TryOnTask.objects.get(public_id=created["task_id"]).refunded


def test_charges_and_refunds_are_in_the_credit_ledger(client, alice, run_queue):
    from tryon.models import CreditEntry

    completed = run_queue(client, alice, task_form())["task_id"]
    failed = run_queue(client, alice, task_form(model_image=upload(images.drawn_tee())))["task_id"]
    entries = [
        (entry.kind, entry.change, entry.task.public_id if entry.task else None)
        for entry in CreditEntry.objects.filter(api_key=alice.key).order_by("pk")
    ]
    assert entries == [
        ("initial", 10, None),
        ("charge", -1, completed),
        ("charge", -1, failed),
        ("refund", 1, failed),
    ]
    assert sum(change for _, change, _ in entries) == alice.refresh().credits == 9


def test_running_a_finished_task_again_changes_nothing(client, alice, run_queue):
    created = run_queue(client, alice, task_form())
    task = TryOnTask.objects.get(public_id=created["task_id"])
    services.run_task(task.public_id)  # a second delivery from the broker
    again = TryOnTask.objects.get(pk=task.pk)
    assert (again.status, again.attempts, again.result_image.name) == ("COMPLETED", 1, task.result_image.name)
    assert services.fail_task(task.public_id, "late failure") is False
    assert alice.refresh().credits == 9


def test_other_keys_task_is_404(client, alice, bob, run_queue):
    created = run_queue(client, alice, task_form())
    response = client.get(f"{TASKS}/{created['task_id']}", headers=bob.headers)
    assert response.status_code == 404
    assert response.json() == {"error": {"code": 404, "message": "task not found"}}


@pytest.mark.parametrize("tamper", ["signature", "task_id", "expiry", "missing"])
def test_tampered_download_url_is_403(client, alice, run_queue, tamper):
    url = poll(client, alice, run_queue(client, alice, task_form())["task_id"])["download_signed_url"]
    parts = urlparse(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    path = parts.path
    if tamper == "signature":
        query["sig"] = query["sig"][:-2] + ("AA" if not query["sig"].endswith("AA") else "BB")
    elif tamper == "task_id":
        path = path.rsplit("/", 1)[0] + "/" + "f" * 32
    elif tamper == "expiry":
        query["exp"] = str(int(query["exp"]) + 86400)
    else:
        query.pop("sig")
    response = client.get(f"{path}?{urlencode(query)}")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == 403


def test_expired_download_url_is_403(client, alice, run_queue, settings):
    task_id = run_queue(client, alice, task_form())["task_id"]
    settings.TRYON_DOWNLOAD_URL_TTL = -1
    response = download(client, poll(client, alice, task_id)["download_signed_url"])
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "download link expired"


def test_download_links_survive_a_secret_key_rotation_through_the_fallbacks(client, alice, run_queue, settings):
    url = poll(client, alice, run_queue(client, alice, task_form())["task_id"])["download_signed_url"]
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-secret-key-after-rotation-" + "y" * 32
    settings.SECRET_KEY_FALLBACKS = [old_key]
    response = download(client, url)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "image/jpeg"
    settings.SECRET_KEY_FALLBACKS = []  # the old key retired: its links end
    assert download(client, url).status_code == 403


@pytest.mark.parametrize(
    "maker",
    [
        images.cmyk_jpeg,
        images.png_with_alpha,
        images.webp_photo,
        images.exif_rotated_jpeg,
        images.heic_photo,
        images.phone_photo_48mp,
    ],
)
def test_other_encodings_are_accepted_and_stored_clean(client, alice, maker):
    response = client.post(TASKS, task_form(model_image=upload(maker(), "model")), headers=alice.headers)
    assert response.status_code == 200, response.content
    stored = Image.open(TryOnTask.objects.get(public_id=response.json()["task_id"]).model_image.path)
    assert stored.format == "JPEG" and stored.mode == "RGB"
    assert not stored.getexif()
    if maker is images.exif_rotated_jpeg:
        assert stored.size == (722, 1024)  # the orientation was applied: upright portrait again
    if maker is images.phone_photo_48mp:
        assert stored.size == (1536, 2048)  # shrunk to the engine's working size, not refused
