"""Queue worker start-up: render at a lower CPU priority than the web processes, engine loaded.

A render keeps a core busy for most of a second; a status poll needs a millisecond. With the
workers in Linux's SCHED_IDLE class (``TRYON_WORKER_IDLE``), the kernel gives a core to a
waiting web request at once, so polls do not queue behind renders, and the renders lose only
the moments the web processes actually use. Nice (``TRYON_WORKER_NICE``) is the fallback where
SCHED_IDLE is off or not available; alone it only weights the shares, so a poll can still wait a
few milliseconds behind a render. The local engine's mediapipe graphs take seconds to build: each
worker builds them as it starts (after django-q2 forks it, which is the only safe time), not
during a shopper's first try-on.

Memory: a render's arrays of a dozen sizes leave holes in glibc's heaps, one heap (arena) per
thread that ever allocated (the render, the checks beside it, OpenCV's and TFLite's pools), and
glibc keeps them. A worker caps the arenas at two as it starts and hands the free pages of every
heap back to the system after each task (``malloc_trim``): between try-ons it held 550-585 MB and
grew about 30 MB over 60 try-ons; now 445-470 MB, 15-21 MB more after 250 (bench/memory.py --tryons).
"""

import contextlib
import ctypes
import functools
import importlib
import logging
import os
from multiprocessing import current_process
from pathlib import Path

from django.conf import settings
from django.dispatch import receiver
from django_q.signals import post_execute_in_worker, post_spawn

log = logging.getLogger(__name__)

M_ARENA_MAX = -8  # glibc's mallopt parameter
MALLOC_ARENAS = 2


@receiver(post_spawn)
def lower_priority(sender, proc_name, **kwargs):
    """django-q2 sends post_spawn in each worker process as it starts (pusher and monitor keep their priority)."""
    if current_process().name == "MainProcess":
        # django-q2's sync mode (the tests' queue) runs the worker code in the caller's own process:
        # a web process or the test runner must not lower itself.
        return
    # On Linux both are per thread: set every thread the worker already has. Threads started later
    # (the engine's and its libraries' pools, started below or during a render) inherit them.
    niceness = max(os.getpriority(os.PRIO_PROCESS, 0), settings.TRYON_WORKER_NICE)
    for thread in _threads():
        with contextlib.suppress(ProcessLookupError):  # a thread that just ended
            os.setpriority(os.PRIO_PROCESS, thread, niceness)
    idle = settings.TRYON_WORKER_IDLE and _set_idle_class()
    libc = _glibc()
    if libc is not None:
        libc.mallopt(M_ARENA_MAX, MALLOC_ARENAS)
    from tryon import backends, engine

    if isinstance(backends.get_backend(), backends.LocalBackend):
        # The task's own checks run here, with its render, not in the web's check process.
        backends.run_checks_here()
        engine.load_models()
        # The render's own modules too (SciPy's spline, which also sets the BLAS threads): loaded in
        # the first try-on, they made it half a second slower than the rest.
        importlib.import_module("tryon.engine.render")
    log.info("%s renders %s", proc_name, f"in SCHED_IDLE at nice {niceness}" if idle else f"at nice {niceness}")


@receiver(post_execute_in_worker)
def give_back_freed_memory(sender, **kwargs):
    """django-q2 sends post_execute_in_worker in the worker process after each task."""
    if current_process().name == "MainProcess":
        return  # sync mode: a web process or the test runner, not a queue worker
    libc = _glibc()
    if libc is not None:
        # Every heap, not just the top of the main one: 2-6 ms, once a try-on.
        libc.malloc_trim(0)


@functools.cache
def _glibc() -> ctypes.CDLL | None:
    """glibc, or None on a C library without malloc_trim (musl, macOS), which returns memory anyway."""
    # The process's own symbols, C library included: ctypes.util.find_library would fork a
    # 500 MB worker to run ldconfig.
    libc = ctypes.CDLL(None)
    return libc if hasattr(libc, "malloc_trim") else None


def _set_idle_class() -> bool:
    """Put every thread of this process in SCHED_IDLE; False where the kernel or platform has no such class."""
    if not hasattr(os, "SCHED_IDLE"):
        return False
    try:
        for thread in _threads():
            with contextlib.suppress(ProcessLookupError):
                os.sched_setscheduler(thread, os.SCHED_IDLE, os.sched_param(0))
    except OSError as exc:
        log.warning("SCHED_IDLE refused (%s): the queue workers run at nice %d only", exc, settings.TRYON_WORKER_NICE)
        return False
    return True


def _threads() -> list[int]:
    tasks = Path("/proc/self/task")
    return [int(task.name) for task in tasks.iterdir()] if tasks.is_dir() else [0]
