"""The training losses: plain, class-weighted and focal cross-entropy, all with label smoothing.

Tweets are dominated by a few emojis (❤️ 😂 😍). Class weights ∝ freq^-power (power 0.5 is
α = 1/√freq, as the Text2Emoji study used for its focal loss) give rare labels a voice;
focal loss (Lin et al., 2017) also down-weights examples the model already gets right.

Targets are either label indices [batch] or weighted emojis [batch, labels] (rows summing
to 1: several emojis fit one message, e.g. grief → 😢 😭 💔). With weighted targets an
example weighs Σ_c q_c·w_c and its loss is the cross-entropy against q; one-hot rows give
exactly the index form.
"""
from __future__ import annotations

import torch
from torch.nn import functional as F

LOSSES = ("ce", "weighted", "focal")


def class_weights(counts: list[float], power: float, max_weight: float = 0.0) -> torch.Tensor:
    """Weight ∝ freq^-power, scaled so that the mean weight over the training data is 1;
    `max_weight` (0 = none) caps the rarest labels' weights before that scaling."""
    freq = torch.tensor(counts, dtype=torch.float)
    weight = (freq / freq.sum()).pow(-power)
    weight = weight / (weight * freq / freq.sum()).sum()
    if max_weight:
        weight = weight.clamp(max=max_weight)
        weight = weight / (weight * freq / freq.sum()).sum()
    return weight


def emoji_loss(logits: torch.Tensor, target: torch.Tensor, *, kind: str = "weighted",
               weight: torch.Tensor | None = None, gamma: float = 2.0, label_smoothing: float = 0.0) -> torch.Tensor:
    """Mean loss over the batch; `weight` is per class ([labels]) and ignored by "ce".

    Focal: sum_i α_yi (1 - p_yi)^γ CE_i / sum_i α_yi, so γ = 0 is exactly weighted CE.
    `target`: label indices [batch], or target weights [batch, labels] (see the module doc).
    """
    if kind not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}, got {kind!r}")
    if target.dim() == 2:
        return _soft_loss(logits, target, kind=kind, weight=weight, gamma=gamma, label_smoothing=label_smoothing)
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


def _soft_loss(logits, target, *, kind, weight, gamma, label_smoothing):
    """The same three losses against weighted targets q [batch, labels]."""
    q = target.to(logits.dtype)
    if label_smoothing:
        q = (1 - label_smoothing) * q + label_smoothing / q.shape[1]
    log_p = logits.log_softmax(-1)
    per_example = -(q * log_p).sum(-1)  # [batch] cross-entropy against q
    if kind == "ce" or weight is None:
        example_weight = torch.ones_like(per_example)
    else:
        example_weight = q @ weight.to(logits.device, logits.dtype)  # Σ_c q_c w_c
    if kind == "focal":
        p_true = (q * log_p.exp()).sum(-1)  # the probability given to the targets
        per_example = (1.0 - p_true).pow(gamma) * per_example
    return (example_weight * per_example).sum() / example_weight.sum()
