"""A versioned root of two tiny models whose answers tell them apart, and a hash of every file of a folder."""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from assistant.core.versions import ModelVersions
from tests.factory import LABELS

# The tiny model's weights with other labels: every emoji version 2 suggests says which version answered.
OTHER_LABELS = ["🐶", "🐱", "🐭", "🐹", "🐰", "🦊", "🐻", "🐼"]
NONSENSE = "qwzx blorp"  # no keyword of any language: the suggestions are the model's own labels


def second_version(tiny_model: Path, path: Path) -> Path:
    """A copy of the tiny model as version 0.0.2 with OTHER_LABELS (its files' hashes still hold)."""
    shutil.copytree(tiny_model, path)
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    manifest.update(version="0.0.2", labels=OTHER_LABELS)
    manifest["metrics"] = {"test": {"top1": 41.0, "top5": 72.5, "macro_f1": 33.25}}
    (path / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return path


def two_versions(tiny_model: Path, tmp_path: Path) -> tuple[ModelVersions, str, str]:
    """(versions, first, second): a root with the tiny model current and its second version added."""
    versions = ModelVersions.init(tmp_path / "root", tiny_model)
    first = versions.current()
    second = versions.add(second_version(tiny_model, tmp_path / "candidate"))
    return versions, first, second


def which(emojis: list[str]) -> str:
    """"first" or "second": the version whose labels these suggestions are."""
    if emojis and set(emojis) <= set(LABELS):
        return "first"
    if emojis and set(emojis) <= set(OTHER_LABELS):
        return "second"
    raise AssertionError(f"suggestions from neither version: {emojis}")


def tree_hashes(folder: Path) -> dict[str, str]:
    """sha256 of every file under `folder`, by relative path."""
    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}
