"""The scheduled job (tryon.tasks.sweep) in a real qcluster: stale tasks fail, expired files go, the rest stays."""

import importlib
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone

from tests import images
from tests.processes import start_qcluster
from tests.stack import tail

pytestmark = pytest.mark.cluster


def make_task(key, status, age, *, progress_age=None, result=True, **fields):
    from tryon.models import TryOnTask

    now = timezone.now()
    task = TryOnTask(
        api_key=key.key,
        cloth_type="upper",
        status=status,
        created_at=now - age,
        credits_charged=1,
        progress=50 if status == "PROCESSING" else (100 if status == "COMPLETED" else 0),
        started_at=now - age,
        progress_updated_at=now - (progress_age if progress_age is not None else age),
        **fields,
    )
    task.model_image.save("model_image.jpg", ContentFile(images.person_photo()), save=False)
    task.cloth_image.save("cloth_image.jpg", ContentFile(images.drawn_tee()), save=False)
    if result and status == "COMPLETED":
        task.result_image.save("result.jpg", ContentFile(images.drawn_tee()), save=False)
        task.completed_at = now - age
    task.save()
    return task


def files_of(task) -> list[Path]:
    names = [task.model_image.name, task.cloth_image.name, task.result_image.name]
    return [Path(settings.MEDIA_ROOT) / name for name in names if name]


def test_scheduled_sweep(processes, make_key, tmp_path):
    from django_q.models import Schedule

    from tryon.models import TryOnTask

    # The migration's schedule (a flush between tests may have removed the row), due now.
    importlib.import_module("tryon.migrations.0002_housekeeping_schedule").add_schedule(apps, None)
    Schedule.objects.filter(name="fitroom-housekeeping").update(next_run=timezone.now() - timedelta(seconds=1))

    key = make_key("shop", credits=10)
    day = timedelta(days=1)
    stale = make_task(key, "PROCESSING", timedelta(minutes=10))  # its worker lost power 10 minutes ago
    expired = make_task(key, "COMPLETED", 40 * day)
    expired_failed = make_task(key, "FAILED", 40 * day, refunded=True)
    lookbook = make_task(key, "COMPLETED", 40 * day, moderation="approved")
    running = make_task(key, "PROCESSING", 40 * day, progress_age=timedelta(0))  # old, but still working
    recent = make_task(key, "COMPLETED", 2 * day)
    kept = [lookbook, running, recent]
    assert all(path.exists() for task in [expired, *kept] for path in files_of(task))

    log = tmp_path / "qcluster.log"
    processes.append(start_qcluster(log, TRYON_STALE_AFTER=300, TRYON_RETENTION_DAYS=30, TRYON_WORKERS=1))
    deadline = time.monotonic() + 90  # django-q2's scheduler looks for due schedules every 30 s
    while time.monotonic() < deadline and TryOnTask.objects.filter(pk=expired.pk).exists():
        time.sleep(0.5)

    assert not TryOnTask.objects.filter(pk__in=[expired.pk, expired_failed.pk]).exists(), tail(log)
    assert not any(path.exists() for path in files_of(expired))
    stale.refresh_from_db()
    assert stale.status == "FAILED" and stale.error == "The try-on task timed out"
    assert stale.refunded and key.refresh().credits == 11  # its one credit came back, once
    for task in kept:
        task.refresh_from_db()
        assert all(path.exists() for path in files_of(task)), task
    running.refresh_from_db()
    assert running.status == "PROCESSING"
