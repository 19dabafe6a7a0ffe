"""What a try-on costs the local engine: its checks and its render look for the person once, cut
the garment out of its photo once, and a garment photo tried on before is not checked again."""

import cv2
import pytest
from mediapipe.python.solution_base import SolutionBase

from tests import images
from tests.api.helpers import TASKS, task_form, upload
from tryon import engine, services
from tryon.models import TryOnTask


@pytest.fixture
def graph_passes(settings, monkeypatch):
    """Every pass of mediapipe's pose and segmentation graphs in this process (each run as usual),
    with the checks made here, as a queue worker makes them."""
    settings.TRYON_CHECKER_SOCKET = ""
    engine.load_models()  # built and warmed up before counting
    passes = []
    process = SolutionBase.process
    monkeypatch.setattr(
        SolutionBase, "process", lambda graph, *args, **kw: passes.append(1) or process(graph, *args, **kw)
    )
    return passes


def try_on(client, holder, form, capture):
    with capture(execute=True):
        created = client.post(TASKS, form, headers=holder.headers).json()
    return TryOnTask.objects.get(public_id=created["task_id"])


def test_a_try_on_runs_the_engines_graphs_no_more_than_its_two_checks(
    client, alice, graph_passes, django_capture_on_commit_callbacks
):
    # A colour no other test draws: this process has not checked this garment photo before.
    form = task_form(cloth_image=upload(images.drawn_tee(colour=(112, 31, 64)), "cloth.jpg"))
    task = try_on(client, alice, form, django_capture_on_commit_callbacks)
    assert task.status == TryOnTask.Status.COMPLETED, task.error
    tried = len(graph_passes)

    graph_passes.clear()
    model = services.check_model_image(services.load_task_image(task, "model_image"))
    clothes = services.check_clothes_image(services.load_task_image(task, "cloth_image"))
    assert model.is_good and clothes.is_clothes
    assert tried == len(graph_passes) > 0


def test_a_try_on_cuts_its_garment_out_once(client, alice, settings, monkeypatch, django_capture_on_commit_callbacks):
    # The clothes check runs beside the render in a queue worker, on the same photo; both need the
    # garment's cut (GrabCut, the costliest step of either). Every GrabCut is counted (and run).
    settings.TRYON_CHECKER_SOCKET = ""
    cuts = []
    grab_cut = cv2.grabCut
    monkeypatch.setattr(cv2, "grabCut", lambda *args: cuts.append(1) or grab_cut(*args))
    # A colour no other test draws: this process has not cut this photo before.
    form = task_form(cloth_image=upload(images.drawn_tee(colour=(31, 120, 97)), "cloth.jpg"))

    with django_capture_on_commit_callbacks(execute=True):
        created = client.post(TASKS, form, headers=alice.headers).json()
    task = TryOnTask.objects.get(public_id=created["task_id"])
    assert task.status == TryOnTask.Status.COMPLETED, task.error
    assert len(cuts) == 1

    # The clothes check endpoint's answer on the stored photo is the task's: the same cut, not another.
    assert services.check_clothes_image(services.load_task_image(task, "cloth_image")).is_clothes
    assert len(cuts) == 1


def test_a_garment_photo_tried_on_again_is_not_checked_again(
    client, make_key, graph_passes, django_capture_on_commit_callbacks
):
    shop = make_key("shop", credits=3)
    tee = images.drawn_tee(colour=(64, 112, 31))  # not checked by this process before
    first = try_on(client, shop, task_form(cloth_image=upload(tee, "cloth.jpg")), django_capture_on_commit_callbacks)
    assert first.status == TryOnTask.Status.COMPLETED, first.error
    first_passes = len(graph_passes)

    graph_passes.clear()
    assert services.check_clothes_image(services.load_task_image(first, "cloth_image")).is_clothes
    clothes_check = len(graph_passes)
    assert clothes_check > 0

    graph_passes.clear()
    again = try_on(client, shop, task_form(cloth_image=upload(tee, "cloth.jpg")), django_capture_on_commit_callbacks)
    assert again.status == TryOnTask.Status.COMPLETED, again.error
    assert len(graph_passes) == first_passes - clothes_check
    assert shop.refresh().credits == 1  # each try-on charged once


def test_a_garment_photo_refused_before_is_refused_again_and_refunded(
    client, make_key, graph_passes, django_capture_on_commit_callbacks
):
    shop = make_key("shop", credits=2)
    for _ in range(2):
        # A person where the garment should be: the clothes check refuses it.
        form = task_form(cloth_image=upload(images.person_photo(), "cloth.jpg"))
        task = try_on(client, shop, form, django_capture_on_commit_callbacks)
        assert task.status == TryOnTask.Status.FAILED
        assert task.error == "cloth_image: the photo does not show a garment that can be tried on"
    assert shop.refresh().credits == 2  # both refunded
