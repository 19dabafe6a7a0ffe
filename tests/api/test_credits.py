"""GET /api/tryon/v2/credits: the key's balance, authenticated and rate-limited like the rest."""

from tests.api.helpers import TASKS, task_form

CREDITS = "/api/tryon/v2/credits"


def test_credits_are_the_keys_own_balance(client, alice, bob):
    assert client.get(CREDITS, headers=alice.headers).json() == {"credits": 10}
    assert client.post(TASKS, task_form(), headers=alice.headers).status_code == 200

    assert client.get(CREDITS, headers=alice.headers).json() == {"credits": 9}
    assert client.get(CREDITS, headers=bob.headers).json() == {"credits": 10}


def test_credits_need_a_key(client, db):  # a wrong or missing key is counted per address, in the database
    response = client.get(CREDITS)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == 401


def test_credits_are_rate_limited(client, make_key):
    key = make_key("hasty", credits=3, rate_limit=1)
    assert client.get(CREDITS, headers=key.headers).status_code == 200
    response = client.get(CREDITS, headers=key.headers)
    assert response.status_code == 429 and response["Retry-After"]


def test_credits_only_answer_get(client, alice):
    assert client.post(CREDITS, headers=alice.headers).status_code == 405
