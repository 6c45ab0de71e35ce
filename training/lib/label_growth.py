"""New emoji labels for a trained head: rows appended, each started from what the encoder makes of
the emoji's name, so a new label begins near the texts that mean it instead of at random.

For each new emoji: its CLDR name in English and in the language its messages are most often in
(assistant.core's lexicon) are run through the encoder and mean-pooled as the classifier pools a
message; the vectors are averaged, the mean over every label's name is taken out (pooled vectors of
a sentence encoder share a large common direction, which would otherwise score the new row high on
every text), and the row is scaled to the existing rows' mean norm. Its bias is the existing
biases' mean minus `margin` logits, so a new label starts a little below an average one and
training brings it up where the logs say it belongs. Existing rows are kept as they are.
"""
from __future__ import annotations

import torch

from assistant.core.lexicon import Lexicon
from assistant.core.tokenizer import TextEncoder
from training.lib.model import EmojiClassifier, pool

NEW_ROW_MARGIN = 1.0  # logits below the mean existing bias a new label starts at


def name_texts(emoji: str, langs: list[str]) -> list[str]:
    """The emoji's CLDR name in English and in each of `langs` (deduplicated, empty names dropped)."""
    lexicon = Lexicon.load()
    names = [lexicon.name(emoji, "en"), *(lexicon.name(emoji, lang) for lang in langs)]
    return list(dict.fromkeys(n for n in names if n)) or [emoji]


@torch.no_grad()
def pooled(model: EmojiClassifier, encoder: TextEncoder, texts: list[str]) -> torch.Tensor:
    """[n, hidden] mean-pooled encoder states of `texts`, pooled as EmojiClassifier.classify pools (model.pool)."""
    was_training = model.training
    model.eval()
    ids, mask = encoder(texts)
    ids, mask = torch.from_numpy(ids), torch.from_numpy(mask)
    device = next(model.parameters()).device
    hidden = model.encoder(input_ids=ids.to(device), attention_mask=mask.to(device)).last_hidden_state
    model.train(was_training)
    return pool(hidden, mask.to(device), "mean").float().cpu()


@torch.no_grad()
def grow_head(model: EmojiClassifier, labels: list[str], new: dict[str, list[str]], encoder: TextEncoder,
              margin: float = NEW_ROW_MARGIN) -> list[str]:
    """Append a head row per new emoji (`new`: emoji → the languages its messages are in, commonest
    first); returns the grown label list (old labels first, in their order)."""
    if not new:
        return list(labels)
    vectors = {e: pooled(model, encoder, name_texts(e, langs[:1])).mean(0) for e, langs in new.items()}
    common = torch.cat([pooled(model, encoder, name_texts(e, [])) for e in labels] + [
        torch.stack(list(vectors.values()))]).mean(0)  # the direction every emoji name shares
    old_w, old_b = model.head.weight.data, model.head.bias.data
    norm, bias = old_w.norm(dim=1).mean(), old_b.mean() - margin
    rows = torch.stack([(v - common) / (v - common).norm().clamp(min=1e-6) * norm for v in vectors.values()])
    head = torch.nn.Linear(old_w.shape[1], len(labels) + len(new)).to(old_w.device, old_w.dtype)
    head.weight.data = torch.cat([old_w, rows.to(old_w)])
    head.bias.data = torch.cat([old_b, torch.full((len(new),), float(bias)).to(old_b)])
    model.head = head
    if model.correction is not None:  # the new labels get no correction of their own yet: zero output rows
        old_out = model.correction.out.weight.data
        out = torch.nn.Linear(old_out.shape[1], len(labels) + len(new), bias=False).to(old_out.device, old_out.dtype)
        out.weight.data = torch.cat([old_out, torch.zeros(len(new), old_out.shape[1]).to(old_out)])
        model.correction.out = out
    return [*labels, *new]
