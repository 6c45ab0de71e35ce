"""The explain model's training: candidate tables, synthetic data, ranker training, export, evaluation.

Run the steps in order (see docs/explain.md):
    python -m training.explain.candidates  CLDR names + word lists + pronunciations → candidates.json.gz
    python -m training.explain.synthesize  plain text → emoji-substituted examples, split by sentence
    python -m training.explain.pairs       training sentences → word-pair counts (in candidates.json.gz)
    python -m training.explain.train       examples → ranker checkpoint
    python -m training.explain.export      checkpoint → model.onnx + context.npz (int8) + manifest.json
    python -m training.explain.evaluation  synthetic held-out, hand-written cases, downstream check
"""
