"""Write models/<name>/manifest.json: the contract the runtime checks on load."""
from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

from assistant.core.manifest import FORMAT_VERSION, MODEL_FILES, sha256_file


def write_manifest(model_dir: Path, **fields) -> Path:
    """Hash the model files and write the manifest; `fields` fill the Manifest dataclass."""
    data = {"format_version": FORMAT_VERSION, "task": "emoji-prediction", **fields}
    data["files"] = {name: sha256_file(model_dir / name) for name in MODEL_FILES}
    return save_manifest(model_dir, data)


def save_manifest(model_dir: Path, data: dict) -> Path:
    """Write `data` as the folder's manifest.json, in the one layout every model folder uses
    (UTF-8 emojis as they are, two-space indents)."""
    path = Path(model_dir) / "manifest.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def update_metrics(model_dir: Path, eval_name: str, metrics: dict) -> None:
    """Record one evaluation set's figures in an existing manifest (hashes are unaffected)."""
    data = json.loads((model_dir / "manifest.json").read_text(encoding="utf-8"))
    data.setdefault("metrics", {})[eval_name] = metrics
    save_manifest(model_dir, data)


def command_line(module: str, argv: list[str] | None = None) -> str:
    """The command as a user would retype it: `python -m training.export --run ...`."""
    args = sys.argv[1:] if argv is None else argv
    return " ".join(["python", "-m", module, *map(shlex.quote, args)])
