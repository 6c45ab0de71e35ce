"""Implicit-emoji decoder: data synthesis, candidate tables, ranker training, export, evaluation.

Run the steps in order (see docs/decoder.md):
    python -m training.implicit.candidates      CLDR names + word lists + pronunciations → candidates.json.gz
    python -m training.implicit.synthesize      plain text → emoji-substituted examples, split by sentence
    python -m training.implicit.train_decoder   examples → ranker checkpoint
    python -m training.implicit.export_decoder  checkpoint → model.onnx (int8) + manifest.json
    python -m training.implicit.evaluate_decoder  synthetic held-out, hand-written cases, downstream check
"""
