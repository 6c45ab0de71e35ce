"""The `emoji-assistant` command. The only module that prints or exits.

    emoji-assistant suggest TEXT|- [--top K] [--lang L] [--json] [--model PATH]
    emoji-assistant eval --data FILE [--json] [--model PATH]
    emoji-assistant bench [--json] [--model PATH] [--threads N]
    emoji-assistant info [--json] [--model PATH]
    emoji-assistant explain TEXT|- [--lang L] [--json] [--model PATH]
    emoji-assistant web [--host H] [--port P] [--model PATH] [--log-texts] [--config FILE]
    emoji-assistant logs stats|export|purge [--db PATH] [--out FILE] [--older-than DAYS]
    emoji-assistant desktop run|pick|pause|resume|bench|install-autostart|uninstall-autostart|forget-picks
"""
from __future__ import annotations

import argparse
import json
import sys

from .errors import AssistantError, InputError
from .web_settings import WebSettings

STDIN_CHUNK = 64  # messages read from stdin before each model call


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit code 2."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="emoji-assistant", description="Suggests emojis that fit a message, in many languages.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)

    def common(p):
        p.add_argument("--model", help="model folder (default: $EMOJI_ASSISTANT_MODEL, else the shipped model)")
        p.add_argument("--json", action="store_true", help="machine-readable output")

    p = sub.add_parser("suggest", help="emojis for a message; TEXT '-' reads one message per line from stdin")
    p.add_argument("text", metavar="TEXT")
    p.add_argument("--top", type=int, default=5, metavar="K", help="how many emojis (default 5)")
    p.add_argument("--lang", metavar="L", help="language code of the messages (default: detected)")
    common(p)
    p = sub.add_parser("eval", help="closed-set top-1/top-5/macro-F1 on a TSV or JSON Lines file")
    p.add_argument("--data", required=True, metavar="FILE", help="text<TAB>emoji lines, or JSON Lines with text and emoji")
    common(p)
    p = sub.add_parser("bench", help="cold start, latency and throughput on this machine")
    p.add_argument("--threads", type=int, default=1, help="onnxruntime threads (default 1)")
    common(p)
    p = sub.add_parser("info", help="the loaded model: name, languages, labels, metrics")
    common(p)
    p = sub.add_parser("explain", help="what each emoji in a message stands for; TEXT '-' reads stdin lines")
    p.add_argument("text", metavar="TEXT")
    p.add_argument("--lang", metavar="L", help="language code of the messages (default: detected)")
    common(p)
    p = sub.add_parser("web", help="local web demo (pip install 'emoji-assistant[web]')")
    web = WebSettings()  # flags left out keep the settings file's or environment's value, else these defaults
    p.add_argument("--host", metavar="H", help=f"address to listen on (default: {web.host}, this computer only)")
    p.add_argument("--port", type=int, metavar="P", help=f"port (default: {web.port})")
    p.add_argument("--model", metavar="PATH",
                   help="model folder (default: $EMOJI_ASSISTANT_MODEL, else the shipped model)")
    p.add_argument("--log-texts", action="store_true", help="also log the texts people type (default: off)")
    p.add_argument("--config", metavar="FILE",
                   help="TOML settings file (default: $EMOJI_ASSISTANT_WEB_CONFIG, else none)")
    p = sub.add_parser("logs", help="the consented chat-log store: stats, export, purge")
    p.add_argument("action", choices=["stats", "export", "purge"])
    p.add_argument("--db", help="SQLite store (default: $EMOJI_ASSISTANT_DB or the user data folder)")
    p.add_argument("--out", help="export: JSON Lines file (default: stdout)")
    p.add_argument("--older-than", type=float, metavar="DAYS", help="purge: delete messages older than this")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p = sub.add_parser("desktop", help="emoji suggestions while typing in any application (pip install "
                                       "'emoji-assistant[desktop]')")
    p.add_argument("action", choices=["run", "pick", "pause", "resume", "bench", "install-autostart",
                                      "uninstall-autostart", "forget-picks"])
    p.add_argument("--config", metavar="FILE", help="settings (default: desktop.toml in the user config folder)")
    p.add_argument("--model", help="model folder (default: the config's, else the shipped model)")
    p.add_argument("--verbose", action="store_true", help="log what the helper shows and picks (never the text)")
    p.add_argument("--json", action="store_true", help="bench: machine-readable output")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    out = sys.stdout
    if hasattr(out, "reconfigure"):  # emojis on a Windows console or a C-locale pipe
        out.reconfigure(encoding="utf-8", errors="replace")
    try:
        return COMMANDS[args.command](args, out)
    except AssistantError as err:
        print(f"emoji-assistant: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. piped into `head`
        return 0


def _assistant(args, threads: int = 1):
    from .assistant import Assistant

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
            out.write("  ".join(f"{s.emoji} {s.name} ({s.score:.2f})" for s in r.suggestions) + "\n")


def cmd_eval(args, out) -> int:
    from .evaluation import evaluate

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
    from .bench import run_bench

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
                 + (f" → {e.readings[0].text!r} {e.readings[0].kind}" if e.readings and e.readings[0].kind
                    not in ("literal", "decorative") else "")
                 + (f" (sentiment {e.sentiment:+.2f})" if e.sentiment is not None else "") for e in explanation.emojis]
        out.write(("  ".join(parts) or "(no emojis)") + "\n")
        if explanation.rewritten != explanation.text:
            out.write(f"  = {explanation.rewritten}\n")
    return 0


def _stdin_lines():
    sys.stdin.reconfigure(encoding="utf-8", errors="replace")  # a broken line must not stop the rest
    for line in sys.stdin:
        yield line.rstrip("\n")


def cmd_web(args, out) -> int:
    try:
        from .web import serve
    except ImportError as err:
        raise InputError(f"the web demo needs its extra ({err.name} is missing): pip install 'emoji-assistant[web]'")
    return serve(args)


def cmd_logs(args, out) -> int:
    # The store belongs to the bots; the command lives here so one CLI manages everything.
    try:
        from bots.store_cli import run_logs
    except ImportError as err:
        raise InputError(f"the chat-log store needs sqlite-utils ({err.name} is missing): "
                           "pip install 'emoji-assistant[telegram]'")
    return run_logs(args, out)


def cmd_desktop(args, out) -> int:
    from .desktop import autostart
    from .desktop.config import DesktopConfig
    from .desktop.picks import forget_picks

    if args.action == "install-autostart":
        for path in autostart.install():
            out.write(f"wrote {path}\n")
        return 0
    if args.action == "uninstall-autostart":
        removed = autostart.uninstall()
        out.write("".join(f"removed {path}\n" for path in removed) or "no autostart files were installed\n")
        return 0
    if args.action in ("pause", "resume"):
        from .desktop.control import send

        pid = send(args.action)
        out.write(f"{'paused' if args.action == 'pause' else 'resumed'} the desktop helper (process {pid})\n")
        return 0
    if args.action == "forget-picks":
        out.write("deleted the pick history\n" if forget_picks() else "there was no pick history\n")
        return 0
    import logging

    config = DesktopConfig.load(args.config)
    if args.model:
        config.model = args.model
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s",
                        stream=sys.stderr)
    if args.action == "bench":
        from .desktop.bench import run_desktop_bench

        report = run_desktop_bench(config)
        if args.json:
            out.write(json.dumps(report) + "\n")
        else:
            lat, idle = report["latency_ms"], report["idle"]
            out.write(f"keystroke to popup after the {config.debounce_ms} ms debounce, {lat['n']} popups: "
                      f"p50 {lat['p50']} ms  p95 {lat['p95']} ms  max {lat['max']} ms\n"
                      f"idle CPU over {idle['seconds']} s: {idle['cpu_percent']}% of one core\n")
        return 0
    if args.action == "pick":
        from .desktop.picker import run_picker

        picked = run_picker(config)
        if picked:
            out.write(f"{picked} copied to the clipboard\n")
        return 0
    from .desktop.app import run

    return run(config)


COMMANDS = {"suggest": cmd_suggest, "eval": cmd_eval, "bench": cmd_bench, "info": cmd_info,
            "explain": cmd_explain, "web": cmd_web, "logs": cmd_logs,
            "desktop": cmd_desktop}
