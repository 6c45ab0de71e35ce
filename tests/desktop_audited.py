"""Runs `emoji-assistant desktop run` with a Python audit hook that reports, on stderr, every
file opened for writing and every network connection, so a test can prove what the helper
writes and where it connects during a typing session."""
import os
import sys

WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


def audit(event, args):
    if event == "open":
        path, mode, flags = args
        writes = any(c in (mode or "") for c in "wax+") if mode else bool((flags or 0) & WRITE_FLAGS)
        if writes and isinstance(path, (str, bytes, os.PathLike)):
            print(f"AUDIT write {os.fsdecode(path)}", file=sys.stderr, flush=True)
    elif event in ("socket.connect", "socket.sendto"):
        print(f"AUDIT connect {args[1]!r}", file=sys.stderr, flush=True)
    elif event == "sqlite3.connect":
        print(f"AUDIT write {args[0]}", file=sys.stderr, flush=True)


sys.addaudithook(audit)
from assistant.cli import main  # noqa: E402  (imported after the hook, so its imports are audited too)

sys.exit(main(["desktop", "run", "--verbose", *sys.argv[1:]]))
