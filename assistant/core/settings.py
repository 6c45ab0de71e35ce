"""Settings of the surfaces (bots, desktop helper, web demo): defaults, a TOML file, environment.

Each surface declares its settings as a dataclass whose fields carry the defaults and whose
`__post_init__` checks them (bots/bot_settings.py, desktop/desktop_settings.py, web/web_settings.py). load()
fills one in, later sources winning: the dataclass defaults, then the TOML file, then the
environment variables the surface names. Every value is read by its field's type the same
way wherever it comes from, and anything unusable is one SettingsError line that names the
key or variable, the value (never a secret's) and what was expected.

Why not pydantic-settings: it would add ~200 ms to every start of the desktop helper
(importing pydantic), its errors span several lines, and it reads lists from environment
variables as JSON, so `EMOJI_ASSISTANT_DISCORD_ADMIN_IDS=5,6` would need a custom decoder;
the few types the settings use are read here in ~100 lines.
"""
from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Collection, Mapping
from dataclasses import fields
from pathlib import Path
from typing import TypeVar

from .errors import InputError

T = TypeVar("T")
TRUE, FALSE = ("true", "1", "yes", "on"), ("false", "0", "no", "off")


class SettingsError(InputError, ValueError):
    """A settings file or environment variable that cannot be used; one line saying which and why."""


def load(cls: type[T], *, path: str | Path | None = None, env: Mapping[str, str] | None = None,
         env_names: Mapping[str, str] | None = None, secrets: Collection[str] = ()) -> T:
    """An instance of the dataclass `cls`: its defaults, then `path` (TOML), then `env`.

    Args:
        path: a TOML file of field names and values; None reads none.
        env: the environment (tests pass a dict); variables that are unset or empty are skipped.
        env_names: field name → environment variable, for the fields the environment may set.
        secrets: field names whose values never appear in an error.

    Raises:
        SettingsError: unreadable file, unknown key, a value of the wrong type, or a value
            the dataclass refuses; the message names where it came from.

    >>> from dataclasses import dataclass
    >>> @dataclass
    ... class Demo:
    ...     verbose: bool = False
    >>> load(Demo, env={"DEMO_VERBOSE": "yes"}, env_names={"verbose": "DEMO_VERBOSE"})
    Demo(verbose=True)
    """
    kinds = typing.get_type_hints(cls)
    known = [f.name for f in fields(cls)]
    values: dict = {}
    origin: dict[str, str] = {}  # field → where its value came from, for the dataclass's own checks
    if path is not None:
        for key, raw in read_toml(Path(path), known).items():
            values[key] = parse(kinds[key], raw, f"{key} in {path}", hidden=key in secrets)
            origin[key] = f"in {path}"
    for name, var in (env_names or {}).items():
        raw = (env or {}).get(var, "")
        if raw != "":
            values[name] = parse(kinds[name], raw, var, hidden=name in secrets)
            origin[name] = f"from {var}"
    try:
        return cls(**values)
    except (TypeError, ValueError) as err:  # a check in __post_init__: its message starts with the field name
        first = str(err).split(" ", 1)[0]
        where = origin.get(first) or (f"in {path}" if path is not None else "")
        raise SettingsError(f"{err} ({where})" if where else str(err)) from None


def parse(kind, raw, source: str, *, hidden: bool = False):
    """`raw` (an environment string or a TOML value) as `kind`: bool, int, float, str, a list or
    tuple of those, or one of them | None. `source` names the key or variable in the error."""
    if _is_optional(kind):
        if raw is None:
            return None
        kind = next(arg for arg in typing.get_args(kind) if arg is not type(None))
    shown = "(hidden)" if hidden else repr(raw)
    container, (item_kind, *_) = typing.get_origin(kind), typing.get_args(kind) or (None,)
    if container in (list, tuple):
        items = [part for part in re.split(r"[,\s]+", raw) if part] if isinstance(raw, str) else raw
        if not isinstance(items, list):
            raise SettingsError(f"{source} must be a list, got {shown}")
        return container(parse(item_kind, item, source, hidden=hidden) for item in items)
    if kind is bool:
        return parse_bool(raw, source, shown)
    expected = {int: "a whole number", float: "a number", str: "text"}[kind]
    if isinstance(raw, str) and kind is not str:
        try:
            return kind(raw.strip())
        except ValueError:
            raise SettingsError(f"{source} must be {expected}, got {shown}") from None
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)) or not _fits(kind, raw):
        raise SettingsError(f"{source} must be {expected}, got {shown}")
    return kind(raw)


def parse_bool(raw, source: str, shown: str | None = None) -> bool:
    """true/false, 1/0, yes/no, on/off (any case), from an environment string or a TOML value.

    >>> parse_bool("On", "EXAMPLE"), parse_bool(False, "example")
    (True, False)
    """
    word = str(raw).strip().lower() if isinstance(raw, (str, int)) else None  # TOML true is a bool, an int too
    if word in TRUE or word in FALSE:
        return word in TRUE
    raise SettingsError(f"{source} must be true or false (or yes/no, on/off, 1/0), got {shown or repr(raw)}")


def read_toml(path: Path, known: list[str]) -> dict:
    """The table of a TOML settings file; an unknown key is refused with the closest known one."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: the surfaces' extras bring tomli
        try:
            import tomli as tomllib
        except ModuleNotFoundError:
            raise SettingsError(f"reading {path} needs Python 3.11 or `pip install tomli`") from None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise SettingsError(f"cannot read the settings file {path}: {err.strerror or err}") from None
    except UnicodeDecodeError:
        raise SettingsError(f"{path} is not UTF-8 text; save it as UTF-8") from None
    except tomllib.TOMLDecodeError as err:
        raise SettingsError(f"{path} is not valid TOML: {err}") from None
    for key in data:
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(known)}"
            raise SettingsError(f"{path}: unknown setting {key!r}; {hint}")
    return data


def _is_optional(kind) -> bool:
    return typing.get_origin(kind) in (typing.Union, types.UnionType) and type(None) in typing.get_args(kind)


def _fits(kind, raw) -> bool:
    """A TOML value of the right type: an int is a fine float, a float is no int, a number is no str."""
    return isinstance(raw, {int: int, float: (int, float), str: str}[kind])
