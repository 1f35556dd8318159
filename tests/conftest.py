import os

import pytest

from duban.cli import GOLD_DIR, SAMPLES_DIR

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
