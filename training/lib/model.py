"""The emoji predictor: a pretrained encoder, mean pooling over real tokens, a linear head (and,
after a head refit, a small correction beside it that reads a few views of the token states);
loading a base encoder, its tokenizer and a training run's model.pt, and its logits for many texts."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch import nn

from assistant.core.tokenizer import TextEncoder
from training.lib.head import CORRECTION_VIEWS, views_of


def pool(states: torch.Tensor, attention_mask: torch.Tensor, how: str) -> torch.Tensor:
    """[batch, seq, hidden] token states → [batch, hidden], the mean or the max over the real pieces."""
    mask = attention_mask.unsqueeze(-1).to(states.dtype)  # [batch, seq, 1]
    if how == "max":
        return states.masked_fill(mask == 0, -1e9).max(1).values
    return (states * mask).sum(1) / mask.sum(1).clamp(min=1.0)


class Correction(nn.Module):
    """A one-hidden-layer correction added to the linear head's logits: out(relu(hidden(x))), x the
    `views` of the token states side by side. training.rehead fits it over the frozen encoder, where a
    linear map of the mean cannot separate the feelings the corpora lack from the ones they have."""

    def __init__(self, hidden_size: int, width: int, num_labels: int, views=CORRECTION_VIEWS):
        super().__init__()
        self.views = tuple(views)
        self.hidden = nn.Linear(hidden_size * len(self.views), width)
        self.out = nn.Linear(width, num_labels, bias=False)

    @property
    def needs_lower_layers(self) -> bool:
        return any(below for _, below in self.views)

    def forward(self, layers: tuple[torch.Tensor, ...], attention_mask: torch.Tensor, dropout=None) -> torch.Tensor:
        x = torch.cat([pool(layers[-1 - below], attention_mask, how) for how, below in self.views], dim=-1)
        return self.out(torch.relu(self.hidden(dropout(x) if dropout else x)))


def correction_width(state: dict) -> int:
    """The width of the Correction whose weights `state` (a state dict, or any {name: weight}) holds; 0 for none."""
    inner = state.get("correction.hidden.weight")
    return int(inner.shape[0]) if inner is not None else 0


def correction_views(state: dict, hidden_size: int) -> tuple:
    """The views a Correction with these weights (a state dict, or any {name: weight [out, in]}) reads."""
    inner = state.get("correction.hidden.weight")
    return CORRECTION_VIEWS if inner is None else views_of(int(inner.shape[1]), hidden_size)


class EmojiClassifier(nn.Module):
    def __init__(self, encoder: nn.Module, num_labels: int, dropout: float = 0.1, correction_width: int = 0,
                 correction_views=CORRECTION_VIEWS):
        super().__init__()
        self.encoder = encoder
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(encoder.config.hidden_size, num_labels)
        hidden = encoder.config.hidden_size
        self.correction = (Correction(hidden, correction_width, num_labels, correction_views)
                           if correction_width else None)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.classify(self.layers(input_ids, attention_mask), attention_mask)

    def layers(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """The token states the head reads: every layer's when the correction reads lower ones, else the last alone."""
        lower = self.correction is not None and self.correction.needs_lower_layers
        out = self.encoder(input_ids=input_ids, attention_mask=attention_mask, output_hidden_states=lower)
        return tuple(out.hidden_states) if lower else (out.last_hidden_state,)

    def classify(self, layers: tuple[torch.Tensor, ...], attention_mask: torch.Tensor) -> torch.Tensor:
        """Token states ([batch, seq, hidden], the last layer last) → [batch, labels] logits."""
        logits = self.head(self.dropout(pool(layers[-1], attention_mask, "mean")))  # [batch, labels]
        return logits if self.correction is None else logits + self.correction(layers, attention_mask, self.dropout)


def load_encoder(base_model: str, num_layers: int = 0):
    """AutoModel from an id or folder, keeping only the bottom `num_layers` layers."""
    from transformers import AutoConfig, AutoModel

    from transformers.utils import logging

    config = AutoConfig.from_pretrained(base_model)
    if not (num_layers and num_layers < config.num_hidden_layers):
        return AutoModel.from_pretrained(base_model, config=config, add_pooling_layer=False)
    config.num_hidden_layers = num_layers
    verbosity = logging.get_verbosity()
    logging.set_verbosity_error()  # the dropped layers' weights go unused on purpose: no warning listing them
    try:
        return AutoModel.from_pretrained(base_model, config=config, add_pooling_layer=False)
    finally:
        logging.set_verbosity(verbosity)


def chain_thaw_stages(model: EmojiClassifier) -> list[list[nn.Parameter]]:
    """DeepMoji's chain-thaw (Felbo et al., 2017) as parameter lists, one per stage: the new head
    alone, then each encoder block on its own in network order (embeddings first, as DeepMoji's
    code walks its layers), then everything. Frozen weights (requires_grad False) stay frozen."""
    encoder = model.encoder
    blocks = [encoder.embeddings, *encoder.encoder.layer]
    stages = [list(model.head.parameters()) + (list(model.correction.parameters()) if model.correction else [])]
    stages += [[p for p in block.parameters() if p.requires_grad] for block in blocks]
    stages.append([p for p in model.parameters() if p.requires_grad])
    return [stage for stage in stages if stage]


def add_lora(model: EmojiClassifier, *, r: int, alpha: int, dropout: float) -> None:
    """LoRA adapters (Hu et al., 2021) on the attention query and value projections."""
    try:
        from peft import LoraConfig, get_peft_model
    except ImportError as err:
        raise ImportError("lora_r > 0 needs peft: pip install 'emoji-assistant[train]'") from err
    config = LoraConfig(r=r, lora_alpha=alpha, lora_dropout=dropout, target_modules=["query", "value"])
    model.encoder = get_peft_model(model.encoder, config)


def merge_lora(model: EmojiClassifier) -> None:
    """Fold the adapters into the base weights; the encoder is a plain transformers model again."""
    model.encoder = model.encoder.merge_and_unload()


def tokenizer_file(base_model: str) -> Path:
    """The tokenizer.json of a base model: in its folder, else fetched once from the Hugging Face hub."""
    local = Path(base_model) / "tokenizer.json"
    if local.exists():
        return local
    from huggingface_hub import hf_hub_download  # a hub id: fetched once, then cached

    return Path(hf_hub_download(base_model, "tokenizer.json"))


def load_trained(run: Path) -> tuple[EmojiClassifier, dict]:
    """A training run's model.pt → (the EmojiClassifier in eval mode, everything saved with it)."""
    saved = torch.load(run / "model.pt", weights_only=False)
    cfg, state = saved["config"], saved["state_dict"]
    encoder = load_encoder(cfg["base_model"], cfg["num_layers"])
    model = EmojiClassifier(encoder, len(saved["labels"]), cfg["dropout"], correction_width=correction_width(state),
                            correction_views=correction_views(state, encoder.config.hidden_size))
    model.load_state_dict(state)
    return model.eval(), saved


@torch.no_grad()
def predict_logits(model, encoder: TextEncoder, ids: list[list[int]], batch_size: int = 128) -> np.ndarray:
    """[n, labels] logits for token ids, batched by length; the model is back in train mode after."""
    model.eval()
    device = next(model.parameters()).device
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    out = np.zeros((len(ids), model.head.out_features), dtype=np.float32)
    for start in range(0, len(order), batch_size):
        idx = order[start:start + batch_size]
        input_ids, mask = encoder.pad([ids[i] for i in idx])
        logits = model(torch.from_numpy(input_ids).to(device), torch.from_numpy(mask).to(device))
        out[idx] = logits.float().cpu().numpy()
    model.train()
    return out


class WithSourcePriors(nn.Module):
    """Training-time wrapper: the classifier's logits plus a learned bias per (source, label).

    Corpora differ in which emojis their writers use (Spanish tweets: 🎶 💕; Russian Telegram
    comments: 🤣 🙈) and in how an emotion corpus's mapping spreads weight. Without a bias
    of its own per source, the encoder learns "Spanish → 🎶" from the language itself and
    a sad Spanish message gets a cheerful emoji. The biases absorb those priors; export
    keeps them apart (the runtime adds a language's real-usage prior instead).
    """

    def __init__(self, model: EmojiClassifier, sources: list[str]):
        super().__init__()
        self.model = model
        self.sources = list(sources)
        self.bias = nn.Parameter(torch.zeros(len(self.sources), model.head.out_features))

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, source_ids: torch.Tensor) -> torch.Tensor:
        return self.model(input_ids, attention_mask) + self.bias[source_ids]

    def priors(self) -> dict[str, list[float]]:
        return {s: [round(float(v), 4) for v in row] for s, row in zip(self.sources, self.bias.detach().cpu())}
