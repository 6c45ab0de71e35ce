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


def earlier_refits(head: dict | None) -> list[dict]:
    """The head refits before the one `head` records, newest first, each {"refit_over_frozen_encoder": its
    settings whole, "labels_added": […]}. Reads both forms a manifest may hold: the list written since
    0.15.0, whose entries keep what differed from `head`'s own settings, and the older chain in which
    each record nested the whole one before it. A setting a refit did not have reads None."""
    earlier = (head or {}).get("earlier")
    if isinstance(earlier, list):
        base = (head or {}).get("refit_over_frozen_encoder") or {}
        return [{**record, "refit_over_frozen_encoder": {**base, **(record.get("refit_over_frozen_encoder") or {})}}
                for record in earlier]
    chain = []
    while earlier:
        chain.append(_own(earlier))
        earlier = earlier.get("earlier")
    return chain


def head_record(refit: dict, labels_added: list[str], earlier_head: dict | None) -> dict:
    """A head refit's record for manifest["extra"]["head"]: this refit's settings whole, and the refits
    before it (the one `earlier_head` records, then its own earlier ones) each with only the settings
    that differ from this one's, so that a chain of refits adds a line per release, not a copy of all."""
    before = [_own(earlier_head), *earlier_refits(earlier_head)] if earlier_head else []
    return {"refit_over_frozen_encoder": refit, "labels_added": list(labels_added),
            **({"earlier": [_differences(record, refit) for record in before]} if before else {})}


def _own(record: dict) -> dict:
    """A refit's record without the refits before it."""
    return {key: value for key, value in record.items() if key != "earlier"}


def _differences(record: dict, refit: dict) -> dict:
    """An earlier refit's record with only the settings that differ from `refit`'s; one it did not have
    (the first refit's `started_from`, a setting added since) is None."""
    settings = record.get("refit_over_frozen_encoder") or {}
    changed = {key: value for key, value in settings.items() if refit.get(key) != value}
    changed.update({key: None for key in refit if key not in settings})
    return {"refit_over_frozen_encoder": changed, "labels_added": list(record.get("labels_added") or [])}
