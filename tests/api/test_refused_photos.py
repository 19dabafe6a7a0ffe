"""One verdict on a photo: a task on a photo the checks refuse ends FAILED with the code and is refunded.

Through the real API (a live server) and a real worker (qcluster), with the refused fixtures.
"""

import time

import httpx
import pytest

from tests import images

pytestmark = pytest.mark.cluster

REFUSED_MODELS = {
    "back view": (images.fixture_bytes("person_back_view_1.jpg"), "400003"),
    "three people": (images.fixture_bytes("people_three.jpg"), "400002"),
    "empty room": (images.empty_room(), "400001"),
}


def wait_for(api, task_id, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = api.get(f"/api/tryon/v2/tasks/{task_id}").json()
        if status["status"] in ("COMPLETED", "FAILED"):
            return status
        time.sleep(0.2)
    raise AssertionError(f"task {task_id} did not finish: {status}")


def test_tasks_on_refused_photos_fail_with_the_checks_code_and_are_refunded(live_server, qcluster, make_key):
    key = make_key("stylist", credits=5)
    api = httpx.Client(base_url=live_server.url, headers=key.headers, timeout=60)
    tee = ("cloth.jpg", images.drawn_tee())

    created = {}
    for name, (photo, code) in REFUSED_MODELS.items():
        check = api.post("/api/tryon/input_check/v1/model", files={"input_image": ("model.jpg", photo)}).json()
        assert (check["is_good"], check["error_code"]) == (False, code), (name, check)
        response = api.post(
            "/api/tryon/v2/tasks",
            files={"model_image": ("model.jpg", photo), "cloth_image": tee},
            data={"cloth_type": "upper"},
        )
        assert response.status_code == 200, response.text
        created[name] = response.json()["task_id"]
    not_clothes = []
    for _ in range(2):  # the same photo twice: the (one) worker's second verdict is the one it remembers
        response = api.post(
            "/api/tryon/v2/tasks",
            files={
                "model_image": ("model.jpg", images.person_photo()),
                "cloth_image": ("cloth.jpg", images.person_photo()),
            },
            data={"cloth_type": "upper"},
        )
        assert response.status_code == 200, response.text
        not_clothes.append(response.json()["task_id"])
    assert key.refresh().credits == 0  # all five charged at creation

    for name, task_id in created.items():
        status = wait_for(api, task_id)
        assert status["status"] == "FAILED", (name, status)
        assert status["error"].startswith(REFUSED_MODELS[name][1] + ": "), (name, status)
    for task_id in not_clothes:
        status = wait_for(api, task_id)
        assert status["status"] == "FAILED", status
        assert status["error"] == "cloth_image: the photo does not show a garment that can be tried on"
    assert key.refresh().credits == 5  # every one refunded
