"""The studio, step by step, through Django's test client."""

import re
from pathlib import Path

import pytest
from django.test import Client

from tests.engine import drawing
from tests.images import drawn_tee, encode, fixture_bytes, person_photo, text_named_jpg
from tests.web.conftest import finish, upload

pytestmark = pytest.mark.django_db


def picker_values(html: str) -> list[str]:
    return re.findall(r'name="cloth_type"[^>]*value="([a-z_]+)"', html)


def test_studio_page_offers_the_three_steps(client):
    html = client.get("/").content.decode()
    assert 'name="model_image"' in html and 'name="cloth_image"' in html and 'name="hd_mode"' in html
    assert 'hx-post="/studio/check/model/"' in html
    assert 'hx-headers=\'{"X-CSRFToken": "' in html
    assert "/static/django_htmx/htmx-2" in html  # htmx is served locally, no CDN
    assert "takes about twice as long" in html  # the HD switch states the trade-off


def test_the_sample_photos_the_studio_offers_pass_their_checks(client):
    """A first-time visitor without photos of their own gets a pair that works end to end."""
    from django.contrib.staticfiles import finders

    html = client.get("/").content.decode()
    samples = re.findall(r'href="/static/(tryon/samples/[a-z]+\.jpg)" download', html)
    assert samples == ["tryon/samples/person.jpg", "tryon/samples/tshirt.jpg"]
    person, tshirt = (Path(finders.find(path)).read_bytes() for path in samples)
    model_check = client.post("/studio/check/model/", {"input_image": upload(person)}).content.decode()
    assert "This photo works" in model_check
    clothes_check = client.post(
        "/studio/check/clothes/", {"input_image": upload(tshirt), "cloth_type": "upper", "slot": "cloth"}
    ).content.decode()
    assert 'class="check check-good"' in clothes_check


def test_a_good_photo_offers_the_types_it_suits(client):
    response = client.post("/studio/check/model/", {"input_image": upload(person_photo())}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "This photo works" in html
    assert picker_values(html) == ["upper"]  # head-to-hips photo: only tops
    assert 'id="cloth-type-picker" class="picker" hx-swap-oob="true"' in html
    assert "<rect" in html and "<line" in html  # the person drawn over the preview


def test_a_back_view_stops_the_flow_with_friendly_words(client):
    html = client.post("/studio/check/model/", {"input_image": upload(fixture_bytes("person_back_view_1.jpg"))}).content
    html = html.decode()
    assert "We can only dress people facing the camera." in html
    assert "Try a photo taken from the front." in html
    assert "Choose another photo" in html
    assert picker_values(html) == []
    assert re.search(r'<button type="submit" class="button primary" disabled', html)


def test_a_yoga_pose_is_a_warning_and_offers_combo(client):
    html = client.post("/studio/check/model/", {"input_image": upload(fixture_bytes("person_yoga_fullbody.jpg"))})
    html = html.content.decode()
    assert "This pose may not render well." in html
    assert "arms down by their sides" in html
    assert "check-warning" in html
    assert picker_values(html) == ["upper", "lower", "full_set", "combo"]


def test_a_new_photo_keeps_the_chosen_type_when_it_still_suits(client):
    photo = fixture_bytes("person_yoga_fullbody.jpg")
    html = client.post("/studio/check/model/", {"input_image": upload(photo), "cloth_type": "lower"}).content.decode()
    assert re.search(r'value="lower" checked', html)
    html = client.post("/studio/check/model/", {"input_image": upload(person_photo()), "cloth_type": "lower"})
    assert re.search(r'value="upper" checked', html.content.decode())  # the only type left


def test_a_file_that_is_not_an_image_is_explained(client):
    response = client.post("/studio/check/model/", {"input_image": upload(text_named_jpg())})
    assert response.status_code == 400
    assert "open this kind of file." in response.content.decode()
    response = client.post("/studio/check/model/", {"input_image": upload(text_named_jpg())}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200  # htmx swaps only 2xx answers


def test_a_garment_preselects_its_type(client):
    client.post("/studio/check/model/", {"input_image": upload(fixture_bytes("person_yoga_fullbody.jpg"))})
    html = client.post(
        "/studio/check/clothes/", {"input_image": upload(drawn_tee()), "cloth_type": "upper", "slot": "cloth"}
    ).content.decode()
    assert "Looks like a top." in html
    assert re.search(r'value="upper" checked', html)


def test_a_garment_of_another_type_switches_the_picker_and_says_so(client):
    client.post("/studio/check/model/", {"input_image": upload(fixture_bytes("person_yoga_fullbody.jpg"))})
    html = client.post(
        "/studio/check/clothes/", {"input_image": upload(drawn_tee()), "cloth_type": "lower", "slot": "cloth"}
    ).content.decode()
    assert "This looks like a top, not bottom." in html
    assert "We switched the choice above to “Top”" in html
    assert re.search(r'value="upper" checked', html)


def test_a_dress_while_top_is_chosen_switches_to_full_outfit(client):
    client.post("/studio/check/model/", {"input_image": upload(fixture_bytes("person_yoga_fullbody.jpg"))})
    html = client.post(
        "/studio/check/clothes/", {"input_image": upload(encode(drawing.dress())), "cloth_type": "upper"}
    ).content.decode()
    assert "This looks like a full outfit (like a dress), not top." in html
    assert re.search(r'value="full_set" checked', html)


def test_a_dress_for_a_head_to_hips_photo_is_explained(client):
    client.post("/studio/check/model/", {"input_image": upload(person_photo())})
    html = client.post(
        "/studio/check/clothes/", {"input_image": upload(encode(drawing.dress())), "cloth_type": "upper"}
    ).content.decode()
    assert "which this person photo can" in html and "This photo suits top." in html
    assert "cloth-type-picker" not in html  # the choice stays as it was


def test_combo_takes_trousers_second(client):
    html = client.post(
        "/studio/check/clothes/",
        {"input_image": upload(encode(drawing.trousers())), "cloth_type": "combo", "slot": "lower_cloth"},
    ).content.decode()
    assert "Looks like a bottom." in html


def test_combo_wants_a_bottom_second(client):
    html = client.post(
        "/studio/check/clothes/", {"input_image": upload(drawn_tee()), "cloth_type": "combo", "slot": "lower_cloth"}
    ).content.decode()
    assert "This looks like a top, but here we need a bottom." in html
    assert "cloth-type-picker" not in html  # the combo choice stays


def test_a_photo_of_a_person_is_not_a_garment(client):
    html = client.post("/studio/check/clothes/", {"input_image": upload(person_photo()), "slot": "cloth"})
    assert "single garment on a plain background" in html.content.decode()


def test_try_on_queues_a_task_and_the_partial_polls_while_it_runs(client, start_tryon):
    task = start_tryon(client, hd_mode=True)
    assert task.status == "CREATED" and task.hd_mode and task.cloth_type == "upper"
    assert task.session_key and task.user is None and task.api_key is None

    page = client.get(f"/tries/{task.public_id}/").content.decode()
    assert "<h1>Your try-on</h1>" in page and "<progress" in page
    partial = client.get(f"/tries/{task.public_id}/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial
    assert 'hx-trigger="load delay:100ms"' in partial and "Waiting in the queue" in partial  # young: fast polling

    finish(task)
    partial = client.get(f"/tries/{task.public_id}/", HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in partial and "hx-get" not in partial  # polling stops by itself
    assert "Your try-on is ready" in partial
    assert f"/tries/{task.public_id}/model.jpg" in partial and f"/tries/{task.public_id}/result.jpg" in partial
    download = client.get(f"/tries/{task.public_id}/result.jpg?download=1")
    assert download.status_code == 200 and download["Content-Type"] == "image/jpeg"
    assert "attachment" in download["Content-Disposition"]
    assert b"".join(download.streaming_content).startswith(b"\xff\xd8")


def test_progress_shows_the_stage_and_percentage(client, start_tryon):
    from tryon.models import TryOnTask

    task = start_tryon(client)
    TryOnTask.objects.filter(pk=task.pk).update(status="PROCESSING", progress=42, stage="load")
    partial = client.get(f"/tries/{task.public_id}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'value="42"' in partial and "Loading your photos" in partial and "42%" in partial
    assert 'hx-trigger="load delay:' in partial


def test_a_try_on_seen_compositing_is_polled_when_its_render_should_end_then_often(client, start_tryon):
    from datetime import timedelta

    from django.utils import timezone

    from tryon.models import TryOnTask

    def poll_delay_ms(**state):
        TryOnTask.objects.filter(pk=task.pk).update(status="PROCESSING", **state)
        partial = client.get(f"/tries/{task.public_id}/", HTTP_HX_REQUEST="true").content.decode()
        return int(re.search(r'hx-trigger="load delay:(\d+)ms"', partial)[1])

    task = start_tryon(client)
    now = timezone.now()
    assert poll_delay_ms(progress=25, stage="analyse_garment", started_at=now) == 100
    # Compositing began 0.3 s into the render, 0.1 s ago: it takes about twice that long again.
    now = timezone.now()
    started, compositing = now - timedelta(seconds=0.4), now - timedelta(seconds=0.1)
    delay = poll_delay_ms(progress=73, stage="composite", started_at=started, progress_updated_at=compositing)
    assert 150 <= delay <= 350
    # Past that, and while the result is encoded and saved, the next poll is the one that sees it.
    started, compositing = now - timedelta(seconds=1.3), now - timedelta(seconds=1.0)
    assert poll_delay_ms(progress=73, stage="composite", started_at=started, progress_updated_at=compositing) == 50
    assert poll_delay_ms(progress=93, stage="encode") == 50


@pytest.mark.django_db(transaction=True)
def test_a_poll_as_the_render_ends_waits_for_the_result_on_the_server(client, start_tryon):
    """Polled every 50 ms as a young try-on's render ends, the page saw the result half a poll's
    delay after it was saved, on average, on top of the request's own time: 40-70 ms a try-on that
    a shopper waited beyond the render. Such a poll now waits on the server (reads only) and answers
    as the task finishes. Here the task fails 0.15 s into the poll: the poll answers with that."""
    import threading
    import time

    from django.db import connection

    from tryon import services
    from tryon.models import TryOnTask

    task = start_tryon(client)
    TryOnTask.objects.filter(pk=task.pk).update(status="PROCESSING", progress=93, stage="encode")

    def worker_fails_it():
        time.sleep(0.15)
        try:
            assert services.fail_task(task.public_id, "The try-on task timed out")
        finally:
            connection.close()

    worker = threading.Thread(target=worker_fails_it)
    started = time.monotonic()
    worker.start()
    partial = client.get(f"/tries/{task.public_id}/", HTTP_HX_REQUEST="true").content.decode()
    waited = time.monotonic() - started
    worker.join()
    # Before: the encode stage's progress bar, at once, and its next poll in 50 ms.
    assert "This try-on took too long." in partial and "hx-trigger" not in partial
    assert 0.15 <= waited < 0.3 + 0.2
    # A try-on whose render is far from its end is answered at once.
    task = start_tryon(client)
    TryOnTask.objects.filter(pk=task.pk).update(status="PROCESSING", progress=25, stage="analyse_garment")
    started = time.monotonic()
    partial = client.get(f"/tries/{task.public_id}/", HTTP_HX_REQUEST="true").content.decode()
    assert time.monotonic() - started < 0.1 and 'hx-trigger="load delay:100ms"' in partial


def test_a_failed_try_on_shows_the_error_and_retries_with_the_stored_photos(client, start_tryon):
    task = finish(start_tryon(client, cloth_type="upper"), status="FAILED", error="The try-on task timed out")
    html = client.get(f"/tries/{task.public_id}/").content.decode()
    assert "This try-on took too long." in html and "Retry" in html and "hx-trigger" not in html

    response = client.post(f"/tries/{task.public_id}/retry/")
    assert response.status_code == 302
    new_id = response["Location"].rstrip("/").split("/")[-1]
    assert new_id != task.public_id
    from tryon.models import TryOnTask

    retried = TryOnTask.objects.get(public_id=new_id)
    assert retried.status == "CREATED" and retried.session_key == task.session_key
    assert retried.model_image and retried.cloth_image


def test_another_browsers_task_is_404(client, start_tryon):
    task = finish(start_tryon(client))
    stranger = Client()
    for url in (
        f"/tries/{task.public_id}/",
        f"/tries/{task.public_id}/result.jpg",
        f"/tries/{task.public_id}/model.jpg",
        f"/tries/{task.public_id}/thumbnail.jpg",
    ):
        assert stranger.get(url).status_code == 404, url
        assert client.get(url).status_code == 200, url
    assert stranger.post(f"/tries/{task.public_id}/delete/").status_code == 404
    assert stranger.post(f"/tries/{task.public_id}/retry/").status_code == 404


def test_without_javascript_the_form_still_runs_the_model_check(client):
    data = {
        "model_image": upload(fixture_bytes("person_back_view_1.jpg")),
        "cloth_image": upload(drawn_tee()),
        "cloth_type": "upper",
    }
    response = client.post("/", data)
    assert response.status_code == 400
    assert "We can only dress people facing the camera." in response.content.decode()


def test_without_javascript_a_type_the_photo_cannot_wear_is_refused(client):
    data = {"model_image": upload(person_photo()), "cloth_image": upload(drawn_tee()), "cloth_type": "lower"}
    response = client.post("/", data)
    assert response.status_code == 400
    assert "This person photo suits top only." in response.content.decode()


def test_a_missing_garment_is_reported(client):
    response = client.post("/", {"model_image": upload(person_photo()), "cloth_type": "upper"})
    assert response.status_code == 400
    assert "Choose the garment photo." in response.content.decode()
    assert "cloth_image" not in response.content.decode().split("<form")[0]  # no field names in the words


def test_csrf_is_enforced_on_the_studio_forms(db):
    browser = Client(enforce_csrf_checks=True)
    assert browser.post("/studio/check/model/", {"input_image": upload(person_photo())}).status_code == 403
    data = {"model_image": upload(person_photo()), "cloth_image": upload(drawn_tee()), "cloth_type": "upper"}
    assert browser.post("/", data).status_code == 403

    html = browser.get("/").content.decode()
    token = browser.cookies["csrftoken"].value
    assert "X-CSRFToken" in html
    response = browser.post(
        "/studio/check/model/", {"input_image": upload(person_photo())}, HTTP_X_CSRFTOKEN=token, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200


def test_a_signed_in_user_keeps_the_try_ons_made_before(client, start_tryon, django_user_model):
    task = start_tryon(client)
    django_user_model.objects.create_user("sam", password="pw-sam-12345")
    response = client.post("/accounts/login/", {"username": "sam", "password": "pw-sam-12345"})
    assert response.status_code == 302
    assert task.public_id in client.get("/gallery/").content.decode()
    task.refresh_from_db()
    assert task.user.username == "sam"

    other = Client()
    other.login(username="sam", password="pw-sam-12345")
    assert other.get(f"/tries/{task.public_id}/").status_code == 200  # history follows the account


def test_login_page_renders(client):
    html = client.get("/accounts/login/").content.decode()
    assert '<label for="id_username">Username</label>' in html


def test_a_visitor_over_the_studio_limit_is_asked_to_wait(client, settings, fresh_window):
    """The studio needs no key, so its posts are limited per visitor; over it, plain words and a 429."""
    settings.TRYON_STUDIO_RATE_LIMIT_PER_MINUTE = 2
    for _ in range(2):
        response = client.post("/studio/check/model/", {"input_image": upload(person_photo())}, HTTP_HX_REQUEST="true")
        assert "This photo works" in response.content.decode()
    live = client.post("/studio/check/model/", {"input_image": upload(person_photo())}, HTTP_HX_REQUEST="true")
    assert live.status_code == 200  # htmx swaps only 2xx answers: the explanation is the point
    assert "a lot of tries in one minute" in live.content.decode()
    assert int(live["Retry-After"]) >= 1
    page = client.post("/", {"model_image": upload(person_photo()), "cloth_image": upload(drawn_tee())})
    assert page.status_code == 429
    assert "Please wait a moment" in page.content.decode()
    # Another address is another visitor.
    other = Client(REMOTE_ADDR="192.0.2.7").post("/studio/check/model/", {"input_image": upload(person_photo())})
    assert "This photo works" in other.content.decode()


def test_behind_a_proxy_the_forwarded_address_is_the_visitor(client, settings, fresh_window):
    settings.TRYON_STUDIO_RATE_LIMIT_PER_MINUTE = 1
    settings.TRYON_PROXY_COUNT = 1

    def check(forwarded_for):
        data = {"input_image": upload(encode(drawing.tee()))}
        return client.post("/studio/check/clothes/", data, HTTP_X_FORWARDED_FOR=forwarded_for).content.decode()

    assert "a lot of tries" not in check("198.51.100.1")
    assert "a lot of tries" in check("198.51.100.1")
    # A forged left-hand entry doesn't make a new visitor: the proxy's own entry is the last one.
    assert "a lot of tries" in check("203.0.113.9, 198.51.100.1")
    assert "a lot of tries" not in check("198.51.100.2")
