import pytest

from tests.factory import tiny_model_dir


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    """A random-weight model folder in the shipped format (built once per test run)."""
    return tiny_model_dir(tmp_path_factory.mktemp("models") / "tiny")
