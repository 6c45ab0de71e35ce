"""`emoji-assistant COMMAND ...`: the parser and the dispatch. With the commands' handlers, the only
code that prints or exits.

The CLI does not import its commands; it finds them. Each is an entry point of the group
`emoji_assistant.commands` (pyproject.toml) naming a function `add_<command>(subparsers)` that
adds the command's subparser and its handler, `set_defaults(handler=run)`, where
`run(args, out)` returns the exit status and raises AssistantError for anything the user can
fix. The runtime's commands are in commands.py; `web`, `desktop` and `logs` belong to the
web demo, the desktop helper and the bots, so installing a surface's code is what adds its command.
"""
from __future__ import annotations

import argparse
import sys
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path

from assistant.core import AssistantError

ENTRY_POINT_GROUP = "emoji_assistant.commands"
# --help lists the commands in this order (the README's); a command not named here comes after, by name.
HELP_ORDER = ("suggest", "eval", "bench", "info", "explain", "web", "logs", "desktop", "models")


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit code 2."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def registered_commands() -> list[EntryPoint]:
    """The installed commands' entry points, in --help order."""
    found = {entry.name: entry for entry in entry_points(group=ENTRY_POINT_GROUP)}
    if not found:  # a source tree that was never installed (PYTHONPATH=checkout): its pyproject.toml names them
        found = {entry.name: entry for entry in _declared_in_source_tree()}
    rank = {name: i for i, name in enumerate(HELP_ORDER)}
    return sorted(found.values(), key=lambda entry: (rank.get(entry.name, len(rank)), entry.name))


def _declared_in_source_tree() -> list[EntryPoint]:
    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    try:
        import tomllib  # Python 3.11+; on 3.10 an uninstalled tree has no commands
    except ImportError:
        return []
    if not pyproject.is_file():
        return []
    declared = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {}).get("entry-points", {})
    return [EntryPoint(name, value, ENTRY_POINT_GROUP) for name, value in declared.get(ENTRY_POINT_GROUP, {}).items()]


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="emoji-assistant", description="Suggests emojis that fit a message, in many languages.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    for entry in registered_commands():
        entry.load()(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    if not registered_commands():
        print(f"emoji-assistant: error: no commands are registered (entry points {ENTRY_POINT_GROUP}); "
              "install the package: pip install -e .", file=sys.stderr)
        return 2
    args = build_parser().parse_args(argv)
    out = sys.stdout
    if hasattr(out, "reconfigure"):  # emojis on a Windows console or a C-locale pipe
        out.reconfigure(encoding="utf-8", errors="replace")
    try:
        return args.handler(args, out)
    except AssistantError as err:
        print(f"emoji-assistant: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. piped into `head`
        return 0
