"""What a key's use writes: last_used_at at most once a minute, not on every request."""

from datetime import timedelta

from django.utils import timezone

from tryon.models import ApiKey

TASK_STATUS = "/api/tryon/v2/tasks/" + "0" * 32


def test_last_used_at_is_written_at_most_once_a_minute(client, alice):
    client.get(TASK_STATUS, headers=alice.headers)
    first = alice.refresh().last_used_at
    assert first is not None and abs((timezone.now() - first).total_seconds()) < 30

    recent = timezone.now() - timedelta(seconds=20)
    ApiKey.objects.filter(pk=alice.key.pk).update(last_used_at=recent)
    for _ in range(3):
        client.get(TASK_STATUS, headers=alice.headers)
    assert alice.refresh().last_used_at == recent  # within the minute: no write

    ApiKey.objects.filter(pk=alice.key.pk).update(last_used_at=timezone.now() - timedelta(seconds=90))
    client.get(TASK_STATUS, headers=alice.headers)
    assert abs((timezone.now() - alice.refresh().last_used_at).total_seconds()) < 30
