"""`emoji-assistant desktop ...`: the desktop helper's command (entry point `desktop` in pyproject.toml).

Adding the subparser imports nothing optional; pynput and Tk are imported by the action that needs them.
"""
from __future__ import annotations

import json
import sys


def add_desktop(sub) -> None:
    p = sub.add_parser("desktop", help="emoji suggestions while typing in any application (pip install "
                                       "'emoji-assistant[desktop]')")
    p.add_argument("action", choices=["run", "pick", "pause", "resume", "bench", "install-autostart",
                                      "uninstall-autostart", "forget-picks"])
    p.add_argument("--config", metavar="FILE", help="settings (default: desktop.toml in the user config folder)")
    p.add_argument("--model", help="model folder (default: the config's, else the shipped model)")
    p.add_argument("--verbose", action="store_true", help="log what the helper shows and picks (never the text)")
    p.add_argument("--json", action="store_true", help="bench: machine-readable output")
    p.set_defaults(handler=cmd_desktop)


def cmd_desktop(args, out) -> int:
    from . import autostart
    from .desktop_settings import DesktopConfig
    from .picks import forget_picks

    if args.action == "install-autostart":
        for path in autostart.install():
            out.write(f"wrote {path}\n")
        return 0
    if args.action == "uninstall-autostart":
        removed = autostart.uninstall()
        out.write("".join(f"removed {path}\n" for path in removed) or "no autostart files were installed\n")
        return 0
    if args.action in ("pause", "resume"):
        from .control import send

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
        from .popup_bench import run_desktop_bench

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
        from .picker import run_picker

        picked = run_picker(config)
        if picked:
            out.write(f"{picked} copied to the clipboard\n")
        return 0
    from .app import run

    return run(config)
