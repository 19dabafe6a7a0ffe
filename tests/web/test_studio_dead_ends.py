"""Issue 13 (items 1-9) and 16.5: no dead ends, no lost work, plain words, one upload per photo."""

import re

import pytest
from django.test import Client

from tests.images import drawn_tee, encode, fixture_bytes, person_photo, text_named_jpg
from tests.stack import free_port
from tests.web.conftest import upload

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def ref_of(html: str, slot: str) -> str:
    match = re.search(rf'name="{slot}_upload" value="([^"]*)"', html)
    assert match, html[:2000]
    return match.group(1)


def check_model(client, data: bytes, **extra) -> str:
    return client.post("/studio/check/model/", {"input_image": upload(data), **extra}, **HTMX).content.decode()


def check_clothes(client, data: bytes, **extra) -> str:
    fields = {"input_image": upload(data), "slot": "cloth", **extra}
    return client.post("/studio/check/clothes/", fields, **HTMX).content.decode()


def test_a_chest_up_photo_that_suits_nothing_is_a_dead_end_said_plainly(client):
    html = check_model(client, fixture_bytes("person_astronaut_bust.jpg"))
    assert "This photo shows too little of the person to dress." in html
    assert "suits ." not in html and "It suits" not in html
    assert re.search(r'<button type="submit" class="button primary" disabled', html)  # Try on waits
    assert "data-blocks-tryon" in html
    assert ref_of(html, "model") == ""  # nothing stored to try on


def test_a_person_photo_as_the_garment_stops_the_try_on(client):
    html = check_clothes(client, person_photo(), cloth_type="upper")
    assert "single garment on a plain background" in html and "data-blocks-tryon" in html
    assert ref_of(html, "cloth") == ""
    # Without JavaScript too: the server refuses instead of pasting a face on a torso.
    data = {"model_image": upload(person_photo()), "cloth_image": upload(person_photo()), "cloth_type": "upper"}
    response = client.post("/", data)
    assert response.status_code == 400
    assert "The garment photo: This doesn" in response.content.decode()
    from tryon.models import TryOnTask

    assert not TryOnTask.objects.exists()


def test_a_blank_garment_is_refused_before_it_can_fail(client):
    from PIL import Image

    blank = encode(Image.new("RGB", (600, 800), "white"))
    data = {"model_image": upload(person_photo()), "cloth_image": upload(blank), "cloth_type": "upper"}
    response = client.post("/", data, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html  # the explanation only, the page stays
    assert "single garment" in html and "no garment found" not in html


def test_a_choice_made_by_hand_is_not_overridden_by_the_detector(client):
    check_model(client, fixture_bytes("person_yoga_fullbody.jpg"))
    html = check_clothes(client, drawn_tee(), cloth_type="lower", cloth_type_chosen="1")
    assert "you chose “Bottom”, so we keep it" in html
    assert "cloth-type-picker" not in html  # the picker is left alone
    # Untouched (the default), the detector may still pre-select.
    html = check_clothes(client, drawn_tee(), cloth_type="lower")
    assert re.search(r'value="upper" checked', html)


def test_an_unreadable_person_photo_clears_the_old_types(client):
    good = check_model(client, fixture_bytes("person_yoga_fullbody.jpg"))
    assert ref_of(good, "model")
    html = check_model(client, text_named_jpg())
    assert "open this kind of file" in html
    assert 'id="cloth-type-picker"' in html and 'name="cloth_type"' not in html  # old types gone
    assert re.search(r'<button type="submit" class="button primary" disabled', html)
    assert ref_of(html, "model") == ""


def test_the_try_on_reuses_the_stored_uploads_without_the_files(client):
    model_ref = ref_of(check_model(client, person_photo()), "model")
    cloth_ref = ref_of(check_clothes(client, drawn_tee(), cloth_type="upper"), "cloth")
    assert model_ref and cloth_ref
    response = client.post("/", {"model_upload": model_ref, "cloth_upload": cloth_ref, "cloth_type": "upper"}, **HTMX)
    assert response.status_code == 200 and response["HX-Redirect"].startswith("/tries/")
    from tryon.models import TryOnTask

    task = TryOnTask.objects.get()
    assert task.model_image and task.cloth_image and task.cloth_type == "upper"


def test_another_visitor_cannot_use_my_stored_upload(client):
    model_ref = ref_of(check_model(client, person_photo()), "model")
    cloth_ref = ref_of(check_clothes(client, drawn_tee(), cloth_type="upper"), "cloth")
    stranger = Client()
    stranger.get("/")
    response = stranger.post("/", {"model_upload": model_ref, "cloth_upload": cloth_ref, "cloth_type": "upper"})
    assert response.status_code == 400
    assert "expired" in response.content.decode()
    from tryon.models import TryOnTask

    assert not TryOnTask.objects.exists()


def test_a_backend_outage_is_explained_and_keeps_the_photos(client, settings):
    """Issue 16.5: the remote engine is down (a closed port): plain words, not a 500."""
    settings.TRYON_BACKEND = "remote"
    settings.TRYON_REMOTE_URL = f"http://127.0.0.1:{free_port()}"
    settings.TRYON_REMOTE_API_KEY = "unused"
    for url, extra in (("/studio/check/model/", {}), ("/studio/check/clothes/", {"slot": "cloth"})):
        response = client.post(url, {"input_image": upload(person_photo()), **extra}, **HTMX)
        html = response.content.decode()
        assert response.status_code == 200, url  # htmx swaps it in; the chosen files stay in the form
        assert "Our try-on service is taking a break." in html and "Your photos are kept" in html
        assert "data-blocks-tryon" in html
        without_htmx = client.post(url, {"input_image": upload(person_photo()), **extra})
        assert without_htmx.status_code == 503
    data = {"model_image": upload(person_photo()), "cloth_image": upload(drawn_tee()), "cloth_type": "upper"}
    response = client.post("/", data, **HTMX)
    assert response.status_code == 200 and "taking a break" in response.content.decode()


def test_hd_says_what_it_does_for_this_photo(client):
    from PIL import Image

    small = Image.open(__import__("io").BytesIO(person_photo())).convert("RGB").resize((768, 1024))
    html = check_model(client, encode(small))
    assert "HD would give the same size picture" in html
    assert re.search(r'id="id_hd_mode"[^>]*disabled', html)
    big = small.resize((1536, 2048))
    html = check_model(client, encode(big))
    assert "a 1536×2048 picture instead of 768×1024" in html
    assert not re.search(r'id="id_hd_mode"[^>]*disabled', html)


def test_a_raised_arm_warning_is_never_called_a_photo_that_works(client):
    html = check_model(client, fixture_bytes("person_yoga_fullbody.jpg"))  # 410003 from the engine
    assert "This pose may not render well." in html and "This photo works" not in html
    assert "check-warning" in html


@pytest.mark.parametrize(
    ("problem", "words"),
    [
        ("too_large", "This photo is too big to upload."),
        ("pixels", "This photo is too big for us to open."),
    ],
)
def test_size_limits_are_told_without_numbers(client, settings, problem, words):
    if problem == "too_large":
        settings.TRYON_MAX_UPLOAD_BYTES = 10_000
    else:
        settings.TRYON_MAX_IMAGE_PIXELS = 100_000
    html = check_model(client, person_photo())
    assert words in html
    assert "megapixel" not in html and "input_image" not in html and "MB" not in html


def test_try_another_garment_on_the_same_person_without_uploading_again(client, start_tryon):
    """Item 11: the task page links back to the studio with the person already checked and stored."""
    from tryon.models import TryOnTask

    first = start_tryon(client)
    first.refresh_from_db()
    page = client.get(f"/tries/{first.public_id}/").content.decode()
    assert f'href="/?person={first.public_id}"' in page and "Try another garment on this person" in page
    html = client.get(f"/?person={first.public_id}").content.decode()
    assert "This photo works" in html
    assert f'src="/tries/{first.public_id}/model.jpg"' in html
    model_ref = ref_of(html, "model")
    assert model_ref
    response = client.post(
        "/", {"model_upload": model_ref, "cloth_image": upload(drawn_tee((20, 60, 200))), "cloth_type": "upper"}
    )
    assert response.status_code == 302
    second = TryOnTask.objects.exclude(pk=first.pk).get()
    assert second.model_image.name != first.model_image.name and second.model_image.size > 0
    assert Client().get(f"/?person={first.public_id}").status_code == 404  # only the owner's people


def test_a_signed_in_stylist_swapping_garments_is_limited_by_try_ons_not_checks(
    client, settings, django_user_model, fresh_window
):
    """Item 15: live checks of a signed-in stylist don't count; try-ons still do."""
    settings.TRYON_STUDIO_RATE_LIMIT_PER_MINUTE = 2
    client.force_login(django_user_model.objects.create_user("sasha", password="pw-sasha-123"))
    for _ in range(4):
        assert "a lot of tries" not in check_clothes(client, drawn_tee(), cloth_type="upper")
    assert [client.post("/", {}).status_code for _ in range(3)] == [400, 400, 429]  # try-ons count
    # An anonymous visitor's checks still count.
    anonymous = Client()
    answers = [check_clothes(anonymous, drawn_tee(), cloth_type="upper") for _ in range(3)]
    assert "a lot of tries" in answers[-1]


def test_a_stylist_keeps_people_in_my_models_and_dresses_them_again(client, django_user_model):
    """Item 11: saved person photos for signed-in stylists, private to them."""
    from tryon.models import SavedPerson, TryOnTask

    client.force_login(django_user_model.objects.create_user("sasha", password="pw-sasha-123"))
    checked = check_model(client, person_photo())
    assert "Save to My models" in checked
    html = client.post("/studio/people/", {"model_upload": ref_of(checked, "model")}, **HTMX).content.decode()
    assert "Saved to My models." in html
    person = SavedPerson.objects.get()
    assert f"/studio/people/{person.pk}.jpg" in client.get("/").content.decode()
    studio = client.get(f"/?saved={person.pk}").content.decode()
    assert "This photo works" in studio and f'src="/studio/people/{person.pk}.jpg"' in studio
    assert "Save to My models" not in studio  # it is saved already
    response = client.post(
        "/", {"model_upload": ref_of(studio, "model"), "cloth_image": upload(drawn_tee()), "cloth_type": "upper"}
    )
    assert response.status_code == 302 and TryOnTask.objects.count() == 1
    # Nobody else sees or uses it; a forged reference is refused.
    other = Client()
    other.force_login(django_user_model.objects.create_user("olga", password="pw-olga-12345"))
    assert other.get(f"/studio/people/{person.pk}.jpg").status_code == 404
    assert "This photo works" not in other.get(f"/?saved={person.pk}").content.decode()
    assert other.post(f"/studio/people/{person.pk}/delete/").status_code == 404
    assert "Choose the photo again" in other.post("/studio/people/", {"model_upload": "forged"}).content.decode()
    assert Client().post("/studio/people/", {"model_upload": "x"}).status_code == 404  # signed-in only
    client.post(f"/studio/people/{person.pk}/delete/", **HTMX)
    assert not SavedPerson.objects.exists()


def test_stored_uploads_nobody_tried_on_are_swept_after_a_day(client):
    import os
    import time

    from django.core.files.storage import default_storage

    from tryon import tasks

    ref_of(check_model(client, person_photo()), "model")
    ref_of(check_clothes(client, drawn_tee(), cloth_type="upper"), "cloth")
    stored = []
    for year in default_storage.listdir("studio-uploads")[0]:
        for month in default_storage.listdir(f"studio-uploads/{year}")[0]:
            for day in default_storage.listdir(f"studio-uploads/{year}/{month}")[0]:
                folder = f"studio-uploads/{year}/{month}/{day}"
                stored += [f"{folder}/{name}" for name in default_storage.listdir(folder)[1]]
    assert len(stored) == 2
    old = time.time() - 2 * 24 * 3600
    os.utime(default_storage.path(stored[0]), (old, old))
    tasks.sweep()
    assert not default_storage.exists(stored[0]) and default_storage.exists(stored[1])
