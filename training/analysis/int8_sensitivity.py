"""Which int8 MatMuls cost the most agreement with fp32? Quantize the exported model once as
is, then once per group of weight MatMuls left in fp32 (the MatMuls that read one activation:
a layer's query/key/value, its attention output, its feed-forward input or output), and
score each against fp32 on held-out texts. Also scores the int8 embedding table alone and
the int8 MatMuls alone, and how far the int8 logits move against how close the fp32 top two
are: flips between near-ties that every layer causes a little of cannot be fixed by
leaving one group in fp32. Feed the names it ranks first to `export --keep-fp32`.

    python -m training.analysis.int8_sensitivity --run build/run --model models/emoji-predictor
"""
from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np

from assistant.core.tokenizer import TextEncoder
from training.export import EXPORT_MAX_LENGTH, batches, calibration_feeds
from training.lib.defaults import BUILD, MODEL_DIR, RUN_DIR
from training.lib.examples import read_examples
from training.lib.quantize import onnx_logits, quantize_int8, top1_agreement, weighted_matmuls


def matmul_groups(model) -> dict[str, list[str]]:
    """{first node's name: names of the weight MatMuls that read the same activation}."""
    return {nodes[0].name: [n.name for n in nodes] for nodes in weighted_matmuls(model).values()}


def matmul_names(model) -> list[str]:
    """Every MatMul, the activation × activation products of attention included."""
    return [node.name for node in model.graph.node if node.op_type == "MatMul"]


def margin_report(reference: np.ndarray, int8: np.ndarray) -> dict:
    """How far int8 moves the logits, against how close fp32's top two are where it flips."""
    top2 = np.sort(reference, 1)[:, -2:]
    margin = top2[:, 1] - top2[:, 0]
    flipped = reference.argmax(1) != int8.argmax(1)
    return {"logit_shift_std": round(float(np.std(int8 - reference)), 4),
            "top2_margin_quantiles": {f"{q:.0%}": round(float(np.quantile(margin, q)), 4) for q in (0.01, 0.02, 0.05)},
            "flipped_median_margin": round(float(np.median(margin[flipped])), 4) if flipped.any() else None}


def main(argv: list[str] | None = None) -> dict:
    import onnx
    from tqdm.auto import tqdm

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", type=Path, default=RUN_DIR, help="training run whose export/model_fp32.onnx to read")
    parser.add_argument("--model", type=Path, default=MODEL_DIR,
                        help="the exported model folder (its pruned tokenizer.json matches model_fp32.onnx)")
    parser.add_argument("--texts", type=int, default=2000, help="validation texts to score agreement on")
    parser.add_argument("--out", type=Path, default=BUILD / "int8_sensitivity.json")
    args = parser.parse_args(argv)

    fp32 = args.run / "export" / "model_fp32.onnx"
    if not fp32.exists():
        raise FileNotFoundError(f"no {fp32}: run `python -m training.export --run {args.run}` first")
    # the export recorded its run's settings: the examples file, without loading the checkpoint
    manifest = json.loads((args.model / "manifest.json").read_text(encoding="utf-8"))
    splits = read_examples(manifest["created_by"]["config"]["examples"])
    encoder = TextEncoder(args.model / "tokenizer.json", max_length=EXPORT_MAX_LENGTH)
    texts = [r["text"] for r in splits["val"]][: args.texts]
    calibration = calibration_feeds(encoder, splits["train"])
    reference = onnx_logits(fp32, batches(encoder, texts))

    def agreement(model: Path) -> tuple[float, np.ndarray]:
        logits = onnx_logits(model, batches(encoder, texts))
        return round(top1_agreement(reference, logits), 4), logits

    graph = onnx.load(str(fp32))
    groups, every_matmul = matmul_groups(graph), matmul_names(graph)
    report: dict = {"texts": len(texts), "standard_error": round(float(np.sqrt(0.01 * 0.99 / len(texts))), 4)}
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        report["all_int8"], logits = agreement(quantize_int8(fp32, scratch / "all.onnx", calibration))
        report["margins"] = margin_report(reference, logits)
        report["embeddings_only_int8"], _ = agreement(
            quantize_int8(fp32, scratch / "emb.onnx", keep_fp32=every_matmul))
        report["matmuls_only_int8"], _ = agreement(
            quantize_int8(fp32, scratch / "mm.onnx", calibration, embeddings=False))
        report["group_in_fp32"] = {}
        for name, nodes in tqdm(groups.items(), desc="groups left in fp32", unit="group"):
            report["group_in_fp32"][name], _ = agreement(
                quantize_int8(fp32, scratch / "group.onnx", calibration, keep_fp32=nodes))
    ranked = sorted(report["group_in_fp32"].items(), key=lambda item: -item[1])
    print(f"{len(texts)} texts (standard error near 99%: {report['standard_error']:.2%}); all int8 {report['all_int8']:.2%}, "
          f"embeddings alone {report['embeddings_only_int8']:.2%}, MatMuls alone {report['matmuls_only_int8']:.2%}")
    print(f"int8 logit shift (std) {report['margins']['logit_shift_std']}; fp32 top-2 margin quantiles "
          f"{report['margins']['top2_margin_quantiles']}")
    for name, value in ranked:
        print(f"  {value:.2%}  {name} ({len(groups[name])} MatMul{'s' if len(groups[name]) > 1 else ''}) in fp32")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return report


if __name__ == "__main__":
    main()
