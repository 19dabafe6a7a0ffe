"""What a key's use writes (last_used_at at most once a minute), and how guessing keys is throttled."""

import secrets
from datetime import timedelta

from django.utils import timezone

from tryon import keys
from tryon.models import ApiKey

TASK_STATUS = "/api/tryon/v2/tasks/" + "0" * 32


def test_last_used_at_is_written_at_most_once_a_minute(client, alice):
    client.get(TASK_STATUS, headers=alice.headers)
    first = alice.refresh().last_used_at
    assert first is not None and abs((timezone.now() - first).total_seconds()) < 30

    recent = timezone.now() - timedelta(seconds=20)
    ApiKey.objects.filter(pk=alice.key.pk).update(last_used_at=recent)
    keys.forget(alice.key.prefix)
    for _ in range(3):
        client.get(TASK_STATUS, headers=alice.headers)
    assert alice.refresh().last_used_at == recent  # within the minute: no write

    ApiKey.objects.filter(pk=alice.key.pk).update(last_used_at=timezone.now() - timedelta(seconds=90))
    keys.forget(alice.key.prefix)  # as the per-process lookup cache would after its few seconds
    client.get(TASK_STATUS, headers=alice.headers)
    assert abs((timezone.now() - alice.refresh().last_used_at).total_seconds()) < 30


def test_wrong_keys_from_one_address_are_throttled_whatever_the_key(client, alice, settings):
    settings.TRYON_AUTH_FAILURES_PER_MINUTE = 3
    guesser = {"REMOTE_ADDR": f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"}
    wrong = {"X-API-KEY": alice.raw[:-4] + "xxxx"}
    for _ in range(3):
        assert client.get(TASK_STATUS, headers=wrong, **guesser).status_code == 401
    refused = client.get(TASK_STATUS, headers=wrong, **guesser)
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    # Even the right key: otherwise a guess that happens to be right would still be told so.
    assert client.get(TASK_STATUS, headers=alice.headers, **guesser).status_code == 429
    assert client.get(TASK_STATUS, headers=alice.headers, REMOTE_ADDR="10.255.0.1").status_code == 404


def test_the_throttle_counts_the_address_behind_the_proxy(client, alice, settings):
    settings.TRYON_AUTH_FAILURES_PER_MINUTE = 2
    settings.TRYON_PROXY_COUNT = 1
    wrong = {"X-API-KEY": "fr_00000000_" + "x" * 32}
    guesser = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.1"
    for _ in range(2):
        client.get(TASK_STATUS, headers=wrong, REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=guesser)
    assert client.get(TASK_STATUS, headers=wrong, HTTP_X_FORWARDED_FOR=guesser).status_code == 429
    other = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.2"
    assert client.get(TASK_STATUS, headers=alice.headers, HTTP_X_FORWARDED_FOR=other).status_code == 404
