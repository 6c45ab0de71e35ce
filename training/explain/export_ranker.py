"""Ranker checkpoint → models/emoji-explain: model.onnx (the ranker MLP), context.npz (the
context projections, int8, when the ranker was trained with them), manifest.json (hashes,
features, config).

The context projections are 99.9% of the explain model's weights and ship as int8, one scale
per row (training.lib.quantize.quantize_rows, as the predictor's word-embedding table). The MLP
(about 2,000 weights, 7 kB) stays fp32 by default: int8 activations cost it 6 points of
synthetic top-1 (76.2% → 70.1%, most of it on decorative emojis) to save 6 kB;
`--int8-ranker` quantizes it anyway. The exported ranker is checked against PyTorch on
random feature rows (top-1 per group of 20, groups without a near-tie); the agreement is
written to the manifest and a warning printed below 99%. With `--kind-prior CASES` (default:
the development set) the per-kind score shifts are counted and fitted on the exported files
(training.explain.kind_prior) and stored in the manifest.

    python -m training.explain.export_ranker --checkpoint build/explain/ranker.pt --out models/emoji-explain
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from assistant.core.explain import CONTEXT_FILE, FEATURES, KIND_COLUMNS, CandidateTable, ContextModel, ContextScorer, Ranker
from assistant.core.manifest import FORMAT_VERSION, ExplainManifest, sha256_file
from training.lib.defaults import EXPLAIN_MODEL_DIR, RANKER_CHECKPOINT
from training.lib.manifest_writer import save_manifest
from training.lib.quantize import quantize_rows

from .kind_prior import kind_prior
from .synthesize import EVALUATION_CASES
from .train_ranker import RankerConfig, build_model

OPSET = 17
NAME = "emoji-explain"  # 0.5.0 and before were published as "emoji-decoder"
VERSION = "0.7.0"  # the default --version


def export(checkpoint: Path, out_dir: Path, *, int8_ranker: bool = False, kind_prior_cases: str = "",
           predictor: str | None = None) -> dict:
    """Writes model.onnx and context.npz; `kind_prior_cases` (hand-written cases) also fits the
    kind prior, reading the context from `predictor` (default: the shipped one)."""
    import torch

    ckpt = torch.load(checkpoint, map_location="cpu", weights_only=False)
    if ckpt["features"] != list(FEATURES):
        raise ValueError(f"expected a ranker trained on features {list(FEATURES)}, found {ckpt['features']}; retrain")
    if kind_prior_cases and "train_answers" not in ckpt:  # checked before anything is written
        raise ValueError("the checkpoint does not record its training answers; retrain it or pass --kind-prior ''")
    token_states = context_states(ckpt, predictor) if kind_prior_cases and "context" in ckpt else None
    model = build_model(RankerConfig(**ckpt["config"]))
    model.load_state_dict(ckpt["state_dict"])
    model.eval()
    out_dir.mkdir(parents=True, exist_ok=True)
    fp32 = out_dir.parent / f".{out_dir.name}-fp32.onnx"

    class Scores(torch.nn.Module):  # [n, f] → [n]
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, features):
            return self.inner(features).squeeze(-1)

    torch.onnx.export(Scores(model), (torch.zeros(4, len(FEATURES)),), str(fp32), input_names=["features"],
                      output_names=["scores"], dynamic_axes={"features": {0: "n"}, "scores": {0: "n"}},
                      opset_version=OPSET, dynamo=False)
    ranker = out_dir / "model.onnx"
    if int8_ranker:
        quantize_int8(fp32, ranker)  # per-channel: a 32-wide layer has few weights per row
        fp32.unlink()
    else:
        fp32.replace(ranker)
    context = out_dir / CONTEXT_FILE
    if "context" in ckpt:
        c = ckpt["context"]
        write_context(context, ContextModel(c["site_weight"], c["site_bias"], c["piece_vectors"]))
    elif context.exists():
        context.unlink()  # a ranker without context must not be paired with an old context file
    agreement = parity(model, ranker)
    if agreement < 0.99:  # recorded in the manifest; the reported metrics are measured on the exported model
        print(f"warning: the exported ranker agrees with PyTorch on {agreement:.3f} of random groups (wanted ≥ 0.99)")
    prior = {}
    if kind_prior_cases:  # fitted on the exported files, as the runtime will score
        scorer = ContextScorer(ContextModel.load(context), token_states) if token_states is not None else None
        prior = kind_prior(ckpt, kind_prior_cases, CandidateTable.load(out_dir / "candidates.json.gz"),
                           Ranker(ranker), scorer)
    return {"parity_top1_agreement": round(agreement, 4), "checkpoint": ckpt, "int8_ranker": int8_ranker,
            "kind_prior": prior}


def rebind(explain_dir: Path, old_sha: str, new_sha: str, predictor: str, update=None) -> bool:
    """Point an explain model bound to the predictor file `old_sha` at `new_sha`, after
    `update(manifest)` (if given) rewrote what changes with it; False, and nothing written,
    when it is bound to another predictor."""
    path = explain_dir / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("context", {}).get("predictor_sha256") != old_sha:
        return False
    if update is not None:
        update(manifest)
    manifest["context"].update(predictor_sha256=new_sha, predictor=predictor)
    save_manifest(path.parent, manifest)
    return True


def note_rebinding(manifest: dict, note: str, version: str = "") -> None:
    """Record in an explain manifest how it came to read another predictor (after the notes before it),
    and its new `version` if given: its readings change with the predictor."""
    if version:
        manifest["version"] = version
    created = manifest.setdefault("created_by", {})
    created["rebound"] = f"{created['rebound']}; then {note}" if created.get("rebound") else note


def write_context(path: Path, model: ContextModel) -> None:
    """context.npz as assistant.core.explain.ContextModel.load reads it: the piece vectors (the bulk
    of the file) as int8 with one scale per row."""
    rows, scale = quantize_rows(model.dense_piece_vectors())
    np.savez_compressed(path, site_weight=model.site_weight.astype(np.float32),
                        site_bias=model.site_bias.astype(np.float32), piece_vectors_int8=rows, piece_scale=scale)


def context_states(ckpt: dict, predictor: str | None):
    """The token states of the emoji predictor the ranker was trained with (ValueError for another one)."""
    from assistant.core.assistant import Assistant

    assistant = Assistant(predictor, threads=0)
    states = assistant.token_states()
    if states is None or states.model_sha256 != ckpt["context"]["predictor_sha256"]:
        raise ValueError(f"the ranker was trained with {ckpt['context']['predictor']}, not {assistant.model_dir}; "
                         "pass that predictor's folder with --predictor (or --kind-prior '')")
    return states


def quantize_int8(fp32: Path, int8: Path) -> Path:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    import onnx

    # The input layer stays float: its input mixes 0/1 flags with counts, and one uint8 scale
    # for the whole row moved a fifth of the rankings; the hidden layers quantize cleanly.
    first = next(n.name for n in onnx.load(str(fp32)).graph.node if n.op_type in ("MatMul", "Gemm"))
    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul"],
                     per_channel=True, nodes_to_exclude=[first])
    return int8


def parity(model, int8: Path, groups: int = 500, size: int = 20) -> float:
    import onnxruntime as ort
    import torch

    rng = np.random.default_rng(0)
    x = rng.random((groups * size, len(FEATURES)), dtype=np.float32)
    kinds = list(range(KIND_COLUMNS.start, KIND_COLUMNS.stop))
    x[:, kinds] = np.eye(len(kinds), dtype=np.float32)[rng.integers(0, len(kinds), len(x))]  # one kind each
    with torch.no_grad():
        ref = model(torch.from_numpy(x)).squeeze(-1).numpy().reshape(groups, size)
    got = ort.InferenceSession(str(int8), providers=["CPUExecutionProvider"]).run(None, {"features": x})[0]
    got = got.reshape(groups, size)
    top2 = np.sort(ref, axis=1)[:, -2:]
    clear = (top2[:, 1] - top2[:, 0]) >= 0.05  # near-ties may flip under int8 and do not matter
    return float(np.mean(ref.argmax(1)[clear] == got.argmax(1)[clear])) if clear.any() else 1.0


def write_manifest(out_dir: Path, info: dict, metrics: dict | None = None, version: str = VERSION) -> Path:
    path = out_dir / "manifest.json"
    old = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    with __import__("gzip").open(out_dir / "candidates.json.gz", "rt", encoding="utf-8") as f:
        table = json.load(f)
    ckpt = info["checkpoint"]
    manifest = {
        "format_version": FORMAT_VERSION, "name": NAME, "version": version, "task": ExplainManifest.TASK,
        "languages": table["languages"], "features": list(FEATURES),
        "files": {name: sha256_file(out_dir / name) for name in ("model.onnx", "candidates.json.gz", CONTEXT_FILE)
                  if (out_dir / name).is_file()},
        "quantization": ("context piece vectors int8 per row; ranker MLP "
                         + ("int8 dynamic (onnxruntime)" if info["int8_ranker"] else "fp32") + f", opset {OPSET}"),
        "parity": {"onnx_vs_torch_top1_random_rows": info["parity_top1_agreement"]},
        **({"kind_prior": info["kind_prior"]} if info.get("kind_prior") else {}),
        "metrics": metrics if metrics is not None else old.get("metrics", {}),
        **({"context": {"predictor_sha256": ckpt["context"]["predictor_sha256"],
                        "predictor": ckpt["context"]["predictor"], "rank": ckpt["config"]["context_rank"]}}
           if "context" in ckpt else {}),
        "created_by": {"command": " ".join(["python -m training.explain.export_ranker", *sys.argv[1:]]),
                       "train_command": ckpt.get("command"), "ranker_config": ckpt["config"],
                       "candidate_config": table.get("config"), "train_sites": ckpt.get("train_sites"),
                       "kept_epoch": ckpt.get("kept_epoch")},
    }
    save_manifest(path.parent, manifest)
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", default=str(RANKER_CHECKPOINT))
    parser.add_argument("--out", default=str(EXPLAIN_MODEL_DIR))
    parser.add_argument("--int8-ranker", action="store_true", help="quantize the ranker MLP too (loses accuracy)")
    parser.add_argument("--kind-prior", default=EVALUATION_CASES[1], metavar="CASES",
                        help="hand-written cases the per-kind score shifts are counted and fitted on "
                             "(default: the development set); '' for no shift")
    parser.add_argument("--predictor", default=None,
                        help="the emoji predictor the ranker was trained with, for fitting the kind prior "
                             "(default: the shipped one)")
    parser.add_argument("--version", default=VERSION, help=f"the model's version (default {VERSION})")
    args = parser.parse_args(argv)
    if args.kind_prior and not Path(args.kind_prior).is_file():
        parser.error(f"--kind-prior {args.kind_prior}: no such file (pass --kind-prior '' for no shift)")
    out_dir = Path(args.out)
    if not (out_dir / "candidates.json.gz").is_file():
        raise SystemExit(f"{out_dir}/candidates.json.gz is missing; build it first with "
                         f"`python -m training.explain.build_candidates --out {out_dir}/candidates.json.gz`")
    try:
        info = export(Path(args.checkpoint), out_dir, int8_ranker=args.int8_ranker, kind_prior_cases=args.kind_prior,
                      predictor=args.predictor)
    except ValueError as err:
        raise SystemExit(f"error: {err}") from None
    print(f"wrote {out_dir / 'model.onnx'} ({(out_dir / 'model.onnx').stat().st_size / 1e3:.1f} kB), "
          f"{write_manifest(out_dir, info, version=args.version)}; ONNX vs PyTorch parity {info['parity_top1_agreement']:.4f}")


if __name__ == "__main__":
    main()
