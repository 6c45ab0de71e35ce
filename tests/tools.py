"""The system tools some tests run, and what happens when one is missing.

A test asks for tools with a mark, which conftest.py reads before any fixture runs:
    pytestmark = pytest.mark.needs("Xvfb", "xdotool")
Without a tool the test is skipped, and the reason is the command that installs it
(pytest's summary shows it: pyproject.toml adds -rfEs). Under CI=true, where .ci/run has
installed every tool below, a missing tool fails the test instead, so that a broken CI
image cannot pass by skipping.

`python -m tests.tools` prints the Debian packages of the tools missing here; .ci/run
installs those, so this file holds the one list. It needs only the standard library, as
.ci/run calls it before anything is installed.
"""
import os
import shutil
import sys

# tool → the Debian package that provides it (.ci/run installs all of them)
PACKAGES = {
    "chromium": "chromium",
    "chromedriver": "chromium-driver",
    "Xvfb": "xvfb",
    "xdotool": "xdotool",
    "Tk": "python3-tk",  # not a program: this Python's tkinter
    "desktop-file-validate": "desktop-file-utils",
    "systemd-analyze": "systemd",
    "espeak-ng": "espeak-ng",
}


def found(tool: str) -> bool:
    """Whether `tool` (a key of PACKAGES) can be used here."""
    if tool == "Tk":
        try:
            import _tkinter  # noqa: F401 (the compiled part: a Python built without Tk lacks it)
        except ImportError:
            return False
        return True
    return shutil.which(tool) is not None


def in_ci() -> bool:
    """CI=true (as GitHub Actions and most CI services set it): missing tools are failures."""
    return os.environ.get("CI", "").lower() == "true"


def require_tools(*tools: str) -> None:
    """Skip the calling test when a tool is missing, or fail it under CI=true.

    The message names the missing tools and the command that installs them, e.g.
    "needs Xvfb, xdotool: sudo apt-get install xvfb xdotool".
    """
    unknown = [tool for tool in tools if tool not in PACKAGES]
    if unknown:
        raise ValueError(f"expected tools from tests/tools.py's PACKAGES ({', '.join(PACKAGES)}), "
                         f"found {', '.join(unknown)}; add the tool and its Debian package there")
    missing = [tool for tool in tools if not found(tool)]
    if not missing:
        return
    message = f"needs {', '.join(missing)}: sudo apt-get install {' '.join(PACKAGES[t] for t in missing)}"
    import pytest  # here, not above: .ci/run runs this file before pytest is installed

    if in_ci():
        pytest.fail(message, pytrace=False)
    # Reported at the test, as a skipif mark's skip is, rather than at this line (pytest's own flag for that).
    raise pytest.skip.Exception(message, _use_item_location=True)


def missing_packages() -> list[str]:
    """The Debian packages of the tools missing here, in PACKAGES order."""
    return [PACKAGES[tool] for tool in PACKAGES if not found(tool)]


if __name__ == "__main__":
    sys.stdout.write(" ".join(missing_packages()) + "\n")
