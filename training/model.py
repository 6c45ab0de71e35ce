"""The emoji predictor: a pretrained encoder, mean pooling over real tokens, a linear head."""
from __future__ import annotations

import torch
from torch import nn


class EmojiClassifier(nn.Module):
    def __init__(self, encoder: nn.Module, num_labels: int, dropout: float = 0.1):
        super().__init__()
        self.encoder = encoder
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(encoder.config.hidden_size, num_labels)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)  # [batch, seq, 1]
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)  # [batch, hidden]
        return self.head(self.dropout(pooled))  # [batch, labels] logits


def load_encoder(base_model: str, num_layers: int = 0):
    """AutoModel from an id or folder, keeping only the bottom `num_layers` layers."""
    from transformers import AutoConfig, AutoModel

    config = AutoConfig.from_pretrained(base_model)
    if num_layers and num_layers < config.num_hidden_layers:
        config.num_hidden_layers = num_layers
    return AutoModel.from_pretrained(base_model, config=config, add_pooling_layer=False)
