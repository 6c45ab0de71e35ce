"""TrainConfig: every knob of a training run, checked on construction.

Defaults are the cheap CPU recipe that produced the shipped model; `configs/*.toml`
hold overrides (e.g. the GPU recipe), and command-line `--key=value` flags win over both.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, asdict, fields
from pathlib import Path

from training.lib.defaults import E5_DIR, EXAMPLES, RUN_DIR


@dataclass
class TrainConfig:
    base_model: str = str(E5_DIR)  # HF model id or local folder (XLM-R family)
    examples: str = str(EXAMPLES)  # from training.prepare
    out_dir: str = str(RUN_DIR)  # checkpoints and the final fine-tuned model
    num_layers: int = 6  # keep the bottom N encoder layers (0 = all); fewer = faster
    max_length: int = 64  # tokens per message, including <s> and </s>
    batch_size: int = 32  # messages per step
    learning_rate: float = 1e-4  # peak AdamW learning rate for the encoder
    head_learning_rate: float = 1e-3  # the freshly initialised head learns faster
    weight_decay: float = 0.01
    warmup_fraction: float = 0.05  # of max_steps, linear warm-up then linear decay
    max_steps: int = 3000  # optimizer steps; about one epoch of 95k tweets at batch 32
    max_minutes: float = 0.0  # stop early after this wall time (0 = no limit); checkpoint kept
    loss: str = "weighted"  # "ce" | "weighted" (∝ freq^-class_weight_power) | "focal" (same weights as α)
    class_weight_power: float = 0.5  # loss weight ∝ freq^-power; 0.5 is α = 1/√freq
    focal_gamma: float = 2.0  # focal loss (1 - p)^gamma; 0 = weighted cross-entropy
    label_smoothing: float = 0.0  # 0..1, mass spread over the other labels
    dropout: float = 0.1  # on the pooled sentence vector
    freeze_embeddings: bool = True  # keeps languages unseen in training aligned; faster
    min_label_count: int = 20  # labels with less training weight (examples, summed over weighted targets) are dropped
    max_class_weight: float = 0.0  # cap on a label's loss weight, relative to the mean of 1 (0 = no cap)
    source_weights: str = ""  # "source:factor,..." e.g. "telegram_ru:3,xed_en:0.5": each epoch's draws per example
    source_priors: bool = False  # learn a bias per source and label, added to the logits in training only: it
    # absorbs each corpus's label prior (Spanish tweets → 🎶, Telegram → 🤣), so the head learns from the words
    feelings: str = ""  # a feelings file (training/data/feelings_train.jsonl.gz) whose train rows join the training split
    case_augment: bool = False  # draw each text as written and with its first letter's case flipped, in turn
    # (training.lib.examples.case_variants): the feelings messages are mostly lower case, the tweets capitalised
    init_from: str = ""  # a finished run folder (model.pt), or a shipped model folder (int8, its labels kept), to start from
    chain_thaw: bool = False  # DeepMoji: head alone, then one layer at a time from the top, then all
    chain_thaw_steps: int = 100  # steps per chain-thaw stage; the last stage (all layers) runs to max_steps
    lora_r: int = 0  # LoRA rank on the attention query/value (0 = full fine-tuning); merged before saving
    lora_alpha: int = 16  # LoRA scale numerator (scale = alpha / r)
    lora_dropout: float = 0.05
    precision: str = "fp32"  # "fp32" | "bf16" | "fp16" (fp16 needs a GPU); autocast, master weights fp32
    checkpoint_every: int = 250  # steps
    eval_every: int = 0  # steps between validation passes (0 = only at the end)
    seed: int = 1234
    threads: int = 0  # torch CPU threads (0 = torch's default)

    def __post_init__(self):
        if not 8 <= self.max_length <= 512:
            raise ValueError(f"max_length must be within 8..512, got {self.max_length}")
        for name in ("batch_size", "max_steps", "checkpoint_every"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if not 0 <= self.warmup_fraction < 1:
            raise ValueError(f"warmup_fraction must be within [0, 1), got {self.warmup_fraction}")
        if self.num_layers < 0:
            raise ValueError(f"num_layers must be >= 0, got {self.num_layers}")
        self.loss = self.loss.lower()
        if self.loss not in ("ce", "weighted", "focal"):
            raise ValueError(f"loss must be one of ce, weighted, focal; got {self.loss!r}")
        if self.focal_gamma < 0:
            raise ValueError(f"focal_gamma must be >= 0, got {self.focal_gamma}")
        if not 0 <= self.label_smoothing < 1:
            raise ValueError(f"label_smoothing must be within [0, 1), got {self.label_smoothing}")
        self.precision = self.precision.lower()
        if self.precision not in ("fp32", "bf16", "fp16"):
            raise ValueError(f"precision must be fp32, bf16 or fp16; got {self.precision!r}")
        if self.lora_r < 0 or self.chain_thaw_steps < 1:
            raise ValueError(f"lora_r must be >= 0 and chain_thaw_steps >= 1, got {self.lora_r}, {self.chain_thaw_steps}")
        self.source_factors()  # raises on a malformed value
        if self.lora_r and self.chain_thaw:
            raise ValueError("chain_thaw and lora_r are alternatives: LoRA already trains only small adapters; "
                             "set one of them (e.g. --lora_r=0)")

    def source_factors(self) -> dict[str, float]:
        """`source_weights` as {source: factor}; a factor of 2.5 draws an example twice or three times per epoch."""
        factors = {}
        for item in filter(None, (part.strip() for part in self.source_weights.split(","))):
            source, sep, factor = item.partition(":")
            try:
                factors[source.strip()] = float(factor)
            except ValueError:
                sep = ""
            if not sep or factors.get(source.strip(), -1) < 0:
                raise ValueError(f"source_weights must look like 'telegram_ru:3,xed_en:0.5', got {self.source_weights!r}")
        return factors

    @classmethod
    def load(cls, path: str | Path | None = None, overrides: list[str] | None = None) -> "TrainConfig":
        """Defaults, then a TOML file, then `key=value` overrides."""
        values: dict = {}
        if path:
            values.update(tomllib.loads(Path(path).read_text(encoding="utf-8")))
        types = {f.name: f.type for f in fields(cls)}
        for item in overrides or []:
            key, sep, raw = item.lstrip("-").partition("=")
            key = key.replace("-", "_")
            if not sep or key not in types:
                raise ValueError(f"unknown setting {item!r}; expected one of: {', '.join(types)}")
            values[key] = _parse(raw, types[key])
        unknown = set(values) - set(types)
        if unknown:
            raise ValueError(f"unknown settings {sorted(unknown)} in {path}")
        return cls(**values)

    def to_dict(self) -> dict:
        return asdict(self)


def _parse(raw: str, type_name: str):
    if type_name == "bool":
        return raw.lower() in ("1", "true", "yes", "on")
    if type_name == "int":
        return int(raw)
    if type_name == "float":
        return float(raw)
    return raw
