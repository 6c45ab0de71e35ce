"""The process's one Assistant, replaced whole when the model folder gets a new manifest.json.

The manifest is the last file a model build writes and it lists every other file's hash, so a
changed manifest means a new model version; a half-copied folder fails the hash check and the
old model keeps serving. The swap is one attribute assignment: a request that already holds
the old Assistant finishes with it, the next one gets the new one.
"""
from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path
from typing import Callable

logger = logging.getLogger(__name__)


class ModelHolder:
    """Loads the Assistant once with `load()` and reloads it when `model_dir/manifest.json` changes."""

    def __init__(self, load: Callable[[], object]):
        self._load = load
        self.current = load()
        self._seen = self._signature()

    def _signature(self):
        try:
            st = os.stat(Path(self.current.model_dir) / "manifest.json")  # follows a models/current symlink
        except OSError:
            return None
        return st.st_mtime_ns, st.st_ino, st.st_size

    async def reload(self):
        """Load the model again off the event loop and swap it in; raises and keeps the old one on failure."""
        new = await asyncio.to_thread(self._load)
        self.current, self._seen = new, self._signature()
        logger.info("model reloaded: %s %s", new.manifest.name, new.manifest.version)
        return new

    async def check(self) -> bool:
        """Reload if the manifest changed since the last load or attempt; True when a new model is in."""
        seen = self._signature()
        if seen is None or seen == self._seen:
            return False
        self._seen = seen  # a broken version is tried once, not on every check
        try:
            await self.reload()
        except Exception:
            logger.exception("new model in %s did not load; still serving the previous one",
                             self.current.model_dir)
            return False
        return True

    async def watch(self, every_s: float) -> None:
        """check() every `every_s` seconds until cancelled."""
        while True:
            await asyncio.sleep(every_s)
            await self.check()
