"""What a try-on costs the local engine: its checks and its render look for the person once, and
cut the garment out of its photo once."""

import cv2
from mediapipe.python.solution_base import SolutionBase

from tests import images
from tests.api.helpers import TASKS, task_form, upload
from tryon import engine, services
from tryon.models import TryOnTask


def test_a_try_on_runs_the_engines_graphs_no_more_than_its_two_checks(
    client, alice, settings, monkeypatch, django_capture_on_commit_callbacks
):
    # The checks in this process, as a queue worker makes them; every pass of mediapipe's pose and
    # segmentation graphs is counted (and run as usual).
    settings.TRYON_CHECKER_SOCKET = ""
    engine.load_models()  # built and warmed up before counting
    passes = []
    process = SolutionBase.process
    monkeypatch.setattr(
        SolutionBase, "process", lambda graph, *args, **kw: passes.append(1) or process(graph, *args, **kw)
    )

    with django_capture_on_commit_callbacks(execute=True):
        created = client.post(TASKS, task_form(), headers=alice.headers).json()
    task = TryOnTask.objects.get(public_id=created["task_id"])
    assert task.status == TryOnTask.Status.COMPLETED, task.error
    try_on = len(passes)

    passes.clear()
    model = services.check_model_image(services.load_task_image(task, "model_image"))
    clothes = services.check_clothes_image(services.load_task_image(task, "cloth_image"))
    assert model.is_good and clothes.is_clothes
    assert try_on == len(passes) > 0


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
