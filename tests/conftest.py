import os

import pytest

from duban.ingest.bundled import GOLD_DIR, SAMPLES_DIR

# The one setting for every wait on a browser or on a server a test started, in seconds: how long a
# page, a click or a server start may take before a test fails. A loaded machine needs more than an
# idle one; CI sets it generously (.ci/run). Waits never sleep a fixed time: they end when ready.
TEST_TIMEOUT = float(os.environ.get("DUBAN_TEST_TIMEOUT", "60"))

SAMPLES = sorted(f for f in os.listdir(SAMPLES_DIR) if f.endswith(".txt"))


def sample_path(name: str) -> str:
    """Path of a bundled sample by its three-digit prefix or full name."""
    for f in SAMPLES:
        if f.startswith(name):
            return os.path.join(SAMPLES_DIR, f)
    raise FileNotFoundError(name)


@pytest.fixture(scope="session")
def parsed_samples():
    from duban.ingest import parse_file

    return {f[:3]: parse_file(os.path.join(SAMPLES_DIR, f)) for f in SAMPLES}


@pytest.fixture(scope="session")
def gold():
    from duban.ingest.score import load_gold

    return load_gold(GOLD_DIR)


@pytest.fixture(scope="session", autouse=True)
def process_local_cache():
    """Page figures cached in this test process only, and always recomputed after a change: the
    product's cache is a folder shared by the server's workers (settings.CACHES), which two test runs
    side by side must not share; tests/test_ui_cache.py turns stale serving on where it tests it."""
    from django.conf import settings
    from django.test import override_settings

    local = override_settings(
        CACHES={
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "duban-tests"},
            "sessions": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "duban-sessions"},
            **{alias: settings.CACHES[alias] for alias in ("structure", "structure-large")},  # in-process already
        },
        DUBAN_STALE_FIGURES_AFTER=None,  # a slow machine must not make a page show figures from before a change
    )
    local.enable()
    yield
    local.disable()


@pytest.fixture(scope="session", autouse=True)
def jobs_run_at_once():
    """Background jobs (duban.jobs) run inside the call that queues them, in memory: no worker, no
    queue file; tests/test_jobs.py runs the real worker once."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield


@pytest.fixture
def queued():
    """The queue held in memory until :func:`run_queued` runs it, as the worker would (the other tests
    run every job at once)."""
    import huey.contrib.djhuey as djhuey
    from huey.contrib.djhuey import HUEY
    from huey.storage import MemoryStorage

    held, closing = HUEY.storage, djhuey.close_old_connections
    HUEY.immediate_use_memory = False  # keep the storage given here when leaving immediate mode
    HUEY.immediate = False
    HUEY.storage = MemoryStorage("duban-tests")
    # the worker closes stale connections around each task; here the connection is the test's own,
    # inside its transaction (PostgreSQL would see it closed)
    djhuey.close_old_connections = lambda: None
    yield HUEY
    djhuey.close_old_connections = closing
    HUEY.immediate = True
    HUEY.storage, HUEY.immediate_use_memory = held, True


def run_queued() -> int:
    """Run what is queued, as ``duban run_huey`` does; returns how many tasks ran."""
    from huey.contrib.djhuey import HUEY

    ran = 0
    while (task := HUEY.dequeue()) is not None:
        HUEY.execute(task)
        ran += 1
    return ran


@pytest.fixture(autouse=True)
def fresh_structure_cache():
    """Each test starts without values derived from another test's plans (duban.audit.cache)."""
    from django.core.cache import caches

    caches["structure"].clear()
    caches["structure-large"].clear()
    yield


def pytest_xdist_make_scheduler(config, log):
    """``make test`` runs the files in parallel (pytest-xdist ``--dist loadfile``). pytest-django orders
    the tests so that those which empty the database afterwards (transactional: live servers, real
    commits) run after those which only roll back; xdist's file scheduling would undo that order and
    let a transactional test wipe the built-in regions before another file of the same process needs
    them. :class:`TransactionalLast` keeps pytest-django's order."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class TransactionalLast(LoadFileScheduling):
        """A file's tests in pytest-django's order, cut where another file's tests come between
        (a file's rolled-back tests and its transactional ones become two units of work), handed out
        in that order: a process takes transactional work only when no rolled-back work is left."""

        def __init__(self, config, log=None):
            super().__init__(config, log)
            self.units: dict[str, str] = {}

        def schedule(self):
            if self.collection is None and self.collection_is_completed and self.registered_collections:
                self.config.option.loadscopereorder = False  # keep the order, do not put big files first
                parts: dict[str, int] = {}
                previous = None
                for nodeid in next(iter(self.registered_collections.values())):
                    path = nodeid.split("::", 1)[0]
                    if path != previous:
                        parts[path] = parts.get(path, -1) + 1
                        previous = path
                    self.units[nodeid] = f"{path}#{parts[path]}"
            super().schedule()

        def _split_scope(self, nodeid):
            return self.units.get(nodeid) or super()._split_scope(nodeid)

    return TransactionalLast(config, log)
