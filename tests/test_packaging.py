"""The runtime needs neither torch nor transformers, and a non-editable install carries the model."""
import json
import subprocess
import sys
import textwrap
import venv
from pathlib import Path

import pytest

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
    env_dir = tmp_path / "venv"
    venv.create(env_dir, system_site_packages=True, with_pip=True)
    bin_dir = env_dir / ("Scripts" if sys.platform == "win32" else "bin")
    # Build the wheel with this interpreter's build tools (offline), install it into the fresh venv.
    wheel_dir = tmp_path / "wheels"
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
                            "--wheel-dir", str(wheel_dir), str(ROOT)], capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr
    (wheel,) = wheel_dir.glob("emoji_assistant-*.whl")
    install = subprocess.run([bin_dir / "python", "-m", "pip", "install", "--no-deps", "--no-index", "--quiet",
                              str(wheel)], capture_output=True, text=True, timeout=300)
    assert install.returncode == 0, install.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    proc = subprocess.run([bin_dir / "emoji-assistant", "suggest", "I love pizza", "--json"], cwd=elsewhere,
                          capture_output=True, text=True, timeout=120, env={"PATH": str(bin_dir)})
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert len(result["suggestions"]) == 5
    location = subprocess.run([bin_dir / "python", "-c", "import assistant.paths as p; print(p.default_model_dir())"],
                              cwd=elsewhere, capture_output=True, text=True, timeout=60)
    assert str(env_dir) in location.stdout  # loaded from the installed package, not the checkout
    autostart = subprocess.run([bin_dir / "python", "-c", "from assistant.desktop.autostart import autostart_files as f; "
                                "print(f('darwin')[0].text); print(f('linux')[0].text)"],
                               cwd=elsewhere, capture_output=True, text=True, timeout=60)
    assert autostart.returncode == 0 and "org.emoji-assistant.desktop" in autostart.stdout, autostart.stderr
