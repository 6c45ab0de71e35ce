"""Where the pipeline reads and writes unless told otherwise: paths relative to the checkout's root,
where the steps run. Every step's and tool's default path comes from here, so the README's commands
and the defaults cannot drift apart. (The runtime's own paths are assistant.core.paths.)
"""
from __future__ import annotations

from pathlib import Path

from assistant.core.paths import DEFAULT_MODEL

SHARED_DATA = Path("../shared/data")  # the raw corpora, laid out as training.prepare reads them
DEEPMOJI_BENCHMARKS = SHARED_DATA / "deepmoji_benchmarks"  # DeepMoji's eight benchmarks (training.analysis.transfer)
BUILD = Path("build")  # everything the pipeline makes that does not ship
E5_DIR = BUILD / "e5-small"  # training.convert_e5 → the base encoder, a transformers folder
EXAMPLES = BUILD / "examples.jsonl"  # training.prepare → deduplicated examples with their splits
RUN_DIR = BUILD / "run"  # training.train → checkpoints and model.pt
EVAL_DIR = BUILD / "eval"  # training.evaluation → one TSV per evaluation set
MODEL_DIR = Path("models") / DEFAULT_MODEL  # training.export → the shipped emoji predictor
RETRAIN_DIR = BUILD / "retrain"  # training.retrain → the recovered base, checkpoints, model/, report/
FEELINGS_SUITES = (Path("training/data/feelings_dev.jsonl"), Path("training/data/feelings_test.jsonl"))  # hand-written
RETRAIN_CONFIG = Path("training/configs/retrain.toml")  # the retrain's TrainConfig recipe
RUNTIME_DATA = Path("assistant/core/data")  # the lexicon, popularity prior and word lists the runtime reads
# training.build_feeling_ngrams → the feeling n-grams as chosen on validation, before any refit on the val rows
# too: training.build_chat_ngrams ranks its feelings check with these
FEELING_NGRAMS_CHOSEN = BUILD / "feeling_ngrams.chosen.npz"

EXPLAIN_MODEL_DIR = Path("models/emoji-explain")  # the explain model, found by the runtime beside MODEL_DIR
EXPLAIN_TABLE = EXPLAIN_MODEL_DIR / "candidates.json.gz"  # training.explain.build_candidates → candidate tables
EXPLAIN_BUILD = BUILD / "explain"
EXPLAIN_EXAMPLES = EXPLAIN_BUILD / "examples.jsonl"  # training.explain.synthesize → emoji-substituted messages
RANKER_CHECKPOINT = EXPLAIN_BUILD / "ranker.pt"  # training.explain.train_ranker → the ranker checkpoint
