import json
import subprocess
import sys

import pytest

from assistant.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_suggest_json_shape(capsys, tiny_model):
    code, out, _ = run(capsys, "suggest", "I love pizza", "--json", "--model", str(tiny_model))
    assert code == 0
    result = json.loads(out)
    assert result["text"] == "I love pizza" and result["lang"] == "en"
    assert len(result["suggestions"]) == 5
    assert set(result["suggestions"][0]) == {"emoji", "score", "name"}


def test_suggest_top_and_lang(capsys, tiny_model):
    code, out, _ = run(capsys, "suggest", "hola", "--top", "2", "--lang", "es", "--json", "--model", str(tiny_model))
    result = json.loads(out)
    assert code == 0 and result["lang"] == "es" and len(result["suggestions"]) == 2


def test_suggest_stdin_one_result_per_line(tiny_model):
    lines = ["I love pizza", "", "Gute Nacht", "\udcff broken"]
    stdin = "\n".join(lines[:3]).encode() + b"\n\xff\xfe broken utf-8\n"
    proc = subprocess.run([sys.executable, "-m", "assistant", "suggest", "-", "--json", "--model", str(tiny_model)],
                          input=stdin, capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()
    rows = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert [r["text"] for r in rows][:3] == lines[:3] and len(rows) == 4
    assert rows[1]["suggestions"] == []


def test_suggest_plain_text_output(capsys, tiny_model):
    code, out, _ = run(capsys, "suggest", "Me encanta la paella", "--model", str(tiny_model))
    assert code == 0 and out.count("(") == 5 and "🥘" in out


def test_plain_text_never_shows_a_zero_score(capsys, tiny_model):
    """A tiny random model spreads its mass thinly: a listed suggestion below 0.005 reads "<0.01", not "0.00"."""
    from assistant.cli.commands import _shown_score

    assert [_shown_score(s) for s in (0.5, 0.005, 0.0049, 0.0)] == ["0.50", "0.01", "<0.01", "<0.01"]
    code, out, _ = run(capsys, "suggest", "Me encanta la paella", "--top", "20", "--model", str(tiny_model))
    assert code == 0 and "(0.00)" not in out and out.count("(") == 20


def test_eval_reports_closed_set_metrics_and_bad_lines(capsys, tiny_model, tmp_path):
    data = tmp_path / "eval.tsv"
    data.write_text("love you\t❤\nso funny\t😂 😂\nbroken line without tab\npizza time\t🍕\nfire\t🔥\n",
                    encoding="utf-8")
    code, out, err = run(capsys, "eval", "--data", str(data), "--json", "--model", str(tiny_model))
    report = json.loads(out)
    assert code == 0
    assert report["n"] == 3 and report["n_unknown"] == 1  # 🍕 is not a label of the model
    assert {"top1", "top5", "macro_f1", "per_class_f1"} <= set(report)
    assert "eval.tsv:3: skipped" in err


def test_eval_jsonl(capsys, tiny_model, tmp_path):
    data = tmp_path / "eval.jsonl"
    data.write_text('{"text": "love", "emoji": "❤️"}\n{"text": 1}\n{"text": "lol", "emoji": "😂"}\n', encoding="utf-8")
    code, out, err = run(capsys, "eval", "--data", str(data), "--json", "--model", str(tiny_model))
    assert code == 0 and json.loads(out)["n"] == 2 and ":2: skipped" in err


def test_bench_json_shape(capsys, tiny_model):
    code, out, _ = run(capsys, "bench", "--json", "--model", str(tiny_model))
    report = json.loads(out)
    assert code == 0
    assert set(report) == {"load_s", "single", "batch", "peak_rss_mb", "threads", "model"}
    assert set(report["single"]) == {"p50_ms", "p95_ms", "p99_ms"}
    assert set(report["batch"]) == {"size", "messages_per_s"}


def test_info(capsys, tiny_model):
    code, out, _ = run(capsys, "info", "--json", "--model", str(tiny_model))
    info = json.loads(out)
    assert code == 0 and info["name"] == "tiny-test" and info["lexicon"]["emojis"] >= 1800


@pytest.mark.parametrize("argv, expected", [
    (["suggest"], "required"),
    (["suggest", "hi", "--top", "zero"], "invalid int"),
    (["suggest", "hi", "--top", "0"], "--top must be at least 1"),
    (["suggest", "hi", "--model", "/nonexistent/model"], "does not exist"),
    (["suggest", "hi", "--lang", "klingon!"], "not a language code"),
    (["eval", "--data", "/nonexistent/file.tsv"], "cannot read"),
    (["frobnicate"], "invalid choice"),
])
def test_errors_are_one_line_with_exit_2(capsys, tiny_model, argv, expected):
    if "--model" not in argv and argv[0] in ("suggest", "eval"):
        argv = [*argv, "--model", str(tiny_model)]
    with pytest.raises(SystemExit) as exit_info:
        code = main(argv)
        raise SystemExit(code)
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert expected in err and err.count("\n") == 1, err


def test_the_commands_come_from_entry_points_in_the_readmes_order():
    """Every command is an entry point of pyproject.toml's group, found without the CLI importing its surface."""
    from assistant.cli.dispatch import ENTRY_POINT_GROUP, HELP_ORDER, build_parser, registered_commands
    from tests.test_layers import ROOT, tomllib

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["entry-points"]
    assert [entry.name for entry in registered_commands()] == list(HELP_ORDER)
    assert set(declared[ENTRY_POINT_GROUP]) == set(HELP_ORDER)
    assert "{suggest,eval,bench,info,explain,web,logs,desktop,models}" in build_parser().format_usage()


def test_a_source_tree_that_was_never_installed_reads_its_commands_from_pyproject(monkeypatch, capsys):
    from assistant.cli import dispatch as cli_main

    monkeypatch.setattr(cli_main, "entry_points", lambda group: [])
    assert [entry.name for entry in cli_main.registered_commands()] == list(cli_main.HELP_ORDER)
    monkeypatch.setattr(cli_main, "_declared_in_source_tree", lambda: [])
    assert main(["suggest", "hi"]) == 2
    err = capsys.readouterr().err
    assert "no commands are registered" in err and err.count("\n") == 1
