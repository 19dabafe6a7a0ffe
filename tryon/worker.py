"""Queue worker start-up: render at a lower CPU priority than the web processes, engine loaded.

A render keeps a core busy for most of a second; a status poll needs a millisecond. With the
workers niced, the kernel runs a waiting web request first, so polls do not queue behind
renders, and the renders lose only the moments the web processes actually use. The local
engine's mediapipe graphs take seconds to build: each worker builds them as it starts (after
django-q2 forks it, which is the only safe time), not during a shopper's first try-on.
"""

import logging
import os
from multiprocessing import current_process

from django.conf import settings
from django.dispatch import receiver
from django_q.signals import post_spawn

log = logging.getLogger(__name__)


@receiver(post_spawn)
def lower_priority(sender, proc_name, **kwargs):
    """django-q2 sends post_spawn in each worker process as it starts (pusher and monitor keep their priority)."""
    if current_process().name == "MainProcess":
        # django-q2's sync mode (the tests' queue) runs the worker code in the caller's own process:
        # a web process or the test runner must not nice itself.
        return
    niceness = os.nice(0)
    if niceness < settings.TRYON_WORKER_NICE:
        niceness = os.nice(settings.TRYON_WORKER_NICE - niceness)
    from tryon import engine
    from tryon.backends import LocalBackend, get_backend

    if isinstance(get_backend(), LocalBackend):
        engine.load_models()
    log.info("%s renders at nice %d", proc_name, niceness)
