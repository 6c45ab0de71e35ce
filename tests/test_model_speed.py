"""training.analysis.model_speed: PyTorch fp32 and int8 ONNX latency of the same tiny model, side by side."""
import pytest

pytest.importorskip("torch")


def test_speed_reports_p95_for_torch_fp32_and_onnx_int8(tmp_path, capsys):
    from tests.factory import tiny_encoder_dir, tiny_examples
    from training import export, train
    from training.analysis import model_speed

    encoder = tiny_encoder_dir(tmp_path / "encoder")
    run = tmp_path / "run"
    train.main([f"--base_model={encoder}", f"--examples={tiny_examples(tmp_path / 'ex.jsonl')}", f"--out_dir={run}",
                "--max_steps=2", "--batch_size=8", "--min_label_count=1", "--num_layers=1"])
    model = export.main(["--run", str(run), "--out", str(tmp_path / "model"), "--max-pieces", "200",
                         "--parity-texts", "10"])
    report = model_speed.main(["--run", str(run), "--model", str(model), "--rounds", "2", "--out", str(tmp_path / "s.json")])
    for name in ("torch_fp32", "onnx_int8"):
        assert 0 < report[name]["p50_ms"] <= report[name]["p95_ms"]
        assert report[name]["n"] == 2 * 25
    assert report["p95_speedup"] > 0 and (tmp_path / "s.json").exists()
    assert "p95 speed-up" in capsys.readouterr().out
