"""The seed's curl workflow over real HTTP: a live server, httpx, and a real qcluster worker."""

import io
import time

import httpx
import pytest
from PIL import Image

from tests import images


@pytest.mark.cluster
def test_curl_workflow_against_a_real_worker(live_server, qcluster, make_key, tmp_path):
    # Polled ten times a second to see the progress, which a slow (shared, HD) render would take past
    # the default 60 requests a minute: this key has room for it.
    key = make_key("curl-user", credits=3, rate_limit=1200)
    api = httpx.Client(base_url=live_server.url, headers=key.headers, timeout=60)

    check = api.post("/api/tryon/input_check/v1/model", files={"input_image": ("model.jpg", images.person_photo())})
    assert check.status_code == 200 and check.json()["is_good"] is True
    clothes = api.post("/api/tryon/input_check/v1/clothes", files={"input_image": ("cloth.jpg", images.drawn_tee())})
    assert clothes.json() == {"clothes_type": "upper", "is_clothes": True}

    created = api.post(
        "/api/tryon/v2/tasks",
        files={"model_image": ("model.jpg", images.person_photo()), "cloth_image": ("cloth.jpg", images.drawn_tee())},
        data={"cloth_type": "upper", "hd_mode": "true"},
    )
    assert created.status_code == 200, created.text
    task_id = created.json()["task_id"]

    seen = []
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        status = api.get(f"/api/tryon/v2/tasks/{task_id}").json()
        seen.append((status["status"], status.get("progress")))
        if status["status"] in ("COMPLETED", "FAILED"):
            break
        time.sleep(0.1)
    log = (tmp_path / "qcluster.log").read_text(errors="replace")[-3000:]
    assert status["status"] == "COMPLETED", (status, log)
    progress = [p for _, p in seen]
    assert progress == sorted(progress), seen  # never decreasing
    assert any(s == "PROCESSING" and 0 < p < 100 for s, p in seen), seen  # real progress was visible

    result = httpx.get(status["download_signed_url"], timeout=30)
    assert result.status_code == 200
    assert Image.open(io.BytesIO(result.content)).size == (722, 1024)
    assert key.refresh().credits == 2
