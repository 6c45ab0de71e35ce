"""Load and check a model folder's manifest.json: format version, fields and file hashes."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ModelError

FORMAT_VERSION = 1
MODEL_FILES = ("model.onnx", "tokenizer.json")


@dataclass
class Manifest:
    name: str
    version: str
    task: str
    base_model: str
    languages: list[str]
    labels: list[str]
    max_length: int
    files: dict[str, str]  # file name -> sha256
    metrics: dict = field(default_factory=dict)  # eval set name -> {metric: value}
    created_by: dict = field(default_factory=dict)  # command, data, config
    calibration: dict = field(default_factory=dict)  # temperature, logit adjustment
    format_version: int = FORMAT_VERSION
    extra: dict = field(default_factory=dict)

    @property
    def temperature(self) -> float:
        return float(self.calibration.get("temperature", 1.0))


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def load_manifest(model_dir: Path, *, check_hashes: bool = True) -> Manifest:
    """Read `model_dir/manifest.json` and check it against the files beside it.

    Raises:
        ModelError: the folder or a file is missing, the JSON is broken, the format
            version is not ours, or a file's sha256 differs from the manifest's.
    """
    model_dir = Path(model_dir)
    path = model_dir / "manifest.json"
    data = read_manifest_json(model_dir)
    version = data.get("format_version")
    if version != FORMAT_VERSION:
        raise ModelError(f"{path}: model format {version!r}, this emoji-assistant reads format {FORMAT_VERSION}; "
                         "upgrade emoji-assistant or re-export the model")
    known = set(Manifest.__dataclass_fields__)
    try:
        manifest = Manifest(**{k: v for k, v in data.items() if k in known})
    except TypeError as err:
        raise ModelError(f"{path}: required field missing ({err})") from err
    if manifest.task != "emoji-prediction":
        raise ModelError(f"{path}: task {manifest.task!r}, expected 'emoji-prediction'")
    if not manifest.labels:
        raise ModelError(f"{path}: the label list is empty")
    for name in MODEL_FILES:
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
