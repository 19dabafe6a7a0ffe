"""The two input-check endpoints, through real HTTP on Django's test client and the real engine."""

import pytest

from tests import images

MODEL = "/api/tryon/input_check/v1/model"
CLOTHES = "/api/tryon/input_check/v1/clothes"


def post_image(client, url, key, data: bytes, name="photo.jpg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(url, {"input_image": SimpleUploadedFile(name, data)}, headers=key.headers)


def test_frontal_person_is_good_for_upper(client, alice):
    response = post_image(client, MODEL, alice, images.person_photo())
    assert response.status_code == 200
    body = response.json()
    assert body["is_good"] is True
    assert "upper" in body["good_clothes_types"]
    assert set(body) <= {"is_good", "good_clothes_types", "error_code"}


@pytest.mark.parametrize(
    "fixture, code",
    [
        ("person_back_view_1.jpg", "400003"),
        ("people_three.jpg", "400002"),
        ("person_yoga_fullbody.jpg", "410003"),
    ],
)
def test_model_check_answers_the_documented_codes(client, alice, fixture, code):
    body = post_image(client, MODEL, alice, images.fixture_bytes(fixture)).json()
    assert body["error_code"] == code
    if code.startswith("400"):
        assert body == {"is_good": False, "error_code": code, "good_clothes_types": []}
    else:
        assert body["is_good"] is True and body["good_clothes_types"]


def test_garment_photo_has_no_person(client, alice):
    body = post_image(client, MODEL, alice, images.drawn_tee()).json()
    assert body == {"is_good": False, "error_code": "400001", "good_clothes_types": []}


def test_clothes_check_finds_a_tee(client, alice):
    response = post_image(client, CLOTHES, alice, images.drawn_tee())
    assert response.status_code == 200
    assert response.json() == {"clothes_type": "upper", "is_clothes": True}


def test_person_photo_is_not_clothes(client, alice):
    body = post_image(client, CLOTHES, alice, images.person_photo()).json()
    assert body["is_clothes"] is False
    assert body["clothes_type"] in ("upper", "lower", "full")


def test_checks_are_free(client, alice):
    post_image(client, MODEL, alice, images.person_photo())
    post_image(client, CLOTHES, alice, images.drawn_tee())
    assert alice.refresh().credits == 10


@pytest.mark.parametrize("url", [MODEL, CLOTHES])
def test_missing_input_image_is_400(client, alice, url):
    response = client.post(url, {}, headers=alice.headers)
    assert response.status_code == 400
    assert response.json() == {"error": {"code": 400, "message": "input_image is required"}}


@pytest.mark.parametrize("url", [MODEL, CLOTHES])
def test_get_on_a_check_is_405_json(client, alice, url):
    response = client.get(url, headers=alice.headers)
    assert response.status_code == 405
    assert response.json()["error"]["code"] == 405
