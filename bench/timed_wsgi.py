"""The project's WSGI application, timed per request: for bench/speed.py --breakdown only.

gunicorn loads this instead of ``fitroom_site.wsgi`` (``--pythonpath bench timed_wsgi``). A request
carrying ``X-Bench-Probe`` gets back ``X-Bench-Timing`` with where its time went inside the web
process: entered and left (CLOCK_MONOTONIC, which the prober on the same machine shares), wall
time in the app, the handling thread's CPU, the time it waited in the kernel's run queue for a core
(``/proc/thread-self/schedstat``), the database's time (Django's execute_wrapper), Redis's and the
database health check's, the garbage collector's, and the other requests this process was running
when it came in. What is left of the wall time is waiting off the CPU and off the database and
Redis: for the GIL.
"""

import gc
import threading
import time

from fitroom_site.wsgi import application as django_application

_running: dict[int, str] = {}  # thread id -> method and path of the request it handles
_lock = threading.Lock()
_collected = [0, 0]  # the garbage collector's time in this process (ns), the start of the collection running


def _time_collections(phase, info):
    if phase == "start":
        _collected[1] = time.monotonic_ns()
    else:
        _collected[0] += time.monotonic_ns() - _collected[1]


gc.callbacks.append(_time_collections)
_waits = threading.local()  # this thread's time in Redis calls and database health checks (ns)


def _timed(function):
    def timed(*args, **kwargs):
        started = time.monotonic_ns()
        try:
            return function(*args, **kwargs)
        finally:
            _waits.ns = getattr(_waits, "ns", 0) + time.monotonic_ns() - started

    return timed


def _time_redis_and_health_checks():
    from django.db import connections

    database = type(connections["default"])
    database.is_usable = _timed(database.is_usable)
    try:
        import redis
    except ImportError:
        return
    redis.Redis.execute_command = _timed(redis.Redis.execute_command)
    redis.client.Pipeline.execute = _timed(redis.client.Pipeline.execute)


_time_redis_and_health_checks()
_handling = threading.local()  # when gunicorn's main thread handed this thread's connection over, and when it began


def _time_gunicorns_hand_over():
    """gthread's main thread hands a readable connection to its thread pool: time both ends."""
    from gunicorn.workers import gthread

    enqueue, handle = gthread.ThreadWorker.enqueue_req, gthread.ThreadWorker.handle
    in_flight = [0]  # connections handed to the pool and not yet handled

    def timed_enqueue(self, conn):
        with _lock:
            conn.bench_enqueued = time.monotonic_ns(), in_flight[0]
            in_flight[0] += 1
        return enqueue(self, conn)

    def timed_handle(self, conn):
        _handling.enqueued, _handling.in_flight = getattr(conn, "bench_enqueued", (0, 0))
        _handling.began = time.monotonic_ns()
        try:
            return handle(self, conn)
        finally:
            with _lock:
                in_flight[0] -= 1

    gthread.ThreadWorker.enqueue_req, gthread.ThreadWorker.handle = timed_enqueue, timed_handle


_time_gunicorns_hand_over()


def _run_delay_ns() -> int:
    with open("/proc/thread-self/schedstat") as schedstat:
        return int(schedstat.read().split()[1])


def application(environ, start_response):
    if "HTTP_X_BENCH_PROBE" not in environ:
        with _lock:
            _running[threading.get_ident()] = environ["REQUEST_METHOD"] + " " + environ["PATH_INFO"]
        try:
            return django_application(environ, start_response)
        finally:
            with _lock:
                _running.pop(threading.get_ident(), None)
    from django.db import connection

    entered = time.monotonic_ns()
    cpu, delay, collected = time.thread_time_ns(), _run_delay_ns(), _collected[0]
    waited = getattr(_waits, "ns", 0)
    with _lock:
        others = list(_running.values())
        _running[threading.get_ident()] = environ["REQUEST_METHOD"] + " " + environ["PATH_INFO"]
    database = [0]

    def timed(execute, sql, params, many, context):
        started = time.monotonic_ns()
        try:
            return execute(sql, params, many, context)
        finally:
            database[0] += time.monotonic_ns() - started

    captured = {}

    def capture(status, headers, exc_info=None):
        captured["status"], captured["headers"] = status, headers
        return lambda data: None

    try:
        with connection.execute_wrapper(timed):
            body = b"".join(django_application(environ, capture))
    finally:
        with _lock:
            _running.pop(threading.get_ident(), None)
    left = time.monotonic_ns()
    creates = sum(1 for other in others if other.startswith("POST") and other.endswith("/tasks"))
    timing = (
        f"entered={entered};left={left};cpu={time.thread_time_ns() - cpu};runq={_run_delay_ns() - delay};"
        f"db={database[0]};redis_and_health_check={getattr(_waits, 'ns', 0) - waited};"
        f"gc={_collected[0] - collected};others={len(others)};creates={creates};"
        f"checks={sum(1 for other in others if '/input_check/' in other)};"
        f"enqueued={getattr(_handling, 'enqueued', 0)};began={getattr(_handling, 'began', 0)};"
        f"in_flight={getattr(_handling, 'in_flight', 0)}"
    )
    start_response(captured["status"], [*captured["headers"], ("X-Bench-Timing", timing)])
    return [body]
