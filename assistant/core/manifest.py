"""Load and check a model folder's manifest.json: task, format version, fields and file hashes.

Every model folder is read by the same code: load_manifest(folder, kind=...) with the
dataclass of its kind of model, Manifest for the emoji predictor (the default) and
ExplainManifest for the explain model. Both share ModelManifest's fields and checks.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, TypeVar

from .errors import ModelError

FORMAT_VERSION = 1
MODEL_FILES = ("model.onnx", "tokenizer.json")  # the emoji predictor's


@dataclass(kw_only=True)
class ModelManifest:
    """What every model folder's manifest says: which model, for which task, with which files."""
    TASK: ClassVar[str] = ""  # the `task` a folder of this kind must have
    REQUIRED_FILES: ClassVar[tuple[str, ...]] = ()  # files whose sha256 must be recorded

    name: str
    version: str
    task: str
    languages: list[str]
    files: dict[str, str]  # file name -> sha256
    metrics: dict = field(default_factory=dict)  # eval set name -> {metric: value}
    created_by: dict = field(default_factory=dict)  # command, data, config
    format_version: int = FORMAT_VERSION

    def problem(self) -> str:
        """What is wrong with the fields of this kind of model ("" if nothing)."""
        return ""


@dataclass(kw_only=True)
class Manifest(ModelManifest):
    """The emoji predictor's manifest (models/emoji-predictor)."""
    TASK: ClassVar[str] = "emoji-prediction"
    REQUIRED_FILES: ClassVar[tuple[str, ...]] = MODEL_FILES

    base_model: str
    labels: list[str]
    max_length: int
    calibration: dict = field(default_factory=dict)  # temperature, logit adjustment
    label_neighbours: dict = field(default_factory=dict)  # {"pairs": [[emoji, emoji, cosine], ...]} (training.label_neighbours)
    extra: dict = field(default_factory=dict)

    @property
    def temperature(self) -> float:
        return float(self.calibration.get("temperature", 1.0))

    def language_prior(self, lang: str):
        """The logit shift for messages in `lang` (how much its chat uses each emoji, learned in
        training): see language_prior(); None for a model without."""
        return language_prior(self.calibration.get("language_priors") or {}, lang)

    def neighbours(self) -> dict[str, dict[str, float]]:
        """{emoji: {emoji the head treats as alike: cosine}} in both directions; {} for a model without."""
        out: dict[str, dict[str, float]] = {}
        for a, b, cosine in self.label_neighbours.get("pairs", []):
            out.setdefault(a, {})[b] = out.setdefault(b, {})[a] = float(cosine)
        return out

    def problem(self) -> str:
        return "" if self.labels else "the label list is empty"


@dataclass(kw_only=True)
class ExplainManifest(ModelManifest):
    """The explain model's manifest (models/emoji-explain): the ranker's feature order, its kind
    prior and the emoji predictor its context model belongs to."""
    TASK: ClassVar[str] = "implicit-emoji-decoding"
    REQUIRED_FILES: ClassVar[tuple[str, ...]] = ("candidates.json.gz",)

    features: list[str]  # the ranker's input columns, in order (assistant.core.explain.features.FEATURES)
    quantization: str = ""
    parity: dict = field(default_factory=dict)  # exported ranker against PyTorch
    kind_prior: dict = field(default_factory=dict)  # {"shift": {kind: log prior ratio}, "counted": ..., ...}
    context: dict = field(default_factory=dict)  # {"predictor_sha256": ..., "predictor": ..., "rank": ...}

    @property
    def kind_shift(self) -> dict[str, float]:
        return self.kind_prior.get("shift", {})

    @property
    def predictor_sha256(self) -> str | None:
        """The model.onnx hash of the emoji predictor the context model was trained with."""
        return self.context.get("predictor_sha256")


Kind = TypeVar("Kind", bound=ModelManifest)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def load_manifest(model_dir: Path, *, kind: type[Kind] = Manifest, check_hashes: bool = True) -> Kind:
    """Read `model_dir/manifest.json` as a `kind` manifest and check it against the files beside it.

    Raises:
        ModelError: the folder or a file is missing, the JSON is broken, the task is another
            kind of model's, the format version is not ours, a required field is missing, or
            a file's sha256 differs from the manifest's.
    """
    model_dir = Path(model_dir)
    path = model_dir / "manifest.json"
    data = read_manifest_json(model_dir)
    if data.get("task") != kind.TASK:
        raise ModelError(f"{path}: task {data.get('task')!r}, expected {kind.TASK!r}")
    version = data.get("format_version")
    if version != FORMAT_VERSION:
        raise ModelError(f"{path}: model format {version!r}, this emoji-assistant reads format {FORMAT_VERSION}; "
                         "upgrade emoji-assistant or re-export the model")
    known = set(kind.__dataclass_fields__)
    try:
        manifest = kind(**{k: v for k, v in data.items() if k in known})
    except TypeError as err:
        raise ModelError(f"{path}: required field missing ({err})") from err
    problem = manifest.problem()
    if problem:
        raise ModelError(f"{path}: {problem}")
    for name in kind.REQUIRED_FILES:
        if name not in manifest.files:
            raise ModelError(f"{path}: no sha256 recorded for {name}")
    if check_hashes:
        check_files(model_dir, manifest.files)
    else:
        for name in manifest.files:
            if not (model_dir / name).is_file():
                raise ModelError(f"{model_dir}: {name} is missing (the manifest lists it)")
    return manifest


def read_manifest_json(model_dir: Path) -> dict:
    """The folder's manifest.json as a dict; ModelError says what is missing or broken."""
    path = model_dir / "manifest.json"
    if not model_dir.is_dir():
        raise ModelError(f"model folder {model_dir} does not exist; pass --model PATH to a folder with manifest.json")
    if not path.is_file():
        raise ModelError(f"{model_dir} is not a model folder: manifest.json is missing")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ModelError(f"{path} is not valid JSON ({err}); the file is damaged, reinstall or re-export the model") from err
    if not isinstance(data, dict):
        raise ModelError(f"{path}: expected a JSON object, found {type(data).__name__}")
    return data


def check_files(model_dir: Path, files: dict[str, str]) -> None:
    """Every file the manifest lists exists and has its recorded sha256."""
    for name, expected in files.items():
        file = model_dir / name
        if not file.is_file():
            raise ModelError(f"{model_dir}: {name} is missing (the manifest lists it)")
        if sha256_file(file) != expected:
            raise ModelError(f"{file}: sha256 differs from the manifest: the file is truncated or was replaced; "
                             "reinstall or re-export the model")


ANY_LANGUAGE = "*"  # the language_priors entry for a language without its own


def language_prior(priors: dict[str, list[float]], lang: str) -> list[float] | None:
    """A model's language prior for `lang`: the language's own, else the one for any language;
    None when `priors` is empty. Export (calibration) and the runtime read them through this."""
    from .text import base_language

    return (priors.get(base_language(lang)) or priors.get(ANY_LANGUAGE)) if priors else None
