"""Bind the explain model to a predictor whose encoder was trained further, without retraining it.

The explain model's context reads the predictor's token states, and its piece vectors index the
predictor's vocabulary. When a predictor's encoder is trained further with its vocabulary kept
(training.train --init_from, then training.export with the same pieces), the piece vectors still
name the same pieces and only the token states move; the ranker can read the new states as it is,
and whether it still reads them well is measured afterwards (training.explain.evaluate_readings).
This checks that the explain model is bound to `--from` and that both predictors have the same
vocabulary, then points it at the new one. A changed vocabulary needs training.revocab --explain.

    python -m training.explain.rebind --explain models/emoji-explain --from build/emoji-predictor-OLD \
        --predictor build/candidate --version X.Y.Z
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from assistant.core.manifest import sha256_file
from training.lib.defaults import EXPLAIN_MODEL_DIR, MODEL_DIR
from training.lib.manifest_writer import command_line

from .export_ranker import note_rebinding, rebind

PREDICTOR_FILES = ["manifest.json", "model.onnx", "tokenizer.json"]


def rebind_to_trained_encoder(explain_dir: Path, old_predictor: Path, new_predictor: Path, version: str = "") -> str:
    """The line saying what was done; ValueError (nothing written) when the binding or the vocabularies do not match."""
    old_sha, new_sha = sha256_file(old_predictor / "model.onnx"), sha256_file(new_predictor / "model.onnx")
    if sha256_file(old_predictor / "tokenizer.json") != sha256_file(new_predictor / "tokenizer.json"):
        raise ValueError(f"{new_predictor} has another vocabulary than {old_predictor}: "
                         f"map the context onto it with training.revocab --explain")
    new = json.loads((new_predictor / "manifest.json").read_text(encoding="utf-8"))
    old = json.loads((old_predictor / "manifest.json").read_text(encoding="utf-8"))
    name = f"{new['name']} {new['version']}"

    def record(manifest: dict) -> None:  # its readings change with the token states: another release of the explain model
        note_rebinding(manifest, f"bound to {name}, whose encoder is {old['name']} {old['version']}'s trained further "
                                 f"with the same vocabulary, without retraining ({command_line('training.explain.rebind')})",
                       version)

    if not rebind(explain_dir, old_sha, new_sha, name, update=record):
        raise ValueError(f"{explain_dir} is not bound to {old_predictor} ({old['name']} {old['version']})")
    return f"{explain_dir}: bound to {name} (token states changed: measure it with training.explain.evaluate_readings)"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--explain", type=Path, default=EXPLAIN_MODEL_DIR, help=f"default {EXPLAIN_MODEL_DIR}")
    parser.add_argument("--from", dest="old", type=Path, required=True, help="the predictor it is bound to now")
    parser.add_argument("--predictor", type=Path, default=MODEL_DIR, help=f"the predictor to bind it to (default {MODEL_DIR})")
    parser.add_argument("--version", default="", help="the explain model's new version (default: unchanged)")
    args = parser.parse_args(argv)
    for folder, files in ((args.explain, ["manifest.json"]), (args.old, PREDICTOR_FILES), (args.predictor, PREDICTOR_FILES)):
        missing = [name for name in files if not (folder / name).is_file()]
        if missing:
            parser.error(f"{folder}: not a model folder (no {', '.join(missing)})")
    try:
        print(rebind_to_trained_encoder(args.explain, args.old, args.predictor, args.version))
    except ValueError as error:
        raise SystemExit(f"error: {error}") from None


if __name__ == "__main__":
    main()
