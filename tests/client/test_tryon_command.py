"""``manage.py tryon``: a try-on from the terminal, with the local engine or against a server."""

import io

import pytest
from django.core.management import CommandError, call_command
from PIL import Image

from tests.images import drawn_tee, person_photo, text_named_jpg


@pytest.fixture
def photos(tmp_path):
    model = tmp_path / "model.jpg"
    model.write_bytes(person_photo())
    cloth = tmp_path / "tee.jpg"
    cloth.write_bytes(drawn_tee())
    return model, cloth


def run(*args):
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("tryon", *map(str, args), stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def test_local_engine_writes_a_png_and_draws_a_progress_bar(photos, tmp_path):
    model, cloth = photos
    out = tmp_path / "result.png"

    stdout, stderr = run(model, cloth, "--type", "upper", "--out", out)

    image = Image.open(out)
    assert image.format == "PNG" and max(image.size) <= 2048
    assert f"Wrote {out}" in stdout
    assert "\r[" in stderr and "100%" in stderr and stderr.endswith("\n")


@pytest.mark.django_db(transaction=True)
def test_server_mode_runs_the_try_on_on_a_server(photos, tmp_path, live_server, alice):
    model, cloth = photos
    out = tmp_path / "result.jpg"

    stdout, stderr = run(model, cloth, "--type", "upper", "--out", out, "--server", live_server.url, "--key", alice.raw)

    assert Image.open(out).format == "JPEG"
    assert "100%" in stderr
    assert alice.refresh().credits == 9


@pytest.mark.django_db(transaction=True)
def test_server_mode_explains_a_wrong_key(photos, tmp_path, live_server):
    model, cloth = photos

    out = tmp_path / "result.png"

    with pytest.raises(CommandError, match="401: Unauthorized"):
        run(model, cloth, "--type", "upper", "--out", out, "--server", live_server.url, "--key", "fr_12345678_wrong")

    assert not out.exists()


def test_missing_file_is_named(photos, tmp_path):
    _, cloth = photos

    with pytest.raises(CommandError, match="model image not found: .*nobody.jpg"):
        run(tmp_path / "nobody.jpg", cloth, "--type", "upper", "--out", tmp_path / "r.png")


def test_unreadable_image_is_named(photos, tmp_path):
    model, _ = photos
    text = tmp_path / "notes.jpg"
    text.write_bytes(text_named_jpg())

    with pytest.raises(CommandError, match="notes.jpg: the file is not a JPEG, PNG, WebP, AVIF or HEIC image"):
        run(model, text, "--type", "upper", "--out", tmp_path / "r.png")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--type", "combo"], "--type combo needs --lower"),
        (["--type", "upper", "--lower", "x.jpg"], "--lower is only used with --type combo"),
        (["--type", "upper", "--server", "http://127.0.0.1:9"], "--server and --key go together"),
        (["--type", "upper", "--out", "result.gif"], "--out must end in one of"),
        (["--type", "upper", "--server", "localhost:8000", "--key", "k"], "--server must be a URL starting with http"),
    ],
)
def test_inconsistent_options_are_refused_before_any_work(photos, extra, message):
    model, cloth = photos

    with pytest.raises(CommandError, match=message):
        run(model, cloth, *extra)


def test_auto_locally_chooses_the_garments_type(photos, tmp_path):
    model, cloth = photos
    out = tmp_path / "result.png"

    stdout, stderr = run(model, cloth, "--auto", "--out", out)

    assert "upper" in stderr and f"Wrote {out}" in stdout


def test_auto_locally_refuses_trousers_on_a_photo_that_ends_at_the_hips(photos, tmp_path):
    from tests.engine import drawing
    from tests.images import encode

    model, _ = photos
    trousers = tmp_path / "trousers.jpg"
    trousers.write_bytes(encode(drawing.trousers()))
    with pytest.raises(CommandError, match="the garment is lower, but the model photo suits upper"):
        run(model, trousers, "--auto", "--out", tmp_path / "r.png")


def test_type_or_auto_is_required(photos):
    with pytest.raises(CommandError, match="--type TYPE or --auto"):
        run(*photos)


@pytest.mark.django_db(transaction=True)
def test_server_mode_auto_with_an_idempotency_key_is_charged_once(photos, tmp_path, live_server, alice):
    model, cloth = photos
    server = ("--server", live_server.url, "--key", alice.raw, "--idempotency-key", "cli-1")

    for name in ("a.jpg", "b.jpg"):
        _, stderr = run(model, cloth, "--auto", "--out", tmp_path / name, *server)
        assert "cloth type: upper" in stderr

    assert alice.refresh().credits == 9


@pytest.mark.django_db(transaction=True)
def test_credits_and_cancel_against_a_server(live_server, alice):
    from django_q.conf import Conf

    from tryon.client import FitRoomClient

    Conf.SYNC = False  # the task waits in the broker (no worker) until cancelled
    with FitRoomClient(live_server.url, alice.raw) as api:
        task = api.create_task(person_photo(), drawn_tee(), "upper")
    server = ("--server", live_server.url, "--key", alice.raw)

    assert run("--credits", *server)[0].strip() == "9"
    stdout, _ = run("--cancel", task.task_id, "--credits", *server)
    assert stdout.splitlines() == [f"{task.task_id} FAILED: cancelled", "10"]
    with pytest.raises(CommandError, match="409"):
        run("--cancel", task.task_id, *server)
