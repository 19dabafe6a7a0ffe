"""Several gunicorn web processes and two qcluster processes against PostgreSQL and Redis."""

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.processes import close_subprocess_connections, start_qcluster, stop
from tests.stack import free_port, scaleout_problem, start_gunicorn

WEB_PROCESSES = 2  # gunicorn masters, as on two machines
WEB_WORKERS = 2  # workers each
CLUSTERS = 2


@pytest.fixture(autouse=True)
def _scaleout_services(request, transactional_db):
    """Fail (never skip) when PostgreSQL or Redis is missing: this is the configuration under test."""
    problem = scaleout_problem()
    if problem:
        pytest.fail(problem, pytrace=False)


@dataclass
class Deployment:
    urls: list[str]
    cluster_logs: list[Path]

    def url(self, n: int) -> str:
        """Spread requests over the web processes, round robin."""
        return self.urls[n % len(self.urls)]


def _private_redis_db(url: str) -> str:
    """This run's own Redis database number, so another run's cluster never takes our tasks."""
    import os

    import redis

    parts = urlsplit(url)
    private = urlunsplit(parts._replace(path=f"/{1 + os.getpid() % 15}"))
    redis.Redis.from_url(private).flushdb()
    return private


@pytest.fixture(scope="module")
def deployment(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.conf import settings

    problem = scaleout_problem()
    if problem:
        pytest.fail(problem, pytrace=False)
    workdir = tmp_path_factory.mktemp("deployment")
    env = {"REDIS_URL": _private_redis_db(settings.REDIS_URL), "MEDIA_ROOT": workdir / "media"}
    processes, urls, cluster_logs = [], [], []
    try:
        for n in range(WEB_PROCESSES):
            port = free_port()
            processes.append(start_gunicorn(workdir / f"web-{n}.log", port, workers=WEB_WORKERS, **env))
            urls.append(f"http://127.0.0.1:{port}")
        for n in range(CLUSTERS):
            cluster_logs.append(workdir / f"qcluster-{n}.log")
            processes.append(start_qcluster(cluster_logs[-1], TRYON_WORKERS=1, **env))
        yield Deployment(urls, cluster_logs)
    finally:
        for process in reversed(processes):
            stop(process)
        with django_db_blocker.unblock():
            close_subprocess_connections()
