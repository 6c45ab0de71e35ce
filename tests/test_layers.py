"""The layers hold: the import contracts in pyproject.toml, and the core at run time.

The contracts are import-linter's (`lint-imports` runs the same ones by hand); a broken one fails
this test with import-linter's report, which names each offending import chain and its line.
"""
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent


def contracts() -> list[dict]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]


def test_import_contracts_hold():
    # In a process of its own: import-linter reconfigures logging, which would leak into later tests.
    run = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(no_cache=True))"
    proc = subprocess.run([sys.executable, "-c", run], cwd=ROOT, capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:  # the report names each broken contract and the import chains that break it
        pytest.fail(f"import contracts broken:\n{proc.stdout}{proc.stderr}", pytrace=False)
    assert f"{len(contracts())} kept, 0 broken" in proc.stdout


def test_the_core_loads_and_runs_without_any_surface_or_training_library(tiny_model):
    """What the first contract forbids the core to import statically, it must not import at run time either."""
    (core_contract,) = [c for c in contracts() if c.get("source_modules") == ["assistant.core"]]
    blocked = core_contract["forbidden_modules"]
    code = textwrap.dedent(f"""
        import sys
        BLOCKED = {blocked!r}
        class Block:
            def find_spec(self, name, path=None, target=None):
                if any(name == b or name.startswith(b + ".") for b in BLOCKED):
                    raise ImportError(f"the core imported {{name}}")
        sys.meta_path.insert(0, Block())
        from assistant.core import Assistant
        assistant = Assistant({str(tiny_model)!r})
        assert len(assistant.suggest("I love pizza")) == 5
        assert assistant.explain("Gute Nacht 🌙", lang="de").emojis[0].emoji == "🌙"
        assert assistant.shortcodes(["de"]).lookup("pizza") == "🍕"
        loaded = [m for m in sys.modules if any(m == b or m.startswith(b + ".") for b in BLOCKED)]
        assert not loaded, loaded
        print("ok")
    """)
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"
