"""Fuzz the API from its own OpenAPI description (/api/openapi.json) with schemathesis.

Positive cases carry real JPEG/PNG/WebP images (random size and colours), so the checks and
task creation run for real; negative cases break the schema and must get a 4xx, never a 500.
"""

import io
import uuid

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from PIL import Image
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance
from schemathesis.generation.meta import ComponentInfo, ParameterLocation

MAX_EXAMPLES = 100


@st.composite
def encoded_images(draw, fmt):
    size = (draw(st.integers(64, 400)), draw(st.integers(64, 400)))
    image = Image.new("RGB", size, draw(st.tuples(*[st.integers(0, 255)] * 3)))
    if draw(st.booleans()):  # a second colour block, so not every image is flat
        box = (0, 0, size[0] // 2, size[1] // 2)
        image.paste(draw(st.tuples(*[st.integers(0, 255)] * 3)), box)
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


for media_type, fmt in [("image/jpeg", "JPEG"), ("image/png", "PNG"), ("image/webp", "WEBP"), ("image/avif", "AVIF")]:
    schemathesis.openapi.media_type(media_type, encoded_images(fmt))


# A fixed key, so schemathesis can put it on cases it builds before any fixture runs.
FUZZ_KEY = "fr_fuzz0001_" + "s3cret-for-the-fuzzer-only-xxxxxxxx"


@pytest.fixture
def fuzz_key(db):
    from tryon.keys import hash_key
    from tryon.models import ApiKey

    # Enough credits and requests for every generated case, so 402 and 429 stay out of the way.
    return ApiKey.objects.create(
        name="fuzzer", prefix="fuzz0001", hashed_key=hash_key(FUZZ_KEY), credits=10**6, rate_limit_per_minute=10**6
    )


@pytest.fixture
def keep_test_connection(db):
    """As Django's test client does: keep the test's database connection (and its transaction)
    open across requests made straight to the WSGI application."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


# Loaded through the application itself, as a client would fetch it (pytest-django has set Django up).
# (schemathesis.pytest.from_fixture breaks on pytest 9: its lazy loader reads Function._nodeid.)
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


@schema.auth()
class FixtureKey:
    """Authenticated cases carry the test's real key (ignored_auth still tries without it)."""

    def get(self, case, context):
        return FUZZ_KEY

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "X-API-KEY": data}


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_openapi_description(case, keep_test_connection, fuzz_key):
    repair_multipart_example(case)
    if (case.headers or {}).get("Idempotency-Key"):
        # Cases are unrelated requests: one key reused across them is rightly a 422.
        case.headers["Idempotency-Key"] += f"-{uuid.uuid4().hex}"
    # Three documented 400s depend on more than the schema can say: cloth_type auto refuses a photo that
    # is not clothes (random images are not), a webhook_url must resolve to a public address, and a
    # photo must be at least 64 px on a side (schemathesis's own examples carry a 1x1 PNG).
    # Every other check still applies to those cases.
    body = case.body if isinstance(case.body, dict) else {}
    beyond_schema = body.get("cloth_type") == "auto" or "webhook_url" in body or any(map(_tiny_image, body.values()))
    response = case.call()
    # (The tiny image may come in a form the check above can't decode; the answer names it either way.)
    beyond_schema |= response.status_code == 400 and "smaller than 64 pixels" in response.text
    # An empty file is a missing file (Django drops it), which a binary schema can't say either.
    beyond_schema |= response.status_code == 400 and any(value in (b"", "") for value in body.values())
    case.validate_response(response, excluded_checks=[positive_data_acceptance] if beyond_schema else [])


def _tiny_image(value) -> bool:
    """Whether a form value is an image smaller than the documented 64 px on a side."""
    if not isinstance(value, bytes):
        return False
    try:
        return min(Image.open(io.BytesIO(value)).size) < 64
    except Exception:
        return False


def repair_multipart_example(case):
    """schemathesis 4.32's coverage phase builds its multipart examples with custom encoding with ""
    for every required field that is not a file, whatever the schema says
    (coverage/_operation.py, _generate_multipart_body_from_custom_strategies), and marks that body
    negative only sometimes. "" is not a cloth_type: make it one, and the body what it then is, positive."""
    if isinstance(case.body, dict) and case.body.get("cloth_type") == "" and "model_image" in case.body:
        case.body["cloth_type"] = "upper"
        components = case.meta.components
        if ParameterLocation.BODY in components:
            components[ParameterLocation.BODY] = ComponentInfo(mode=GenerationMode.POSITIVE)
        if all(info.mode == GenerationMode.POSITIVE for info in components.values()):
            case.meta.generation.mode = GenerationMode.POSITIVE


def test_openapi_description_is_served(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    spec = response.json()
    assert spec["components"]["securitySchemes"]["ApiKey"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-KEY",
        "description": "fr_<prefix>_<secret>",
    }
    assert {"/api/tryon/input_check/v1/model", "/api/tryon/input_check/v1/clothes", "/api/tryon/v2/tasks"} < set(
        spec["paths"]
    )


def test_task_id_with_a_nul_is_not_found_not_an_outage(client, make_key):
    """Found by this fuzz on PostgreSQL: %00 in the id was a DataError there, answered as a 503 outage."""
    key = make_key("nul", credits=1)
    response = client.get("/api/tryon/v2/tasks/ab%00cd", headers=key.headers)
    assert response.status_code == 404, response.content
    assert response.json()["error"]["code"] == 404


def test_openapi_describes_credits_cancel_idempotency_auto_and_webhooks(client):
    spec = client.get("/api/openapi.json").json()
    create = spec["paths"]["/api/tryon/v2/tasks"]["post"]
    form = create["requestBody"]["content"]["multipart/form-data"]["schema"]["properties"]

    assert "auto" in form["cloth_type"]["enum"] and form["webhook_url"]["format"] == "uri"
    assert [p["name"] for p in create["parameters"]] == ["Idempotency-Key"]
    assert {"409", "422"} <= set(create["responses"])
    assert "409" in spec["paths"]["/api/tryon/v2/tasks/{id}/cancel"]["post"]["responses"]
    assert spec["paths"]["/api/tryon/v2/credits"]["get"]["operationId"] == "getCredits"
    assert "cloth_type" in spec["components"]["schemas"]["TaskStatus"]["properties"]
    hook = spec["webhooks"]["taskFinished"]["post"]
    assert {p["name"] for p in hook["parameters"]} == {"webhook-id", "webhook-timestamp", "webhook-signature"}
