"""The `emoji-assistant` command line.

    dispatch.py        the parser, the commands found through entry points, the dispatch
    commands.py        the runtime's commands: suggest, explain, eval, bench, info
    models_command.py  `models`: the versions of a versioned model root (assistant.core.versions)

    emoji-assistant suggest TEXT|- [--top K] [--lang L] [--json] [--model PATH]
    emoji-assistant eval --data FILE [--json] [--model PATH]
    emoji-assistant bench [--json] [--model PATH] [--threads N]
    emoji-assistant info [--json] [--model PATH]
    emoji-assistant explain TEXT|- [--lang L] [--json] [--model PATH]
    emoji-assistant web ...      (assistant.web)
    emoji-assistant logs ...     (bots)
    emoji-assistant desktop ...  (assistant.desktop)
    emoji-assistant models list|add DIR|promote VERSION|rollback [VERSION] [--root PATH]
"""
from .dispatch import build_parser, main

__all__ = ["build_parser", "main"]
