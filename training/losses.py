"""The training losses: plain, class-weighted and focal cross-entropy, all with label smoothing.

Tweets are dominated by a few emojis (❤️ 😂 😍). Class weights ∝ freq^-power (power 0.5 is
α = 1/√freq, as the Text2Emoji study used for its focal loss) give rare labels a voice;
focal loss (Lin et al., 2017) also down-weights examples the model already gets right.
"""
from __future__ import annotations

import torch
from torch.nn import functional as F

LOSSES = ("ce", "weighted", "focal")


def class_weights(counts: list[int], power: float) -> torch.Tensor:
    """Weight ∝ freq^-power, scaled so that the mean weight over the training data is 1."""
    freq = torch.tensor(counts, dtype=torch.float)
    weight = (freq / freq.sum()).pow(-power)
    return weight / (weight * freq / freq.sum()).sum()


def emoji_loss(logits: torch.Tensor, target: torch.Tensor, *, kind: str = "weighted",
               weight: torch.Tensor | None = None, gamma: float = 2.0, label_smoothing: float = 0.0) -> torch.Tensor:
    """Mean loss over the batch; `weight` is per class ([labels]) and ignored by "ce".

    Focal: sum_i α_yi (1 - p_yi)^γ CE_i / sum_i α_yi, so γ = 0 is exactly weighted CE.
    """
    if kind not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}, got {kind!r}")
    if kind == "ce" or weight is None:
        weight = None
    weight = weight.to(logits.device, logits.dtype) if weight is not None else None
    if kind != "focal":
        return F.cross_entropy(logits, target, weight=weight, label_smoothing=label_smoothing)
    per_example = F.cross_entropy(logits, target, weight=weight, label_smoothing=label_smoothing, reduction="none")
    p_true = logits.float().softmax(-1).gather(1, target[:, None]).squeeze(1)  # [batch]
    modulated = (1.0 - p_true).pow(gamma).to(per_example.dtype) * per_example
    norm = weight[target].sum() if weight is not None else torch.tensor(float(len(target)), device=logits.device)
    return modulated.sum() / norm
