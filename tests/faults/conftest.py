import pytest

from tests.processes import close_subprocess_connections, stop
from tests.stack import scaleout_problem


@pytest.fixture
def processes(transactional_db):
    """Subprocesses a test starts; all stopped (SIGTERM, then SIGKILL to the group) at the end."""
    started = []
    yield started
    for process in reversed(started):
        stop(process)
    close_subprocess_connections()


@pytest.fixture
def real_queue(transactional_db):
    """Tasks created through the API go to the broker (a real qcluster runs them), not in-process."""
    from django_q.conf import Conf

    Conf.SYNC = False  # the autouse settings fixture restores it


@pytest.fixture(autouse=True)
def _scaleout_services(request):
    """A test marked scaleout fails (never skips) when PostgreSQL or Redis is missing."""
    if request.node.get_closest_marker("scaleout"):
        request.getfixturevalue("transactional_db")
        problem = scaleout_problem()
        if problem:
            pytest.fail(problem, pytrace=False)
