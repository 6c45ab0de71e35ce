"""The process's one Assistant, replaced whole when its model changes on disk (bots, desktop helper, web demo).

What counts as a change:
- a version of a versioned root (assistant.core.versions): the root's `current` naming another
  version (a promotion or rollback);
- a plain model folder: a new manifest.json. The manifest is the last file a model build writes
  and lists every other file's hash, so a half-copied folder fails the hash check.

The swap is one attribute assignment: a call that already holds the old Assistant finishes with
it, the next one gets the new one. A model that fails to load is logged in one line and the old
one keeps serving; that change is not tried again until the model changes once more.

Callers load and check from wherever suits them: asyncio (reload, check, watch: the loading runs
in a worker thread, off the event loop) or a thread of its own (watch_in_thread, for the desktop
helper's Tk loop).
"""
from __future__ import annotations

import asyncio
import logging
import os
import threading
from pathlib import Path
from typing import Callable

from .versions import ModelVersions, versioned_root

logger = logging.getLogger(__name__)


class ModelHolder:
    """Holds `load()`'s Assistant in `current` and loads it again when its model changes.

    Args:
        load: makes a ready Assistant (e.g. `lambda: Assistant(root, threads=1)`); called once
            now and again for each change, so it should also warm up what the first call would wait for.

    >>> root = "~/.local/share/emoji-assistant/models/emoji-predictor"
    >>> holder = ModelHolder(lambda: Assistant(root))  # doctest: +SKIP
    >>> holder.watch_in_thread(30.0)  # doctest: +SKIP
    >>> holder.current.suggest("I love pizza", k=1)  # doctest: +SKIP
    [Suggestion(emoji='🍕', score=0.25, name='pizza')]
    """

    def __init__(self, load: Callable[[], object]):
        self._load = load
        self._loading = threading.Lock()  # one load at a time (the watcher and an admin's /reload)
        self.current = load()
        self._loaded = self._loaded_state(self.current, None)  # what `current` was loaded from
        self._failed = None  # the last change that did not load: not tried again

    def changed(self) -> bool:
        """Whether the model on disk differs from the loaded one and did not fail already (a few stat calls)."""
        now = self._disk_state()
        return now is not None and now != self._loaded and now != self._failed

    def reload_sync(self):
        """Load the model again and swap it in; returns the new Assistant. Raises (keeping the old
        one) when it does not load."""
        with self._loading:
            # taken before loading: a change during the load shows at the next check
            old_dir, before = self._watched(), self._disk_state()
            new = self._load()
            same_folder = old_dir is not None and Path(getattr(new, "model_dir", "")) == old_dir
            self.current, self._loaded = new, self._loaded_state(new, before if same_folder else None)
            self._failed = None
        manifest = getattr(new, "manifest", None)
        logger.info("model loaded: %s %s (%s)", getattr(manifest, "name", "?"), getattr(manifest, "version", "?"),
                    getattr(new, "model_dir", "?"))
        return new

    def check_sync(self) -> bool:
        """Reload if the model changed; True when a new one is in. A failure is logged in one line."""
        if not self.changed():
            return False
        now = self._disk_state()
        try:
            self.reload_sync()
        except Exception as err:  # noqa: BLE001 - whatever broke the new model, the old one keeps serving
            self._failed = now  # tried once, not at every check
            logger.error("new model (%s) did not load, still serving %s: %s", self._describe(now),
                         _name(self.current), _one_line(err))
            return False
        return True

    async def reload(self):
        """reload_sync() in a worker thread."""
        return await asyncio.to_thread(self.reload_sync)

    async def check(self) -> bool:
        """check_sync() in a worker thread (only when something changed)."""
        return self.changed() and await asyncio.to_thread(self.check_sync)

    async def watch(self, every_s: float) -> None:
        """check() every `every_s` seconds until cancelled."""
        while True:
            await asyncio.sleep(every_s)
            await self.check()

    def watch_in_thread(self, every_s: float) -> threading.Event:
        """check_sync() every `every_s` seconds in a daemon thread; set the returned event to stop it."""
        stop = threading.Event()

        def run():
            while not stop.wait(every_s):
                self.check_sync()

        threading.Thread(target=run, name="model-watcher", daemon=True).start()
        return stop

    # ---- what is on disk

    def _watched(self) -> Path | None:
        model_dir = getattr(self.current, "model_dir", None)
        return None if model_dir is None else Path(model_dir)

    def _disk_state(self):
        """What loading would give now: ("version", name) for a versioned root, else the manifest's stat."""
        model_dir = self._watched()
        if model_dir is None:
            return None
        root = versioned_root(model_dir)
        try:
            if root is not None:
                name = ModelVersions(root).current()
                return ("version", name) if name else None
            st = os.stat(model_dir / "manifest.json")
        except Exception:  # noqa: BLE001 - a pointer being replaced or a folder being copied: look again next time
            return None
        return ("manifest", st.st_mtime_ns, st.st_ino, st.st_size)

    def _describe(self, state) -> str:
        if state and state[0] == "version":
            return f"version {state[1]} of {versioned_root(self._watched())}"
        return str(self._watched())

    @staticmethod
    def _loaded_state(assistant, before):
        """The state of what `assistant` loaded: its version name, exactly, for a versioned root; for a
        plain folder the manifest's stat taken before loading (`before`), or now for the first load."""
        model_dir = getattr(assistant, "model_dir", None)
        if model_dir is None:
            return None
        if versioned_root(model_dir) is not None:
            return ("version", Path(model_dir).name)
        if before is not None and before[0] == "manifest":
            return before
        try:
            st = os.stat(Path(model_dir) / "manifest.json")
        except OSError:
            return None
        return ("manifest", st.st_mtime_ns, st.st_ino, st.st_size)


def _name(assistant) -> str:
    manifest = getattr(assistant, "manifest", None)
    return f"{getattr(manifest, 'name', '?')} {getattr(manifest, 'version', '?')}"


def _one_line(err: Exception) -> str:
    text = " ".join(str(err).split())
    return f"{type(err).__name__}: {text}" if text else type(err).__name__
