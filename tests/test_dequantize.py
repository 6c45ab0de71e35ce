"""training/lib/dequantize.py: a shipped int8 model folder back to the torch EmojiClassifier it was exported from."""
import json
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from assistant.core.tokenizer import TextEncoder  # noqa: E402
from tests.factory import CORPUS, LABELS  # noqa: E402
from training.lib.dequantize import recover  # noqa: E402
from training.lib.quantize import onnx_logits  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "models" / "emoji-predictor"


def agreement(model_dir: Path, texts: list[str]) -> float:
    """Top-1 agreement of the recovered torch model with the folder's int8 ONNX model on `texts`."""
    model, _, _ = recover(model_dir)
    ids, mask = TextEncoder(model_dir / "tokenizer.json", max_length=128)(texts)
    with torch.no_grad():
        recovered = model(torch.from_numpy(ids), torch.from_numpy(mask)).numpy()
    int8 = onnx_logits(model_dir / "model.onnx", [(ids, mask)])
    return float(np.mean(recovered.argmax(1) == int8.argmax(1)))


def test_the_tiny_model_comes_back_with_its_shape_labels_and_answers(tiny_model):
    model, labels, manifest = recover(tiny_model)
    config = model.encoder.config
    assert labels == LABELS and model.head.out_features == len(LABELS)
    assert (config.num_hidden_layers, config.hidden_size, config.num_attention_heads) == (2, 32, 2)
    assert config.vocab_size == len(json.loads((tiny_model / "tokenizer.json").read_text())["model"]["vocab"])
    texts = CORPUS + [t.upper() for t in CORPUS] + [" ".join(reversed(t.split())) for t in CORPUS]
    assert agreement(tiny_model, texts) >= 0.9  # only activation rounding differs; measured 1.0


def test_smoothquant_and_per_channel_scales_are_inverted_exactly(tmp_path):
    """Export a trained tiny run (SmoothQuant on, as the pipeline does), recover it: every weight is the
    run's own up to int8 rounding, which a missed smoothing factor or scale would exceed many times over."""
    from tests.factory import tiny_encoder_dir, tiny_examples
    from training import export, train

    run = tmp_path / "run"
    train.main([f"--base_model={tiny_encoder_dir(tmp_path / 'encoder')}", f"--examples={tiny_examples(tmp_path / 'ex.jsonl')}",
                f"--out_dir={run}", "--max_steps=3", "--batch_size=8", "--min_label_count=1", "--num_layers=2"])
    out = export.main(["--run", str(run), "--out", str(tmp_path / "model"), "--max-pieces", "1000", "--parity-texts", "10"])
    import onnx

    assert any(n.op_type == "Mul" and n.input[1].endswith("_smooth_inverse") for n in onnx.load(str(out / "model.onnx")).graph.node)
    trained = torch.load(run / "model.pt", weights_only=False)["state_dict"]
    recovered = recover(out)[0].state_dict()
    for name, weight in recovered.items():
        if name.endswith(".weight") and weight.dim() == 2 and "embeddings" not in name:
            error = ((weight - trained[name]).norm() / trained[name].norm()).item()
            assert error < 0.02, f"{name}: relative error {error:.4f}"
    # the head's bias carries export's logit adjustment, so it is compared through the answers instead
    assert agreement(out, CORPUS) >= 0.9


def test_a_folder_that_is_no_classifier_export_is_refused_by_name(tiny_model, tmp_path):
    import shutil

    import onnx

    from assistant.core.manifest import sha256_file

    broken = tmp_path / "broken"
    shutil.copytree(tiny_model, broken)
    graph = onnx.load(str(broken / "model.onnx"))
    for node in graph.graph.node:
        if "layer.0/attention/self/query" in node.name and node.op_type == "MatMulInteger":
            node.name = "/somewhere/else/MatMul_quant"
    onnx.save(graph, str(broken / "model.onnx"))
    manifest = json.loads((broken / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"]["model.onnx"] = sha256_file(broken / "model.onnx")
    (broken / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValueError, match=r"missing \['encoder.encoder.layer.0.attention.self.query.weight'\]"):
        recover(broken)


@pytest.mark.model
def test_the_shipped_model_recovered_agrees_with_its_int8_self_on_200_texts():
    rows = [json.loads(line) for name in ("feelings_dev", "feelings_test")
            for line in (ROOT / "training" / "data" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()]
    texts = [r["text"] for r in rows][:200]  # hand-written, 20+ languages
    assert len(texts) == 200
    # measured 0.985 with 0.9.0 and 0.94 with 0.10.0, whose trained-further encoder rounds less well to int8 activations
    # (its export's fp32-vs-int8 agreement on validation: 97.4%, 0.9.0's 98.55%); a wrong scale or a missed smoothing
    # factor moves every logit, which test_smoothquant_and_per_channel_scales_are_inverted_exactly checks exactly
    assert agreement(SHIPPED, texts) >= 0.9
