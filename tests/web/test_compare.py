"""Issue 13 item 12: a compare board of several try-ons, and outfits from garments already used."""

import pytest
from django.test import Client

from tests.engine import drawing
from tests.images import drawn_tee, encode, fixture_bytes
from tests.web.conftest import upload

pytestmark = pytest.mark.django_db(transaction=True)  # the in-process queue runs on commit


def try_on(client, garment: bytes, cloth_type: str):
    from tryon.models import TryOnTask

    data = {
        "model_image": upload(fixture_bytes("person_yoga_fullbody.jpg")),
        "cloth_image": upload(garment),
        "cloth_type": cloth_type,
    }
    response = client.post("/", data)
    assert response.status_code == 302, response.content.decode()[:500]
    task = TryOnTask.objects.get(public_id=response["Location"].rstrip("/").split("/")[-1])
    assert task.status == "COMPLETED", task.error  # the queue runs in-process in tests
    return task


def test_a_board_compares_garments_and_builds_an_outfit_from_them(client):
    from tryon.models import TryOnTask

    top = try_on(client, drawn_tee(), "upper")
    bottom = try_on(client, encode(drawing.trousers()), "lower")
    gallery = client.get("/gallery/").content.decode()
    assert 'form="compare-form"' in gallery and "Compare ticked" in gallery

    board = client.get(f"/compare/?t={top.public_id}&t={bottom.public_id}").content.decode()
    assert board.count('class="board-item"') == 2
    assert f"/tries/{top.public_id}/result.jpg" in board and f"/tries/{bottom.public_id}/result.jpg" in board
    assert "Make an outfit" in board and f'value="{top.public_id}:cloth"' in board
    assert Client().get(f"/compare/?t={top.public_id}").content.decode().count('class="board-item"') == 0

    response = client.post(
        "/compare/outfit/",
        {"person": top.public_id, "upper": f"{top.public_id}:cloth", "lower": f"{bottom.public_id}:cloth"},
    )
    assert response.status_code == 302
    outfit = TryOnTask.objects.get(public_id=response["Location"].rstrip("/").split("/")[-1])
    assert outfit.cloth_type == "combo" and outfit.lower_cloth_image and outfit.status == "COMPLETED"
    # Another visitor cannot borrow these photos.
    stranger = Client().post(
        "/compare/outfit/",
        {"person": top.public_id, "upper": f"{top.public_id}:cloth", "lower": f"{bottom.public_id}:cloth"},
    )
    assert stranger.status_code == 404
