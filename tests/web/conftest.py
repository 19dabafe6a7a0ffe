"""Studio helpers: uploads as a browser sends them, and a task finished the way the worker leaves it."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from tests.images import drawn_tee, encode, person_photo


def upload(data: bytes, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def finish(task, *, status="COMPLETED", error=""):
    """Leave a task as a worker would: COMPLETED with a result and a thumbnail, or FAILED with an error."""
    from tryon.models import TryOnTask

    if status == "FAILED":
        TryOnTask.objects.filter(pk=task.pk).update(status=status, error=error, completed_at=timezone.now())
    else:
        result = Image.open(io.BytesIO(person_photo())).convert("RGB")
        task.result_image.save("result.jpg", ContentFile(encode(result)), save=False)
        result.thumbnail((360, 360))
        task.result_thumbnail.save("thumb.jpg", ContentFile(encode(result)), save=False)
        TryOnTask.objects.filter(pk=task.pk).update(
            status=status,
            progress=100,
            stage="done",
            result_image=task.result_image.name,
            result_thumbnail=task.result_thumbnail.name,
            completed_at=timezone.now(),
        )
    task.refresh_from_db()
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
