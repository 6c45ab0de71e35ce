"""Versioned model folders: immutable versions and a `current` pointer that is switched atomically.

    root/versions/<name>/   one folder per version, never changed once added (model.onnx, tokenizer.json,
                            manifest.json, MODEL_CARD.md, figures/...; its files are made read-only)
    root/current            which version is current, with the switch that made it so (one JSON line)
    root/history.jsonl      append-only: every promotion and rollback (time, action, from, to, reason)
    root/.lock              held while a version is added or switched: one writer at a time

An Assistant pointed at the root (`Assistant(root)` or $EMOJI_ASSISTANT_MODEL=root) loads
root/versions/<current>, and assistant.core.holder swaps a running one when `current` changes.
There are no symlinks, so a root works the same on Windows.

What a process killed at any moment (power loss included) leaves behind:
- add: the copy is made in versions/.incoming-*, fsynced, its hashes checked, then renamed to its
  name in one step. A killed add leaves at most an .incoming-* folder, which no reader lists and
  the next writer removes.
- promote, rollback: the target's hashes are checked; the new pointer is written to a temporary
  file and fsynced; os.replace() puts it in place of `current` (atomic on POSIX and Windows: the
  one moment the switch happens); only then is the history line appended. Before the replace the
  old version is current, after it the new one, complete either way. The pointer carries the same
  record as the history line, so a history that lags behind it (killed between the two) is
  completed from it: history() reads it so at once, and the next writer appends it. History never
  names a version that is not there: a version is complete before it has a name and is never
  deleted.

The kill tests stop a writer at each step with $EMOJI_ASSISTANT_VERSIONS_PAUSE_AT=<step> (one of
ADD_STEPS or SWITCH_STEPS): the writer says so on stderr and waits there to be killed.

>>> versions = ModelVersions.init(Path("/tmp/models/emoji-predictor"), default_model_dir())  # doctest: +SKIP
>>> versions.add(Path("build/candidate")), versions.current()  # doctest: +SKIP
('0.3.0', '0.2.2')
"""
from __future__ import annotations

import json
import os
import re
import shutil
import stat
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from .errors import InputError, ModelError
from .manifest import load_manifest, read_manifest_json
from .paths import DEFAULT_MODEL, user_data_dir

MODEL_ENV = "EMOJI_ASSISTANT_MODEL"  # a model folder or a versioned root (assistant.core.assistant reads it too)
PAUSE_ENV = "EMOJI_ASSISTANT_VERSIONS_PAUSE_AT"  # tests only: a step name at which a writer waits to be killed
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,63}")  # a version's folder name
ADD_STEPS = ("add-locked", "add-checked", "add-copied", "add-verified", "add-renamed")
SWITCH_STEPS = ("switch-locked", "switch-checked", "pointer-written", "pointer-switched", "history-written")


@dataclass
class VersionInfo:
    name: str  # the folder under versions/, what promote and rollback take
    version: str  # the manifest's version
    created: datetime  # when it was added (UTC)
    current: bool
    model: str = ""  # the manifest's name
    labels: int = 0  # how many emojis the model predicts
    metrics: dict = field(default_factory=dict)  # the manifest's: eval set -> {metric: value}
    path: Path | None = None


class ModelVersions:
    """The versions of one model under `root` (see the module docstring for the layout).

    Raises (every method that writes):
        ModelError: a candidate or version is incomplete or damaged, a version does not exist,
            or there is nothing to roll back to; the message says what to do.
        InputError: a version name that cannot be a folder name, or one that is taken.
    """

    def __init__(self, root: str | Path):
        self.root = Path(root).expanduser()
        self.versions_dir = self.root / "versions"
        self.pointer = self.root / "current"
        self.history_file = self.root / "history.jsonl"

    @classmethod
    def init(cls, root: str | Path, from_dir: str | Path) -> ModelVersions:
        """The versioned root at `root`, with `from_dir` (usually the shipped model) added and made
        current if it has no current version yet; a root that has one is returned unchanged.

        Raises:
            ModelError: `root` is a model folder or some other non-empty folder, or `from_dir` is
                not a complete model folder.
        """
        versions = cls(root)
        if versions.current() is not None:
            return versions
        problem = versions._not_a_root()
        if problem:
            raise ModelError(problem)
        with versions._locked("add-locked"):
            if versions.current() is None:
                added = versions.versions()  # an init killed after its add: promote what it added
                name = added[0].name if added else versions._add(Path(from_dir).expanduser(), None)
                versions._switch(name, "promote", f"initial version, from {from_dir}")
        return versions

    # ---- reading

    def versions(self) -> list[VersionInfo]:
        """Every complete version, oldest first."""
        if not self.versions_dir.is_dir():
            return []
        current = self.current()
        found = [self._info(folder, current) for folder in self.versions_dir.iterdir()
                 if folder.is_dir() and NAME.fullmatch(folder.name)]
        return sorted(found, key=lambda info: (info.created, info.name))

    def current(self) -> str | None:
        """The current version's name, or None before the root is initialised."""
        pointer = self._read_pointer()
        return pointer["current"] if pointer else None

    def current_dir(self) -> Path:
        """The current version's folder, the one an Assistant loads.

        Raises:
            ModelError: no version is current, or `current` names one that is not there.
        """
        name = self.current()
        if name is None:
            raise ModelError(f"{self.root} has no current model version; initialise it with "
                             f"`emoji-assistant models list --root {self.root}`")
        folder = self.versions_dir / name
        if not NAME.fullmatch(name) or not folder.is_dir():
            raise ModelError(f"{self.pointer} names version {name!r}, which is not in {self.versions_dir}; "
                             f"roll back to one that is: emoji-assistant models rollback VERSION --root {self.root}")
        return folder

    def history(self) -> list[dict]:
        """The promotions and rollbacks, oldest first: {time, action, from, to, reason} each. Includes the
        switch a killed writer made but did not get to record (the pointer carries it)."""
        entries, _ = self._read_history()
        lagging = self._unrecorded_switch(entries)
        return entries + [lagging] if lagging else entries

    # ---- writing

    def add(self, model_dir: str | Path, *, name: str | None = None) -> str:
        """Copy the model folder `model_dir` in as a new version (not current); returns its name.

        The name is `name`, else the manifest's version made unique ("0.3.0", "0.3.0-2", ...).
        """
        with self._locked("add-locked"):
            return self._add(Path(model_dir).expanduser(), name)

    def promote(self, name: str, *, reason: str = "") -> None:
        """Make version `name` current (nothing happens if it is already)."""
        with self._locked("switch-locked"):
            self._switch(name, "promote", reason)

    def rollback(self, name: str | None = None, *, reason: str = "") -> str:
        """Make version `name` current again, by default the one the current version was promoted
        over (rolling back twice goes two promotions back); returns the name now current."""
        with self._locked("switch-locked"):
            target = name or self._previous()
            self._switch(target, "rollback", reason)
            return target

    # ---- the steps

    def _add(self, source: Path, name: str | None) -> str:
        manifest = load_manifest(source)  # refuses an incomplete or damaged candidate, naming the file
        name = self._new_name(name, manifest.version)
        _pause("add-checked")
        self.versions_dir.mkdir(parents=True, exist_ok=True)
        staging = self.versions_dir / f".incoming-{uuid.uuid4().hex[:12]}"
        # copyfile, not copy2: the copies are writable whatever the source's modes, so they can be fsynced
        shutil.copytree(source, staging, copy_function=shutil.copyfile)
        os.utime(staging)  # `created`: nothing changes a version folder after this
        _sync_tree(staging)
        _pause("add-copied")
        try:
            load_manifest(staging)
        except ModelError as err:
            _remove_tree(staging)
            raise ModelError(f"{source} changed while it was being copied ({err}); add it again once it "
                             "is complete") from None
        _make_read_only(staging)
        _pause("add-verified")
        os.rename(staging, self.versions_dir / name)
        _sync_dir(self.versions_dir)
        _pause("add-renamed")
        return name

    def _switch(self, name: str, action: str, reason: str) -> None:
        folder = self.versions_dir / name
        if not NAME.fullmatch(name) or not folder.is_dir():
            known = ", ".join(info.name for info in self.versions()) or "none"
            raise ModelError(f"no version {name!r} in {self.versions_dir} (versions: {known})")
        before = self.current()
        if before == name:
            return
        load_manifest(folder)  # every file there and intact before it can become current
        _pause("switch-checked")
        record = {"time": _now(), "action": action, "from": before, "to": name, "reason": reason}
        staged = self.root / f".current-{uuid.uuid4().hex[:12]}.tmp"
        _write_synced(staged, json.dumps({"current": name, "switch": record}, ensure_ascii=False) + "\n")
        _pause("pointer-written")
        _replace(staged, self.pointer)  # the switch
        _sync_dir(self.root)
        _pause("pointer-switched")
        self._append_history(record)
        _pause("history-written")

    def _previous(self) -> str:
        """The version the current one was promoted over: promotions push, rollbacks pop back to their target."""
        stack: list[str] = []
        for entry in self.history():
            to = entry.get("to")
            if entry.get("action") == "rollback" and to in stack:
                del stack[len(stack) - stack[::-1].index(to):]
            else:
                stack.append(to)
        current = self.current()
        if current is None:
            raise ModelError(f"{self.root} has no current version to roll back from")
        if len(stack) < 2 or stack[-1] != current:
            raise ModelError(f"nothing to roll back to: {current} is the first version in {self.history_file}; "
                             "name the version: emoji-assistant models rollback VERSION")
        return stack[-2]

    def _new_name(self, name: str | None, version: str) -> str:
        if name is not None:
            if not NAME.fullmatch(name):
                raise InputError(f"version name {name!r}: expected letters, digits and . _ + - (at most 64), "
                                 "starting with a letter or digit")
            if (self.versions_dir / name).exists():
                raise InputError(f"version {name} is already in {self.versions_dir}; pick another name")
            return name
        base = re.sub(r"[^A-Za-z0-9._+-]+", "-", str(version)).strip("._+-")[:56] or "version"
        candidate, n = base, 1
        while (self.versions_dir / candidate).exists():
            n += 1
            candidate = f"{base}-{n}"
        return candidate

    # ---- the files

    @contextmanager
    def _locked(self, step: str) -> Iterator[None]:
        """Hold root/.lock (the system releases it when its holder dies), tidying what a killed writer left;
        `step` names this moment for the kill tests."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "a+b") as handle:
            _lock(handle)
            for left in self.versions_dir.glob(".incoming-*"):
                _remove_tree(left)
            for left in self.root.glob(".current-*.tmp"):
                left.unlink()
            self._complete_history()
            _pause(step)
            yield

    def _read_pointer(self) -> dict | None:
        try:
            text = self.pointer.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        if not text.lstrip().startswith("{"):
            return {"current": text.strip()} if text.strip() else None  # a name written by hand
        try:
            pointer = json.loads(text)
        except json.JSONDecodeError as err:
            raise ModelError(f"{self.pointer} is damaged ({err}); write the current version's name into it") from err
        return pointer if isinstance(pointer, dict) and pointer.get("current") else None

    def _read_history(self) -> tuple[list[dict], int]:
        """(entries, length of the complete lines): a last line without its newline was being
        written when its writer died and does not count."""
        try:
            data = self.history_file.read_bytes()
        except FileNotFoundError:
            return [], 0
        complete = data[:data.rfind(b"\n") + 1]
        entries = []
        for line in complete.splitlines():
            try:
                entry = json.loads(line)
            except (UnicodeDecodeError, json.JSONDecodeError):
                continue
            if isinstance(entry, dict):
                entries.append(entry)
        return entries, len(complete)

    def _unrecorded_switch(self, entries: list[dict]) -> dict | None:
        """The switch the pointer records when history has not got it yet, else None."""
        pointer = self._read_pointer()
        if pointer is None:
            return None
        record = pointer.get("switch")
        if isinstance(record, dict):
            return None if entries and entries[-1] == record else record
        current = pointer["current"]  # written by hand: record that it changed, if it names a version
        last = entries[-1].get("to") if entries else None
        if last == current or not (self.versions_dir / current).is_dir():
            return None
        return {"time": _now(), "action": "external", "from": last, "to": current,
                "reason": f"{self.pointer} was changed by hand"}

    def _complete_history(self) -> None:
        """Cut a torn last line and append the switch the pointer has and history lacks."""
        entries, length = self._read_history()
        if self.history_file.exists() and self.history_file.stat().st_size != length:
            with open(self.history_file, "r+b") as f:
                f.truncate(length)
                os.fsync(f.fileno())
        lagging = self._unrecorded_switch(entries)
        if lagging:
            self._append_history(lagging)

    def _append_history(self, record: dict) -> None:
        with open(self.history_file, "ab") as f:
            f.write((json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))
            f.flush()
            os.fsync(f.fileno())

    def _not_a_root(self) -> str:
        """Why `root` cannot become a versioned root ("" if it can)."""
        if not self.root.exists():
            return ""
        if (self.root / "manifest.json").is_file():
            return (f"{self.root} is a model folder, not a versioned root; pass a new or empty folder "
                    f"(the default is {user_root()}), or add this model to one with `emoji-assistant models add`")
        ours = {"versions", "current", "history.jsonl", ".lock"}
        if not self.root.is_dir() or any(entry.name not in ours for entry in self.root.iterdir()):
            return (f"{self.root} is not a versioned root (no versions/ folder) and not empty; "
                    "pass a new or empty folder")
        return ""

    def _info(self, folder: Path, current: str | None) -> VersionInfo:
        try:
            data = read_manifest_json(folder)
        except ModelError:
            data = {}
        return VersionInfo(folder.name, str(data.get("version", "?")),
                           datetime.fromtimestamp(folder.stat().st_mtime, timezone.utc), folder.name == current,
                           model=str(data.get("name", "")), labels=len(data.get("labels") or []),
                           metrics=data.get("metrics") or {}, path=folder)


def is_versioned_root(path: str | Path) -> bool:
    """Whether `path` is a versioned root: a versions/ folder and no manifest.json of its own."""
    path = Path(path)
    return (path / "versions").is_dir() and not (path / "manifest.json").is_file()


def versioned_root(model_dir: str | Path) -> Path | None:
    """The root whose version `model_dir` is (root/versions/<name>), or None for a plain model folder."""
    parent = Path(model_dir).parent
    if parent.name == "versions" and (parent.parent / "current").is_file():
        return parent.parent
    return None


def user_root() -> Path:
    """The per-user versioned root: <user data>/models/emoji-predictor (Linux:
    ~/.local/share/emoji-assistant/models/emoji-predictor)."""
    return user_data_dir() / "models" / DEFAULT_MODEL


def default_root(env: Mapping[str, str] | None = None) -> Path:
    """The root `emoji-assistant models` works on without --root: $EMOJI_ASSISTANT_MODEL when it names a
    versioned root or a folder that is missing or empty (one to initialise), else user_root()."""
    env = os.environ if env is None else env
    chosen = env.get(MODEL_ENV)
    if chosen:
        path = Path(chosen).expanduser()
        if is_versioned_root(path) or not path.exists() or (path.is_dir() and not any(path.iterdir())):
            return path
    return user_root()


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _pause(step: str) -> None:
    """Tests only: wait at `step` to be killed when $EMOJI_ASSISTANT_VERSIONS_PAUSE_AT names it."""
    if os.environ.get(PAUSE_ENV) == step:
        sys.stderr.write(f"paused at {step}\n")
        sys.stderr.flush()
        while True:
            time.sleep(60)


def _lock(handle) -> None:
    if os.name == "nt":
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)  # retries for 10 s, then OSError
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)


def _write_synced(path: Path, text: str) -> None:
    with open(path, "wb") as f:
        f.write(text.encode("utf-8"))
        f.flush()
        os.fsync(f.fileno())


def _replace(source: Path, target: Path) -> None:
    """os.replace, retried for a moment on Windows, where a reader that has `target` open blocks it."""
    for attempt in range(20):
        try:
            os.replace(source, target)
            return
        except PermissionError:
            if os.name != "nt" or attempt == 19:
                raise
            time.sleep(0.05)


def _sync_dir(path: Path) -> None:
    """Make a rename or new entry in `path` durable (POSIX; Windows cannot open a folder to fsync it)."""
    if os.name == "nt":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_tree(path: Path) -> None:
    for folder, _, files in os.walk(path, topdown=False):
        for name in files:
            fd = os.open(os.path.join(folder, name), os.O_RDWR)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _sync_dir(Path(folder))


def _make_read_only(path: Path) -> None:
    """A version's files are never changed: make an accidental edit fail rather than corrupt it."""
    for folder, _, files in os.walk(path):
        for name in files:
            os.chmod(os.path.join(folder, name), stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)


def _remove_tree(path: Path) -> None:
    def writable_again(function, target, _):  # Windows refuses to delete a read-only file
        os.chmod(target, stat.S_IWUSR | stat.S_IRUSR)
        function(target)

    if sys.version_info >= (3, 12):
        shutil.rmtree(path, onexc=writable_again)
    else:
        shutil.rmtree(path, onerror=writable_again)
