"""Where uploads are written: before the charge's transaction, and swept when no row points at them."""

import os
import time
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage
from django.db import connection

from tests import images
from tests.api.helpers import TASKS, task_form, upload
from tryon import services
from tryon.models import TryOnTask

WRITES = []


class RecordingStorage(FileSystemStorage):
    """Django's file storage, noting whether a database transaction was open during each write."""

    def _save(self, name, content):
        WRITES.append((name, connection.in_atomic_block))
        return super()._save(name, content)


FILE_FIELDS = ("model_image", "cloth_image", "lower_cloth_image", "result_image", "result_thumbnail")


@pytest.fixture
def recording_storage():
    WRITES.clear()
    fields = [TryOnTask._meta.get_field(name) for name in FILE_FIELDS]
    originals = [field.storage for field in fields]
    for field in fields:
        field.storage = RecordingStorage()  # MEDIA_ROOT read lazily: the test's temporary one
    yield WRITES
    for field, original in zip(fields, originals, strict=True):
        field.storage = original


def test_uploads_are_written_before_the_charge_transaction(transactional_db, client, make_key, recording_storage):
    alice = make_key("alice", credits=3)
    response = client.post(TASKS, task_form(), headers=alice.headers)
    assert response.status_code == 200, response.content
    assert alice.refresh().credits == 2
    inputs = [(name, in_transaction) for name, in_transaction in recording_storage if name.startswith("inputs/")]
    assert len(inputs) == 2
    assert not any(in_transaction for _, in_transaction in inputs), inputs


def test_a_refused_charge_leaves_no_files(client, broke, settings):
    response = client.post(TASKS, task_form(), headers=broke.headers)
    assert response.status_code == 402
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.jpg"))


def test_the_sweep_deletes_old_files_no_task_points_to(client, alice, settings):
    response = client.post(TASKS, task_form(), headers=alice.headers)
    task = TryOnTask.objects.get(public_id=response.json()["task_id"])
    media = Path(settings.MEDIA_ROOT)
    kept = [media / task.model_image.name, media / task.cloth_image.name]
    orphan = media / "inputs/2026/01/02/deadbeef-0000-model_image.jpg"
    orphan_result = media / "results/2026/01/02/deadbeef-0000-result.jpg"
    fresh_orphan = media / "inputs/2026/01/02/cafe-0000-model_image.jpg"
    for path in (orphan, orphan_result, fresh_orphan):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(images.drawn_tee())
    hours_ago = time.time() - 2 * 3600
    for path in (*kept, orphan, orphan_result):
        os.utime(path, (hours_ago, hours_ago))

    assert services.delete_orphan_files() == 2
    assert not orphan.exists() and not orphan_result.exists()
    assert fresh_orphan.exists()  # may belong to a request still inserting its row
    assert all(path.exists() for path in kept)


def test_a_clean_jpeg_is_stored_as_it_came_and_one_with_metadata_is_cleaned(client, alice):
    clean = images.person_photo()  # a JPEG with nothing but its pixels
    tagged = images.exif_rotated_jpeg()  # the same person, with an EXIF block
    response = client.post(
        TASKS, task_form(model_image=upload(clean), cloth_image=upload(tagged)), headers=alice.headers
    )
    assert response.status_code == 200, response.content
    task = TryOnTask.objects.get(public_id=response.json()["task_id"])
    assert Path(task.model_image.path).read_bytes() == clean
    stored = Path(task.cloth_image.path).read_bytes()
    assert stored != tagged and b"Exif" not in stored
