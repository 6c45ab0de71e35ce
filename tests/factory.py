"""Tiny models built from configs with random weights, so tests need no download and no ../shared."""
from __future__ import annotations

import json
from pathlib import Path

CORPUS = [
    "I love pizza and pasta with my friends", "happy birthday to you my love", "good night sleep well",
    "Me encanta la paella con mis amigos", "feliz cumpleaños hermana", "buenas noches a todos",
    "Gute Nacht und schöne Träume", "Я люблю тебя очень сильно", "我爱你 我们去海边吧", "Bonne nuit mes amis",
    "the sun is shining at the beach today", "christmas tree and gifts", "fire fire this song is hot",
    "camera photo of the city at night", "laughing so hard right now", "blue heart for my team",
]
LABELS = ["❤️", "😂", "😍", "🔥", "☀️", "🎄", "📷", "💙"]


def tiny_tokenizer_file(path: Path, vocab_size: int = 300) -> Path:
    """An XLM-R shaped Unigram tokenizer.json (<s>=0, <pad>=1, </s>=2, <unk>=3) trained on CORPUS."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers

    tok = Tokenizer(models.Unigram())
    tok.pre_tokenizer = pre_tokenizers.Metaspace()
    tok.decoder = decoders.Metaspace()
    trainer = trainers.UnigramTrainer(vocab_size=vocab_size, special_tokens=["<s>", "<pad>", "</s>", "<unk>"],
                                      unk_token="<unk>")
    tok.train_from_iterator(CORPUS * 3, trainer)
    tok.post_processor = processors.TemplateProcessing(single="<s> $A </s>", special_tokens=[("<s>", 0), ("</s>", 2)])
    path.parent.mkdir(parents=True, exist_ok=True)
    tok.save(str(path))
    # the trainer breaks ties between equally scored pieces by 1e-4 nudges in a random order: without the nudges
    # and with the pieces in a fixed order, every session gets the same tokenizer (and the same tiny model)
    saved = json.loads(path.read_text(encoding="utf-8"))
    specials, pieces = saved["model"]["vocab"][:4], saved["model"]["vocab"][4:]
    saved["model"]["vocab"] = specials + sorted(([piece, round(score, 3)] for piece, score in pieces),
                                                key=lambda row: (-row[1], row[0]))
    path.write_text(json.dumps(saved, ensure_ascii=False), encoding="utf-8")
    return path


def tiny_encoder_dir(path: Path, *, layers: int = 2) -> Path:
    """A folder like a Hugging Face model id: random XLM-R weights (seeded, so every session builds the
    same model whatever ran before) plus tokenizer.json. The word embeddings are 4-bit blocks, as in
    the real base encoder's file, so that an export stores them as such."""
    import torch
    from transformers import XLMRobertaConfig, XLMRobertaModel

    from training.lib.quantize import dequantize_blocks_q4, quantize_blocks_q4

    tokenizer = tiny_tokenizer_file(path / "tokenizer.json")
    vocab = len(json.loads(tokenizer.read_text(encoding="utf-8"))["model"]["vocab"])
    config = XLMRobertaConfig(vocab_size=vocab, hidden_size=32, num_hidden_layers=layers, num_attention_heads=2,
                              intermediate_size=64, max_position_embeddings=130, type_vocab_size=1,
                              pad_token_id=1, bos_token_id=0, eos_token_id=2)
    torch.manual_seed(0)
    model = XLMRobertaModel(config, add_pooling_layer=False)
    table = model.embeddings.word_embeddings.weight
    table.data = torch.from_numpy(dequantize_blocks_q4(*quantize_blocks_q4(table.detach().numpy())))
    model.save_pretrained(path)
    return path


def tiny_examples(path: Path) -> Path:
    """examples.jsonl in training.prepare's format: every label in train and val."""
    rows = []
    for i, text in enumerate(CORPUS * 4):
        split = "val" if i % 5 == 0 else "train"
        rows.append({"text": f"{text} {i}", "emoji": LABELS[i % len(LABELS)], "lang": "es" if i % 3 == 0 else "en",
                     "source": "test", "split": split})
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def tiny_model_dir(path: Path) -> Path:
    """A complete model folder (int8 model.onnx, tokenizer.json, manifest.json) with random weights."""
    import torch

    from training.export import export_onnx
    from training.lib.manifest_writer import write_manifest
    from training.lib.model import EmojiClassifier, load_encoder
    from training.lib.quantize import quantize_int8

    encoder_dir = tiny_encoder_dir(path.parent / (path.name + "-encoder"))
    torch.manual_seed(0)
    model = EmojiClassifier(load_encoder(str(encoder_dir)), len(LABELS)).eval()
    fp32 = export_onnx(model, path.parent / (path.name + "-fp32") / "model.onnx")
    quantize_int8(fp32, path / "model.onnx")
    (path / "tokenizer.json").write_bytes((encoder_dir / "tokenizer.json").read_bytes())
    write_manifest(path, name="tiny-test", version="0.0.1", base_model="random tiny XLM-R", languages=["en", "es"],
                   labels=LABELS, max_length=64, metrics={}, calibration={"temperature": 1.0},
                   created_by={"commands": ["tests/factory.py"]})
    return path
