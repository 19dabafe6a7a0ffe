"""tryon.client against answers our server never gives but the hosted service or a proxy might.

The stand-in server is an httpx.MockTransport: it plays someone else's server, not our code.
"""

import email.utils
import time

import httpx
import pytest

from tryon import client as fitroom


def client_for(handler, **options):
    return fitroom.FitRoomClient(
        "https://platform.example", "key", transport=httpx.MockTransport(handler), backoff_initial=0.01, **options
    )


@pytest.mark.parametrize(
    ("response", "message"),
    [
        (
            httpx.Response(400, json={"error": {"code": 400, "message": "cloth_type is required"}}),
            "cloth_type is required",
        ),
        (httpx.Response(400, json={"error": "cloth_type is required"}), "cloth_type is required"),
        (httpx.Response(400, json={"message": "cloth_type is required"}), "cloth_type is required"),
        (httpx.Response(400, json={"detail": "cloth_type is required"}), "cloth_type is required"),
        (
            httpx.Response(400, json={"detail": [{"loc": ["body"], "msg": "cloth_type is required"}]}),
            "cloth_type is required",
        ),
        (httpx.Response(400, text="cloth_type is required"), "cloth_type is required"),
        (httpx.Response(400, html="<html><body><h1>Bad Request</h1></body></html>"), "Bad Request"),
        (httpx.Response(400), "Bad Request"),
    ],
    ids=["ours", "error-string", "message", "detail", "validation-list", "plain-text", "html-page", "empty"],
)
def test_error_message_is_found_in_any_body_shape(response, message):
    with client_for(lambda request: response) as client, pytest.raises(fitroom.BadRequest) as caught:
        client.check_clothes(b"\xff\xd8\xff")

    assert caught.value.message == message and caught.value.status == 400


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (401, fitroom.Unauthorized),
        (402, fitroom.PaymentRequired),
        (404, fitroom.NotFound),
        (418, fitroom.FitRoomError),
    ],
)
def test_final_errors_are_raised_after_one_request(status, error):
    requests = []

    def handler(request):
        requests.append(request)
        return httpx.Response(status, json={"message": "no"})

    with client_for(handler) as client, pytest.raises(error) as caught:
        client.get_task("123456")

    assert caught.value.status == status and len(requests) == 1


def test_server_errors_are_retried_a_bounded_number_of_times():
    requests = []

    def handler(request):
        requests.append(request)
        return httpx.Response(500, text="oops")

    with client_for(handler, max_retries=3) as client, pytest.raises(fitroom.ServerError):
        client.get_task("123456")

    assert len(requests) == 4


def test_retry_after_as_an_http_date_is_honoured():
    answers = iter(
        [
            httpx.Response(429, headers={"Retry-After": email.utils.formatdate(time.time() + 2, usegmt=True)}),
            httpx.Response(200, json={"task_id": "123456", "status": "PROCESSING", "progress": 45}),
        ]
    )
    with client_for(lambda request: next(answers)) as client:
        started = time.monotonic()
        task = client.get_task("123456")

    assert task.progress == 45 and time.monotonic() - started >= 0.9


def test_seed_example_answers_parse_into_typed_results():
    answers = {
        "/api/tryon/input_check/v1/model": {"is_good": True, "error_code": "410001", "good_clothes_types": ["upper"]},
        "/api/tryon/input_check/v1/clothes": {"clothes_type": "upper", "is_clothes": False},
        "/api/tryon/v2/tasks": {"task_id": "123456", "status": "CREATED"},
        "/api/tryon/v2/tasks/123456": {
            "task_id": "123456",
            "status": "FAILED",
            "error": "Failed to process try-on task",
            "created_at": 1744707904,
            "started_at": 1744707904,
            "completed_at": 1744707912,
        },
    }

    def handler(request):
        assert request.headers["X-API-KEY"] == "key"
        return httpx.Response(200, json=answers[request.url.path])

    with client_for(handler) as client:
        assert client.check_model(b"x") == fitroom.ModelCheckResult(True, "410001", ("upper",))
        assert client.check_clothes(b"x") == fitroom.ClothesCheckResult("upper", False)
        with pytest.raises(fitroom.TaskFailed) as caught:
            client.try_on(b"m", b"c", "upper")

    assert caught.value.message == "Failed to process try-on task"
    assert caught.value.task.completed_at == 1744707912


def test_download_does_not_send_the_api_key_to_storage():
    def handler(request):
        if request.url.host == "storage.example":
            assert "X-API-KEY" not in request.headers
            return httpx.Response(200, content=b"image bytes")
        raise AssertionError(request.url)

    with client_for(handler) as client:
        assert client.download("https://storage.example/tryon/abc?sig=1") == b"image bytes"
