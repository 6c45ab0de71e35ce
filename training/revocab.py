"""Re-choose a shipped predictor's vocabulary, no retraining: swap in the pieces that
training.lib.prune_vocab keeps today.

A predictor fine-tuned with frozen word embeddings (`freeze_embeddings`, as every shipped
one) holds the base encoder's own row for each piece it kept. Any other budget of pieces
is therefore exactly what `training.export` would have written with that budget: this
rewrites the int8 word-embedding table and tokenizer.json, checks that the kept rows really
are the base encoder's (it refuses a model whose embeddings were trained), and reports how
often the model's first choice is unchanged on validation messages, per source.

An explain model bound to the old predictor is bound to the new one too: its context piece
vectors are a linear map of the word embeddings (training.explain.train_ranker), so the map
is recovered from the old vectors by least squares and applied to the new embedding rows.

    python -m training.revocab --model models/emoji-predictor --base build/e5-small \
        --examples build/examples.jsonl --explain models/emoji-explain
"""
from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

import numpy as np

from assistant.core.lexicon import Lexicon
from assistant.core.manifest import sha256_file
from assistant.core.tokenizer import TextEncoder
from training.lib.defaults import E5_DIR, EXAMPLES, EXPLAIN_MODEL_DIR, MODEL_DIR
from training.lib.examples import read_examples
from training.lib.manifest_writer import command_line, save_manifest
from training.lib.prune_vocab import MIN_COUNT, policy, prune
from training.lib.quantize import EMBEDDING_STORAGE, EmbeddingTable, top1_agreement


def base_embeddings(base: Path) -> np.ndarray:
    """The base encoder's word-embedding matrix [pieces, hidden] (a transformers folder, safetensors)."""
    from safetensors.numpy import load_file

    weights = load_file(str(base / "model.safetensors"))
    name = next((k for k in weights if k.endswith("word_embeddings.weight")), None)
    if name is None:
        raise SystemExit(f"{base}: no word-embedding matrix in model.safetensors")
    return weights[name]


def piece_ids(tokenizer_json: dict, base_json: dict) -> list[int]:
    """The base id of each piece of a pruned tokenizer, in its order."""
    index = {piece: i for i, (piece, _) in enumerate(base_json["model"]["vocab"])}
    try:
        return [index[piece] for piece, _ in tokenizer_json["model"]["vocab"]]
    except KeyError as missing:
        raise SystemExit(f"piece {missing} is not in the base tokenizer: the model was not pruned from this base")


def logits(model_file: Path, tokenizer: Path, texts: list[str], size: int = 64) -> np.ndarray:
    from training.export import EXPORT_MAX_LENGTH, batches
    from training.lib.quantize import onnx_logits

    return onnx_logits(model_file, batches(TextEncoder(tokenizer, max_length=EXPORT_MAX_LENGTH), texts, size))


def rebind_explain(explain_dir: Path, old_sha: str, new_sha: str, old_rows: np.ndarray, new_rows: np.ndarray,
                   predictor: str, version: str = "", command: str = "") -> str:
    """Map the explain model's context piece vectors onto the new vocabulary, recording it in its manifest
    (and `version`, its new version: its readings change with the vectors); a line saying what was done."""
    from assistant.core.explain import CONTEXT_FILE, ContextModel
    from training.explain.export_ranker import note_rebinding, rebind, write_context

    fit = None

    def map_context(manifest: dict) -> None:
        nonlocal fit
        context = ContextModel.load(explain_dir / CONTEXT_FILE)
        pieces = context.dense_piece_vectors()
        projection, *_ = np.linalg.lstsq(old_rows, pieces, rcond=None)  # [hidden, rank]
        fit = np.linalg.norm(old_rows @ projection - pieces) / np.linalg.norm(pieces)
        write_context(explain_dir / CONTEXT_FILE, ContextModel(context.site_weight, context.site_bias, new_rows @ projection))
        manifest["files"][CONTEXT_FILE] = sha256_file(explain_dir / CONTEXT_FILE)
        note_rebinding(manifest, f"context piece vectors mapped onto {predictor}'s vocabulary by least squares "
                                 f"(residual {fit:.3f}" + (f"; {command})" if command else ")"), version)

    if not rebind(explain_dir, old_sha, new_sha, predictor, update=map_context):
        return f"{explain_dir}: not bound to this predictor, left as it is"
    return f"{explain_dir}: context piece vectors mapped onto the new vocabulary (least-squares residual {fit:.3f})"


def main(argv: list[str] | None = None) -> dict:
    import onnx

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=MODEL_DIR)
    parser.add_argument("--base", type=Path, default=E5_DIR, help="the base encoder (training.convert_e5)")
    parser.add_argument("--examples", type=Path, default=EXAMPLES, help="training texts and validation messages")
    parser.add_argument("--max-pieces", type=int, default=0, help="vocabulary budget (0: as many pieces as now)")
    parser.add_argument("--min-count", type=int, default=MIN_COUNT,
                        help=f"uses in the training texts that keep a piece before common words (default {MIN_COUNT})")
    parser.add_argument("--explain", type=Path, default=EXPLAIN_MODEL_DIR, help="explain model to rebind, if bound")
    parser.add_argument("--version", help="the model's new version (default: unchanged)")
    parser.add_argument("--explain-version", default="", help="the explain model's new version (default: unchanged)")
    parser.add_argument("--parity-texts", type=int, default=600, help="validation messages per source")
    args = parser.parse_args(argv)

    manifest = json.loads((args.model / "manifest.json").read_text(encoding="utf-8"))
    if not manifest.get("created_by", {}).get("config", {}).get("freeze_embeddings"):
        raise SystemExit(f"{args.model}: trained with its word embeddings free; re-export it from its run instead")
    base_json = json.loads((args.base / "tokenizer.json").read_text(encoding="utf-8"))
    old_json = json.loads((args.model / "tokenizer.json").read_text(encoding="utf-8"))
    base = base_embeddings(args.base)

    model_file = args.model / "model.onnx"
    model = onnx.load(str(model_file))
    try:
        table = EmbeddingTable(model.graph)
    except ValueError as exc:
        raise SystemExit(f"{model_file}: {exc}; export it with training.export")
    old_ids = piece_ids(old_json, base_json)
    old_rows = table.rows
    if mismatched := table.mismatch(base[old_ids]):  # these rows were trained, or come from another base
        raise SystemExit(f"{args.model}: {mismatched} embedding rows differ from the base encoder's")

    splits = read_examples(str(args.examples))
    budget = args.max_pieces or len(old_ids)
    new_ids, new_json = prune(args.base / "tokenizer.json", [r["text"] for r in splits["train"]], budget,
                              Lexicon.load().languages, args.min_count)
    by_source = defaultdict(list)
    for row in splits["val"]:
        if len(by_source[row["source"]]) < args.parity_texts:
            by_source[row["source"]].append(row["text"])
    texts = [t for rows in by_source.values() for t in rows]
    before = logits(model_file, args.model / "tokenizer.json", texts)

    stored_as = table.scheme
    new_rows = table.replace(base[new_ids])  # an int8 table of base rows goes to 4-bit blocks, as export stores it now
    old_sha = manifest["files"]["model.onnx"]
    onnx.save(model, str(model_file))
    (args.model / "tokenizer.json").write_text(json.dumps(new_json, ensure_ascii=False, separators=(",", ":")),
                                              encoding="utf-8")  # compact: the folder has a size budget
    after = logits(model_file, args.model / "tokenizer.json", texts)

    parity, start = {}, 0
    for source, rows_ in by_source.items():
        parity[source] = round(top1_agreement(before[start:start + len(rows_)], after[start:start + len(rows_)]), 4)
        start += len(rows_)
    kept, dropped = len(set(new_ids) - set(old_ids)), len(set(old_ids) - set(new_ids))
    manifest["files"] = {name: sha256_file(args.model / name) for name in manifest["files"]}
    manifest["version"] = args.version or manifest["version"]
    manifest["extra"]["vocabulary_pieces"] = len(new_ids)
    if table.scheme != stored_as and "quantization" in manifest["extra"]:
        manifest["extra"]["quantization"] = manifest["extra"]["quantization"].replace(
            EMBEDDING_STORAGE[stored_as], EMBEDDING_STORAGE[table.scheme])
    manifest["extra"]["vocabulary"] = {
        "chosen_by": policy(args.min_count),
        "swapped_in_after_training": {"pieces_added": kept, "pieces_dropped": dropped,
                                      "first_choice_unchanged_on_validation": parity},
    }
    manifest["created_by"]["commands"].append(command_line("training.revocab", argv))
    save_manifest(args.model, manifest)
    print(f"{args.model}: {kept} pieces added, {dropped} dropped; first choice unchanged on validation: {parity}")

    if (args.explain / "manifest.json").is_file():
        predictor = f"{manifest['name']} {manifest['version']}"
        print(rebind_explain(args.explain, old_sha, manifest["files"]["model.onnx"], old_rows, new_rows, predictor,
                             args.explain_version, command_line("training.revocab", argv)))
    return parity


if __name__ == "__main__":
    main()
