"""tests/tools.py: a test that needs a missing system tool is skipped, and fails under CI=true."""
import pytest

from tests import tools

MISSING = "no-such-tool-4a1f"  # a program no machine has


@pytest.fixture
def fake_tools(monkeypatch):
    """PACKAGES with one tool that is always missing and one that is always there (sh)."""
    monkeypatch.setattr(tools, "PACKAGES", {MISSING: "no-such-package", "sh": "dash"})


def test_a_missing_tool_skips_with_the_install_command(fake_tools, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=f"^needs {MISSING}: sudo apt-get install no-such-package$"):
        tools.require_tools("sh", MISSING)


@pytest.mark.parametrize("ci", ["true", "TRUE"])
def test_a_missing_tool_fails_under_ci(fake_tools, monkeypatch, ci):
    monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.fail.Exception, match=f"^needs {MISSING}: sudo apt-get install no-such-package$"):
        tools.require_tools(MISSING)


@pytest.mark.parametrize("ci", [None, "true"])
def test_present_tools_pass(fake_tools, monkeypatch, ci):
    if ci:
        monkeypatch.setenv("CI", ci)
    else:
        monkeypatch.delenv("CI", raising=False)
    tools.require_tools("sh")
    assert tools.missing_packages() == ["no-such-package"]


def test_an_unlisted_tool_is_a_mistake_in_the_test():
    with pytest.raises(ValueError, match="add the tool and its Debian package"):
        tools.require_tools("xvfb")  # the tool is Xvfb; xvfb is its package


@pytest.mark.parametrize("ci, outcome", [(None, "skipped"), ("true", "errors")])
def test_the_needs_mark_acts_before_fixtures(pytester, fake_tools, monkeypatch, ci, outcome):
    if ci:
        monkeypatch.setenv("CI", ci)
    else:
        monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")  # the mark needs no plugin; loading them all is slow
    pytester.makeconftest("from tests.conftest import pytest_runtest_setup")
    pytester.makepyfile(f"""
        import pytest

        @pytest.fixture
        def server():
            raise AssertionError("a fixture ran although the tool is missing")

        @pytest.mark.needs("sh", {MISSING!r})
        def test_it(server):
            pass
    """)
    result = pytester.runpytest("-rfEs", "-p", "no:cacheprovider")
    result.assert_outcomes(**{outcome: 1})
    result.stdout.fnmatch_lines([f"*{'Failed: ' if ci else ''}needs {MISSING}: sudo apt-get install no-such-package"])
    result.stdout.no_fnmatch_line("*a fixture ran*")
