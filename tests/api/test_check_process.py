"""The photo checks run in the check process (``manage.py runchecker``), never in a web process."""

from pathlib import Path

import httpx
import pytest

from tests import images
from tests.api.helpers import task_form, upload
from tests.processes import stop
from tests.stack import free_port, start_gunicorn, tail

MODEL_CHECK = "/api/tryon/input_check/v1/model"
CLOTHES_CHECK = "/api/tryon/input_check/v1/clothes"
UNAVAILABLE = "The try-on engine is unavailable. Please try again later."


def children(pid: int) -> list[int]:
    return [
        int(child) for task in Path(f"/proc/{pid}/task").iterdir() for child in (task / "children").read_text().split()
    ]


@pytest.mark.cluster
def test_a_web_process_answers_checks_without_loading_the_engine(transactional_db, make_key, tmp_path):
    key = make_key("checker", credits=0)
    port, log = free_port(), tmp_path / "gunicorn.log"
    web = start_gunicorn(log, port, workers=1)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=key.headers, timeout=60) as api:
            model = api.post(MODEL_CHECK, files={"input_image": ("p.jpg", images.person_photo())})
            clothes = api.post(CLOTHES_CHECK, files={"input_image": ("t.jpg", images.drawn_tee())})
            back_view = api.post(
                MODEL_CHECK, files={"input_image": ("b.jpg", images.fixture_bytes("person_back_view_1.jpg"))}
            )
        assert model.status_code == 200, tail(log)
        assert model.json()["is_good"] is True and "upper" in model.json()["good_clothes_types"]
        assert clothes.json() == {"clothes_type": "upper", "is_clothes": True}
        assert back_view.json() == {"is_good": False, "error_code": "400003", "good_clothes_types": []}
        (worker,) = children(web.pid)
        mapped = Path(f"/proc/{worker}/maps").read_text()
        assert "mediapipe" not in mapped and "cv2" not in mapped
    finally:
        stop(web)


def test_the_check_process_down_is_the_documented_503(client, alice, settings, tmp_path):
    settings.TRYON_CHECKER_SOCKET = str(tmp_path / "nobody-listens.sock")
    for url, data in ((MODEL_CHECK, images.person_photo()), (CLOTHES_CHECK, images.drawn_tee())):
        response = client.post(url, {"input_image": upload(data)}, headers=alice.headers)
        assert response.status_code == 503, url
        assert response.json()["error"]["message"] == UNAVAILABLE
    response = client.post("/api/tryon/v2/tasks", task_form(cloth_type="auto"), headers=alice.headers)
    assert response.status_code == 503 and response.json()["error"]["message"] == UNAVAILABLE
    assert alice.refresh().credits == 10  # nothing charged


def test_the_check_process_down_keeps_the_studio_in_plain_words(db, client, settings, tmp_path):
    settings.TRYON_CHECKER_SOCKET = str(tmp_path / "nobody-listens.sock")
    response = client.post(
        "/studio/check/model/", {"input_image": upload(images.person_photo())}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200  # htmx swaps the explanation in; the chosen photo stays
    assert "Our try-on service is taking a break." in response.content.decode()
