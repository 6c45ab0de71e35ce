"""Single-message latency of the same model in one run: PyTorch fp32 (the training run's
model.pt) against the shipped int8 ONNX model, both on the same thread count and messages.

    python -m training.analysis.model_speed --run build/run --model models/emoji-predictor --threads 1

Each message is timed end to end as the runtime sees it: tokenize, pad, forward pass.
The two interleave per round, so a busy machine slows both alike. Output agreement is not
measured here: export.py checks it (the exported head also carries the logit adjustment,
which model.pt does not) and records it in the manifest's `extra.parity`.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path


from assistant.core.normalize import normalize_text
from assistant.core.suggest_bench import SAMPLE_MESSAGES, percentile_ms
from assistant.core.tokenizer import TextEncoder
from training.lib.defaults import MODEL_DIR, RUN_DIR


def time_calls(fn, texts: list[str], rounds: int) -> list[float]:
    out = []
    for _ in range(rounds):
        for text in texts:
            t0 = time.perf_counter()
            fn(text)
            out.append(time.perf_counter() - t0)
    return out


def compare(run: Path, model_dir: Path, *, threads: int = 1, rounds: int = 20) -> dict:
    import torch

    from assistant.core.manifest import load_manifest
    from assistant.core.session import OnnxSession
    from training.export import EXPORT_MAX_LENGTH
    from training.lib.model import load_trained, tokenizer_file

    torch.set_num_threads(threads)
    model, saved = load_trained(run)
    torch_tok = TextEncoder(tokenizer_file(saved["config"]["base_model"]), max_length=EXPORT_MAX_LENGTH)
    manifest = load_manifest(model_dir)
    onnx_tok = TextEncoder(model_dir / "tokenizer.json", max_length=manifest.max_length)
    session = OnnxSession(model_dir / "model.onnx", threads=threads)

    @torch.inference_mode()
    def torch_fp32(text):
        ids, mask = torch_tok.pad(torch_tok.token_ids([text]))
        return model(torch.from_numpy(ids), torch.from_numpy(mask)).numpy()

    def onnx_int8(text):
        ids, mask = onnx_tok.pad(onnx_tok.token_ids([text]))
        return session.logits(ids, mask)

    texts = [normalize_text(t) for t in SAMPLE_MESSAGES]
    for text in texts[:5]:  # first calls allocate; do not time them
        torch_fp32(text), onnx_int8(text)
    samples = {"torch_fp32": [], "onnx_int8": []}
    for _ in range(rounds):
        samples["torch_fp32"] += time_calls(torch_fp32, texts, 1)
        samples["onnx_int8"] += time_calls(onnx_int8, texts, 1)
    report = {name: {"p50_ms": percentile_ms(s, 50), "p95_ms": percentile_ms(s, 95), "n": len(s)}
              for name, s in samples.items()}
    report["p95_speedup"] = round(report["torch_fp32"]["p95_ms"] / report["onnx_int8"]["p95_ms"], 2)
    report["threads"] = threads
    report["torch"] = torch.__version__
    return report


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", type=Path, default=RUN_DIR, help="training run with model.pt")
    parser.add_argument("--model", type=Path, default=MODEL_DIR, help="exported model folder")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--out", type=Path, default=None, help="also write the report as JSON here")
    args = parser.parse_args(argv)
    report = compare(args.run, args.model, threads=args.threads, rounds=args.rounds)
    for name in ("torch_fp32", "onnx_int8"):
        print(f"{name:11s} p50 {report[name]['p50_ms']:7.2f} ms   p95 {report[name]['p95_ms']:7.2f} ms")
    print(f"p95 speed-up {report['p95_speedup']}x")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return report


if __name__ == "__main__":
    main()
