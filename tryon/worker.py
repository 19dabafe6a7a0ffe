"""Queue worker start-up: render at a lower CPU priority than the web processes.

A render keeps a core busy for most of a second; a status poll needs a millisecond. With the
workers niced, the kernel runs a waiting web request first, so polls do not queue behind
renders, and the renders lose only the moments the web processes actually use.
"""

import logging
import os

from django.conf import settings
from django.dispatch import receiver
from django_q.signals import post_spawn

log = logging.getLogger(__name__)


@receiver(post_spawn)
def lower_priority(sender, proc_name, **kwargs):
    """django-q2 sends post_spawn in each worker process as it starts (pusher and monitor keep their priority)."""
    niceness = os.nice(0)
    if niceness < settings.TRYON_WORKER_NICE:
        niceness = os.nice(settings.TRYON_WORKER_NICE - niceness)
    log.info("%s renders at nice %d", proc_name, niceness)
