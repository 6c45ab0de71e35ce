"""The runtime needs neither torch nor transformers, and a non-editable install carries the model."""
import json
import os
import shutil
import subprocess
import sys
import textwrap
import venv
from pathlib import Path

import pytest

from tests.tools import in_ci

ROOT = Path(__file__).resolve().parent.parent

BLOCK_HEAVY_IMPORTS = textwrap.dedent("""
    import sys
    class Block:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("torch", "transformers", "optimum"):
                raise ImportError(f"{name} must not be imported by the runtime")
    sys.meta_path.insert(0, Block())
""")


def test_runtime_works_without_torch_or_transformers(tiny_model):
    code = BLOCK_HEAVY_IMPORTS + textwrap.dedent(f"""
        from assistant import Assistant
        from assistant.cli import main
        out = Assistant({str(tiny_model)!r}).suggest("I love pizza")
        assert len(out) == 5, out
        assert not any(m.split(".")[0] in ("torch", "transformers") for m in sys.modules)
        print("ok")
    """)
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"


@pytest.mark.model
@pytest.mark.slow
def test_non_editable_install_carries_the_default_model(tmp_path):
    builder = _wheel_builder()
    if builder is None:
        message = "building the wheel offline needs pip and setuptools>=70.1 (or setuptools and wheel): pip install -U setuptools"
        if in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    env_dir = tmp_path / "venv"
    bin_dir = env_dir / ("Scripts" if sys.platform == "win32" else "bin")
    python = bin_dir / "python"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # nothing may lead back to the checkout
    # A bare venv that sees this environment's packages (the runtime's dependencies and pip) through a .pth
    # file, so nothing is downloaded. venv's system_site_packages would not do: from inside a venv it shows
    # the base interpreter's packages, not this venv's. The .pth's folders come after the venv's own and
    # their .pth files are not read, so the checkout's editable install stays out of the way.
    venv.create(env_dir)
    purelib = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                             capture_output=True, text=True, timeout=60, env=env, check=True).stdout.strip()
    (Path(purelib) / "outer_environment.pth").write_text("\n".join(_package_dirs()) + "\n", encoding="utf-8")
    # Build the wheel with installed build tools (offline) from a copy of the source: setuptools puts all of
    # build/lib into a wheel, so an in-place build would also ship modules deleted since the last one.
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".git", "build", "dist", "*.egg-info", "__pycache__",
                                                                ".pytest_cache", ".venv", "node_modules"))
    wheel_dir = tmp_path / "wheels"
    build = subprocess.run([builder, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
                            "--wheel-dir", str(wheel_dir), str(source)], capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr
    (wheel,) = wheel_dir.glob("emoji_assistant-*.whl")
    install = subprocess.run([python, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet", str(wheel)],
                             capture_output=True, text=True, timeout=300, env=env)
    assert install.returncode == 0, install.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    proc = subprocess.run([bin_dir / "emoji-assistant", "suggest", "I love pizza", "--json"], cwd=elsewhere,
                          capture_output=True, text=True, timeout=120, env={"PATH": str(bin_dir)})
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert len(result["suggestions"]) == 5
    location = subprocess.run([python, "-c", "import assistant.core.paths as p; print(p.default_model_dir())"],
                              cwd=elsewhere, capture_output=True, text=True, timeout=60, env=env)
    assert str(env_dir) in location.stdout  # loaded from the installed package, not the checkout
    data = subprocess.run([python, "-c", "from importlib.resources import files; from assistant.core.paths import data_file; "
                           "print(all(f.is_file() for f in [data_file('lexicon.json.gz'), data_file('popularity.json'), "
                           "data_file('words', 'en.txt.gz'), data_file('chat_ngrams', 'ru.npz'), data_file('feeling_ngrams.npz'), "
                           "files('assistant.web') / 'page.html']))"],
                          cwd=elsewhere, capture_output=True, text=True, timeout=60, env=env)
    assert data.stdout.strip() == "True", data.stderr  # the runtime's data files and the web page
    commands = subprocess.run([bin_dir / "emoji-assistant", "--help"], cwd=elsewhere, capture_output=True, text=True,
                              timeout=60, env={"PATH": str(bin_dir)})
    assert "{suggest,eval,bench,info,explain,web,logs,desktop,models}" in commands.stdout, commands.stderr  # entry points
    autostart = subprocess.run([python, "-c", "from assistant.desktop.autostart import autostart_files as f; "
                                "print(f('darwin')[0].text); print(f('linux')[0].text)"],
                               cwd=elsewhere, capture_output=True, text=True, timeout=60, env=env)
    assert autostart.returncode == 0 and "org.emoji-assistant.desktop" in autostart.stdout, autostart.stderr


def _package_dirs() -> list[str]:
    """This environment's package folders: a venv's own and, if it has --system-site-packages, its base's."""
    return [entry for entry in sys.path if Path(entry).name in ("site-packages", "dist-packages")]


def _wheel_builder() -> str | None:
    """This interpreter or else its base, whichever can build a wheel without the network.

    setuptools builds wheels itself from 70.1 on; before, it needs the wheel package. A venv's own old
    setuptools (Python 3.11's venv brings 65) shadows a newer one in the base it was made --system-site-packages from.
    """
    can_build = ("import importlib.util as u, setuptools; "
                 "exit(not (u.find_spec('pip') and (u.find_spec('setuptools.command.bdist_wheel') or u.find_spec('wheel'))))")
    for python in dict.fromkeys([sys.executable, getattr(sys, "_base_executable", sys.executable)]):
        if subprocess.run([python, "-c", can_build], capture_output=True, timeout=60).returncode == 0:
            return python
    return None
