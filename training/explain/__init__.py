"""The explain model's training: candidate tables, synthetic data, ranker training, export, evaluation.

Run the steps in order (see docs/explain.md):
    python -m training.explain.build_candidates   CLDR names + word lists + pronunciations → candidates.json.gz
    python -m training.explain.synthesize         plain text → emoji-substituted examples, split by sentence
    python -m training.explain.pairs              training sentences → word-pair counts (in candidates.json.gz)
    python -m training.explain.train_ranker       examples → ranker checkpoint
    python -m training.explain.export_ranker      checkpoint → model.onnx + context.npz (int8) + manifest.json
    python -m training.explain.evaluate_readings  synthetic held-out, hand-written cases, downstream check

Shared by the steps: words.py, pronounce.py, sentences.py, community.py (the curated slang table);
split_puns.py, kind_prior.py and corpora.py are steps of their own, run when docs/explain.md says.
"""
