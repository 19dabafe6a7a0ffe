"""What a web process does before it serves anything."""

import ctypes
import ctypes.util
import gc

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import storages


def require_collected_static() -> None:
    """Without ``collectstatic``, every page would answer 500 (the manifest has no entries): refuse to start."""
    if settings.DEBUG:
        return  # the static finders serve the source files
    storage = storages["staticfiles"]
    if isinstance(storage, ManifestFilesMixin) and not storage.manifest_storage.exists(storage.manifest_name):
        raise ImproperlyConfigured(
            f"Static files are not collected: no {storage.manifest_name} in STATIC_ROOT ({settings.STATIC_ROOT}). "
            "Run `python manage.py collectstatic --noinput` before starting the web server with DEBUG=false."
        )


M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter


def return_freed_image_memory() -> None:
    """Have glibc give large freed blocks (decoded uploads) back to the system at once.

    By default glibc raises its mmap threshold after each large free, so the next decoded image
    comes from a per-thread heap that keeps its memory: six threads decoding large uploads grew a
    web process to over 1 GB. A fixed 1 MB threshold keeps them under 400 MB (bench/memory.py).
    """
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return
    libc = ctypes.CDLL(libc_name)
    if hasattr(libc, "mallopt"):  # glibc only; musl and macOS return their memory anyway
        libc.mallopt(M_MMAP_THRESHOLD, 1024 * 1024)


def freeze_startup_objects() -> None:
    """Load every view now and leave what start-up made out of the garbage collector's full passes.

    A full collection walks every container object in the process: about 80,000 once Django, the
    URLconf and its views are loaded, 15-30 ms during which no other thread of the process runs,
    so now and then a status poll waited that long. What start-up made lives as long as the process;
    frozen (``gc.freeze``), it is never walked again, and a full pass walks what requests left.
    """
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports every view module, as the first request would
    gc.collect()
    gc.freeze()
