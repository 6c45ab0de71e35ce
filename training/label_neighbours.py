"""Which of a predictor's labels it treats as near-duplicates, recorded in its manifest.

Two labels are near-duplicates when their head weight rows point the same way (cosine
similarity): 😡 and 🤬, 😨 and 😰, 🤔 and ❓. The runtime reads the pairs so that a sombre
message's list spreads over several feelings instead of showing one feeling's five faces
(assistant.core.rank). `training.export` and `training.rehead` record them for the models
they write; this command records them for a model folder written before them.

    python -m training.label_neighbours --model models/emoji-predictor
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from training.lib.defaults import MODEL_DIR
from training.lib.manifest_writer import command_line, save_manifest
from training.lib.neighbours import MIN_COSINE, label_neighbours


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=MODEL_DIR, help="predictor folder (default: %(default)s)")
    parser.add_argument("--min-cosine", type=float, default=MIN_COSINE, help="record pairs at least this alike "
                                                                             "(default: %(default)s)")
    args = parser.parse_args(argv)
    path = args.model / "manifest.json"
    if not path.is_file():
        raise SystemExit(f"{args.model}: no manifest.json; pass a predictor folder")
    import onnx

    from training.lib.dequantize import head_weights

    manifest = json.loads(path.read_text(encoding="utf-8"))
    try:
        weight, _ = head_weights(onnx.load(str(args.model / "model.onnx")))
        manifest["label_neighbours"] = label_neighbours(weight, list(manifest["labels"]), args.min_cosine)
    except ValueError as err:
        raise SystemExit(f"{args.model}: {err}") from None
    manifest.setdefault("created_by", {}).setdefault("commands", []).append(command_line("training.label_neighbours",
                                                                                         argv))
    save_manifest(args.model, manifest)
    print(f"{path}: {len(manifest['label_neighbours']['pairs'])} label pairs at cosine ≥ {args.min_cosine}")
    return path


if __name__ == "__main__":
    main()
