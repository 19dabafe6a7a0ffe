"""Studio helpers: uploads as a browser sends them, and a task finished by the worker's own code."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.images import drawn_tee, person_photo


def upload(data: bytes, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def finish(task, *, status="COMPLETED", error=""):
    """Finish a queued task through the real service code: the worker's own run_task, or fail_task.

    No hand-written final state: whatever services.py does to a finished task (result, thumbnail,
    progress, refund), the web tests see.
    """
    from tryon import services

    if status == "FAILED":
        assert services.fail_task(task.public_id, error)
    else:
        services.run_task(task.public_id)  # what the queue runs; the engine renders for real
    task.refresh_from_db()
    assert task.status == status, task.error
    return task


@pytest.fixture
def start_tryon(db):
    """Start a try-on from the studio form the way a browser posts it; returns the task (queued, not run)."""
    from tryon.models import TryOnTask

    def start(client, cloth_type="upper", hd_mode=False):
        data = {"model_image": upload(person_photo()), "cloth_image": upload(drawn_tee()), "cloth_type": cloth_type}
        if hd_mode:
            data["hd_mode"] = "true"
        response = client.post("/", data)
        assert response.status_code == 302, response.content.decode()[:2000]
        public_id = response["Location"].rstrip("/").split("/")[-1]
        return TryOnTask.objects.get(public_id=public_id)

    return start
