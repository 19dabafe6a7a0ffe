"""cloth_type=auto: the server runs the clothes check and uses the garment's own type."""

from tests import images
from tests.api.helpers import TASKS, task_form, upload
from tests.api.test_tasks import poll, run_queue  # noqa: F401 - run_queue is a fixture
from tests.engine import drawing
from tryon.models import TryOnTask


def test_auto_uses_the_garments_type_and_says_so(client, alice, run_queue):  # noqa: F811
    created = run_queue(client, alice, task_form(cloth_type="auto"))

    assert created["cloth_type"] == "upper"
    status = poll(client, alice, created["task_id"])
    assert (status["status"], status["cloth_type"]) == ("COMPLETED", "upper")
    assert TryOnTask.objects.get(public_id=created["task_id"]).cloth_type == "upper"
    assert alice.refresh().credits == 9


def test_a_full_body_photo_takes_a_dress_as_full_set(client, alice):
    form = task_form(
        cloth_type="auto",
        model_image=upload(images.fixture_bytes("person_yoga_fullbody.jpg")),
        cloth_image=upload(images.encode(drawing.dress())),
    )
    response = client.post(TASKS, form, headers=alice.headers)

    assert response.status_code == 200, response.content
    assert response.json()["cloth_type"] == "full_set"


def test_auto_refuses_a_photo_that_is_not_clothes_and_charges_nothing(client, alice):
    form = task_form(cloth_type="auto", cloth_image=upload(images.encode(drawing.noise())))
    response = client.post(TASKS, form, headers=alice.headers)

    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("cloth_image: no single garment found")
    assert alice.refresh().credits == 10
    assert not TryOnTask.objects.exists()


def test_auto_refuses_trousers_for_a_photo_that_ends_at_the_hips(client, alice):
    form = task_form(cloth_type="auto", cloth_image=upload(images.encode(drawing.trousers())))
    response = client.post(TASKS, form, headers=alice.headers)

    assert response.status_code == 400
    message = response.json()["error"]["message"]
    assert message.startswith("cloth_image is lower clothes") and "it suits upper" in message, message
    assert alice.refresh().credits == 10


def test_auto_refuses_a_model_photo_without_a_person(client, alice):
    form = task_form(cloth_type="auto", model_image=upload(images.drawn_tee()))
    response = client.post(TASKS, form, headers=alice.headers)

    assert response.status_code == 400
    assert response.json()["error"]["message"] == "model_image: No person detected in the image"


def test_tasks_with_a_chosen_type_keep_fitrooms_shape(client, alice):
    created = client.post(TASKS, task_form(), headers=alice.headers).json()
    assert set(created) == {"task_id", "status"}
    assert "cloth_type" not in poll(client, alice, created["task_id"])
