"""The runtime's commands: suggest, eval, bench, info, explain (entry points in pyproject.toml).

Each add_<command>(subparsers) adds its subparser; its handler cmd_<command>(args, out) writes
to `out` and returns the exit status (assistant.cli.dispatch prints errors).
"""
from __future__ import annotations

import json
import sys

from assistant.core import Assistant, InputError

STDIN_CHUNK = 64  # messages read from stdin before each model call


def _common(p) -> None:
    p.add_argument("--model", help="model folder (default: $EMOJI_ASSISTANT_MODEL, else the shipped model)")
    p.add_argument("--json", action="store_true", help="machine-readable output")


def add_suggest(sub) -> None:
    p = sub.add_parser("suggest", help="emojis for a message; TEXT '-' reads one message per line from stdin")
    p.add_argument("text", metavar="TEXT")
    p.add_argument("--top", type=int, default=5, metavar="K", help="how many emojis (default 5)")
    p.add_argument("--lang", metavar="L", help="language code of the messages (default: detected)")
    _common(p)
    p.set_defaults(handler=cmd_suggest)


def add_eval(sub) -> None:
    p = sub.add_parser("eval", help="closed-set top-1/top-5/macro-F1 on a TSV or JSON Lines file")
    p.add_argument("--data", required=True, metavar="FILE", help="text<TAB>emoji lines, or JSON Lines with text and emoji")
    _common(p)
    p.set_defaults(handler=cmd_eval)


def add_bench(sub) -> None:
    p = sub.add_parser("bench", help="cold start, latency and throughput on this machine")
    p.add_argument("--threads", type=int, default=1, help="onnxruntime threads (default 1)")
    _common(p)
    p.set_defaults(handler=cmd_bench)


def add_info(sub) -> None:
    p = sub.add_parser("info", help="the loaded model: name, languages, labels, metrics")
    _common(p)
    p.set_defaults(handler=cmd_info)


def add_explain(sub) -> None:
    p = sub.add_parser("explain", help="what each emoji in a message stands for; TEXT '-' reads stdin lines")
    p.add_argument("text", metavar="TEXT")
    p.add_argument("--lang", metavar="L", help="language code of the messages (default: detected)")
    _common(p)
    p.set_defaults(handler=cmd_explain)


def _assistant(args, threads: int = 1) -> Assistant:
    return Assistant(args.model, threads=threads)


def cmd_suggest(args, out) -> int:
    if args.top < 1:
        raise InputError(f"--top must be at least 1, got {args.top}")
    assistant = _assistant(args)
    if args.text != "-":
        _print_results(assistant.suggest_batch([args.text], k=args.top, lang=args.lang), args.json, out)
        return 0
    chunk: list[str] = []
    for line in _stdin_lines():
        chunk.append(line)
        if len(chunk) == STDIN_CHUNK:
            _print_results(assistant.suggest_batch(chunk, k=args.top, lang=args.lang), args.json, out)
            out.flush()
            chunk = []
    if chunk:
        _print_results(assistant.suggest_batch(chunk, k=args.top, lang=args.lang), args.json, out)
    return 0


def _print_results(results, as_json: bool, out) -> None:
    for r in results:
        if as_json:
            out.write(json.dumps(r.to_dict(), ensure_ascii=False) + "\n")
        else:
            out.write("  ".join(f"{s.emoji} {s.name} ({_shown_score(s.score)})" for s in r.suggestions) + "\n")


def _shown_score(score: float) -> str:
    """Two decimals; a suggestion below 0.005 reads "<0.01", not a "0.00" that looks like no score at all."""
    return f"{score:.2f}" if score >= 0.005 else "<0.01"


def cmd_eval(args, out) -> int:
    from assistant.core.closed_set import evaluate

    report = evaluate(_assistant(args, threads=0), args.data)
    for bad in report["bad_lines"]:
        print(f"{args.data}:{bad['line']}: skipped: {bad['error']}", file=sys.stderr)
    if args.json:
        out.write(json.dumps(report, ensure_ascii=False) + "\n")
        return 0
    out.write(f"n {report['n']}  n_unknown {report['n_unknown']}  top1 {report['top1']:.2f}  "
              f"top5 {report['top5']:.2f}  macro_f1 {report['macro_f1']:.2f}\n")
    for label, f1 in sorted(report["per_class_f1"].items(), key=lambda kv: -kv[1]):
        out.write(f"  {label}  F1 {f1:.2f}\n")
    return 0


def cmd_bench(args, out) -> int:
    from assistant.core.suggest_bench import run_bench

    if args.threads < 0:
        raise InputError(f"--threads must be 0 (all cores) or more, got {args.threads}")
    report = run_bench(args.model, threads=args.threads)
    if args.json:
        out.write(json.dumps(report) + "\n")
    else:
        s = report["single"]
        out.write(f"model {report['model']}  threads {report['threads']}\n"
                  f"load {report['load_s']:.2f} s\n"
                  f"single message p50 {s['p50_ms']} ms  p95 {s['p95_ms']} ms  p99 {s['p99_ms']} ms\n"
                  f"batch of {report['batch']['size']}: {report['batch']['messages_per_s']} messages/s\n"
                  f"peak RSS {report['peak_rss_mb']} MB\n")
    return 0


def cmd_info(args, out) -> int:
    assistant = _assistant(args)
    m = assistant.manifest
    info = {"model": str(assistant.model_dir), "name": m.name, "version": m.version, "base_model": m.base_model,
            "languages": m.languages, "labels": m.labels, "max_length": m.max_length, "metrics": m.metrics,
            "lexicon": {"emojis": len(assistant.lexicon), "languages": len(assistant.lexicon.languages),
                        "cldr_version": assistant.lexicon.cldr_version}}
    if args.json:
        out.write(json.dumps(info, ensure_ascii=False) + "\n")
        return 0
    out.write(f"{m.name} {m.version}  ({assistant.model_dir})\n"
              f"base model: {m.base_model}\n"
              f"labels ({len(m.labels)}): {' '.join(m.labels)}\n"
              f"lexicon: {info['lexicon']['emojis']} emojis in {info['lexicon']['languages']} languages "
              f"(CLDR {info['lexicon']['cldr_version']}): {', '.join(m.languages)}\n")
    for name, figures in m.metrics.items():
        shown = "  ".join(f"{k} {v}" for k, v in figures.items() if not isinstance(v, (dict, list)))
        if shown:  # sections of nested tables (baselines) are in `info --json` and the model card
            out.write(f"metrics on {name}: {shown}\n")
    return 0


def cmd_explain(args, out) -> int:
    assistant = _assistant(args)
    lines = [args.text] if args.text != "-" else _stdin_lines()
    for line in lines:
        explanation = assistant.explain(line, lang=args.lang)
        if args.json:
            out.write(json.dumps(explanation.to_dict(), ensure_ascii=False) + "\n")
            continue
        parts = [f"{e.emoji} {' / '.join(dict.fromkeys(e.name.values()))}"
                 + (f" → {e.readings[0].text!r} {e.readings[0].kind}" if _reading_worth_showing(e) else "")
                 + (f" (sentiment {e.sentiment:+.2f})" if e.sentiment is not None else "") for e in explanation.emojis]
        out.write(("  ".join(parts) or "(no emojis)") + "\n")
        if explanation.rewritten != explanation.text:
            out.write(f"  = {explanation.rewritten}\n")
    return 0


def _stdin_lines():
    sys.stdin.reconfigure(encoding="utf-8", errors="replace")  # a broken line must not stop the rest
    for line in sys.stdin:
        yield line.rstrip("\n")


def _reading_worth_showing(e) -> bool:
    """The best reading, unless it only repeats the emoji's name ("🍕 pizza") or says it is decoration."""
    if not e.readings or e.readings[0].kind == "decorative":
        return False
    names = {n.casefold() for n in e.name.values()}
    return e.readings[0].kind != "literal" or e.readings[0].text.casefold() not in names
