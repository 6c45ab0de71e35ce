import os
import subprocess

import pytest

from tests.factory import tiny_model_dir
from tests.tools import require_tools

pytest_plugins = ["pytester"]  # tests/test_tools.py runs the needs mark in a pytest of its own


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """`@pytest.mark.needs("Xvfb", ...)`: skip without the tools (fail under CI=true), before any fixture starts one."""
    for mark in item.iter_markers("needs"):
        require_tools(*mark.args)


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    """A random-weight model folder in the shipped format (built once per test run)."""
    return tiny_model_dir(tmp_path_factory.mktemp("models") / "tiny")


@pytest.fixture(scope="module")
def xvfb_display():
    """A private X server (mark the test `needs("Xvfb")`); its number comes from -displayfd, so parallel runs cannot clash."""
    read_fd, write_fd = os.pipe()
    # -noreset: the server would drop the test keymap when its last client disconnects.
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1024x768x24",
                               "-nolisten", "tcp", "-noreset"],
                              pass_fds=[write_fd], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    with os.fdopen(read_fd) as f:
        number = f.readline().strip()
    yield f":{number}"
    server.terminate()
    server.wait(timeout=10)
