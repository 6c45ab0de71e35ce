"""Fine-tune a multilingual encoder to predict the emoji of a message.

Reads top to bottom: settings, processes, data, model, the loop, save. Defaults are the cheap
CPU recipe (see training/lib/train_config.py); the GPU recipe is configs/gpu.toml.

    python -m training.train                              # CPU recipe
    python -m training.train --config training/configs/gpu.toml
    python -m training.train --max_steps=50 --resume      # continue a run
    python -m training.train --init_from=models/emoji-predictor --out_dir=build/run3   # continue the shipped model
    torchrun --nproc_per_node 4 -m training.train --config training/configs/gpu.toml   # 4 GPUs

The same script runs as one process or as many under `torchrun` / `accelerate launch`
(they set RANK, WORLD_SIZE, LOCAL_RANK): every process builds the same shuffled batches,
takes its slice of each one, and DistributedDataParallel averages the gradients, so a
step is still `batch_size` messages in total. Rank 0 alone writes files and prints.
The loop itself is training/lib/loop.py's `fit`, which training.retrain runs too.
"""
from __future__ import annotations

import argparse
import dataclasses
import random
from collections import Counter
from pathlib import Path

import numpy as np
import torch

from assistant.core.tokenizer import TextEncoder
from training.lib.examples import label_weights, read_examples, targets_of
from training.lib.feelings import feelings_examples
from training.lib.loop import TrainingSet, fit, save_run, start_processes, stop_processes
from training.lib.manifest_writer import command_line
from training.lib.model import EmojiClassifier, load_encoder, tokenizer_file
from training.lib.train_config import TrainConfig


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", help="TOML file with TrainConfig overrides")
    parser.add_argument("--resume", action="store_true", help="continue from out_dir/checkpoint.pt")
    args, overrides = parser.parse_known_args(argv)
    cfg = TrainConfig.load(args.config, overrides)
    out_dir = Path(cfg.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    random.seed(cfg.seed), np.random.seed(cfg.seed), torch.manual_seed(cfg.seed)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    processes = start_processes()
    log = processes.log

    # ---- a shipped model folder to continue from: its int8 weights back in torch, its labels kept
    shipped = bool(cfg.init_from) and (Path(cfg.init_from) / "manifest.json").is_file()
    if shipped:
        from training.lib.dequantize import recover_as_base

        model, labels, base_manifest, encoder_dir = recover_as_base(Path(cfg.init_from), out_dir, processes.main)
        cfg = dataclasses.replace(cfg, base_model=str(encoder_dir), num_layers=model.encoder.config.num_hidden_layers)
        log(f"continuing {cfg.init_from} ({len(labels)} labels, {cfg.num_layers} layers)")

    # ---- data: labels by training weight (or the shipped model's), tokenised once up front
    splits = read_examples(cfg.examples)
    if cfg.feelings:  # hand-written messages for the feelings the corpora lack (source "feelings")
        splits["train"] += feelings_examples(Path(cfg.feelings))
    counts = label_weights(splits["train"])
    if not shipped:
        labels = [e for e, n in counts.most_common() if n >= cfg.min_label_count]
    label_id = {e: i for i, e in enumerate(labels)}
    train = [r for r in splits["train"] if any(e in label_id for e in targets_of(r))]
    val = [r for r in splits["val"] if r["emoji"] in label_id]
    # a shipped model's pruned vocabulary is read from its folder: only rank 0 writes base_model
    encoder_tok = TextEncoder(Path(cfg.init_from) / "tokenizer.json" if shipped else tokenizer_file(cfg.base_model),
                              max_length=cfg.max_length)
    data = TrainingSet.of(train, labels, counts, encoder_tok, cfg)
    factors = cfg.source_factors()
    log(f"{len(train)} train / {len(val)} val messages, {len(labels)} labels"
        + (f", source weights {factors}" if factors else ""))
    print(f"rank {processes.rank} of {processes.world} on {processes.device}: "
          f"{cfg.batch_size // processes.world or 1} messages per step", flush=True)

    # ---- model, then the loop (training/lib/loop.py: optimiser, DDP, checkpoints, resume)
    if shipped:
        model.dropout.p = cfg.dropout
    else:
        model = EmojiClassifier(load_encoder(cfg.base_model, cfg.num_layers), len(labels), cfg.dropout)
    if cfg.init_from and not shipped and not args.resume:  # a finished run's weights (same labels) as the starting point
        start = torch.load(Path(cfg.init_from) / "model.pt", weights_only=False, map_location="cpu")
        if start["labels"] != labels:
            raise SystemExit(f"{cfg.init_from}: its run has {len(start['labels'])} labels, this data {len(labels)}; "
                             "init_from needs the same examples file")
        model.load_state_dict(start["state_dict"])
        log(f"starting from {cfg.init_from}/model.pt")
    fitted = fit(model, cfg, data, encoder_tok, processes=processes, out_dir=out_dir, labels=labels,
                        resume=args.resume)
    stop_processes(processes)
    if not processes.main:
        return out_dir / "model.pt"

    # ---- validation logits (for prior correction and calibration) and the final model
    return save_run(model, encoder_tok, val, label_id, out_dir, {
        "config": cfg.to_dict(), "labels": labels, "command": command_line("training.train", argv),
        "steps": fitted.steps, "train_seconds": fitted.seconds, "train_examples": len(train),
        # per source, as read (the feelings file included): the export describes the data from these, not from files
        # that may have changed since
        "source_counts": dict(Counter(r.get("source", "") for r in splits["train"]).most_common()),
        # a shipped model continued: its lineage first, so the export's manifest says how to make it from scratch
        **({"commands": [*base_manifest.created_by.get("commands", []), command_line("training.train", argv)],
            "started_from": f"{base_manifest.name} {base_manifest.version}"} if shipped else {}),
        **({"source_priors": fitted.source_priors} if fitted.source_priors else {})})


if __name__ == "__main__":
    main()
