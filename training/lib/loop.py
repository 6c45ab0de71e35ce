"""The fine-tuning loop that training.train and training.retrain share: processes, batches, the
optimiser, resumable checkpoints, and the files a finished run leaves (val_logits.npz, model.pt).

One process or many under `torchrun` / `accelerate launch` (they set RANK, WORLD_SIZE, LOCAL_RANK):
every process builds the same shuffled batches, takes its slice of each one, and
DistributedDataParallel averages the gradients, so a step is still `batch_size` messages in
total. Rank 0 alone writes files.

A plain loop rather than transformers.Trainer: length-bucketed batches, two learning rates,
chain-thaw and a resumable batch order stay readable in one function, and DDP costs a few lines.
"""
from __future__ import annotations

import contextlib
import os
import random
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from tqdm.auto import tqdm

from assistant.core.tokenizer import TextEncoder
from training.lib.examples import case_variants, targets_of
from training.lib.losses import class_weights, emoji_loss
from training.lib.model import (EmojiClassifier, WithSourcePriors, add_lora, chain_thaw_stages, merge_lora,
                                predict_logits)
from training.lib.train_config import TrainConfig


@dataclass(frozen=True)
class Processes:
    rank: int
    world: int
    device: torch.device

    @property
    def main(self) -> bool:
        return self.rank == 0

    def log(self, *args, **kwargs) -> None:
        """print on rank 0 only."""
        if self.main:
            print(*args, **kwargs, flush=True)


@dataclass
class TrainingSet:
    """What the loop trains on: token ids, [n, labels] target weights, each example's source
    (for `source_weights`) and the per-label loss weights."""
    ids: list[list[int]]
    targets: torch.Tensor
    sources: list[str]
    class_weight: torch.Tensor
    case_ids: list[list[int]] | None = None  # each text with its first letter's case flipped (TrainConfig.case_augment)

    @classmethod
    def of(cls, rows: list[dict], labels: list[str], label_weights: Counter, encoder_tok: TextEncoder,
           cfg: TrainConfig) -> "TrainingSet":
        """Training rows tokenised once up front, their targets over `labels`, the class weights
        from each label's training weight, and their case-flipped ids when cfg.case_augment."""
        texts = [r["text"] for r in rows]
        return cls(ids=encoder_tok.token_ids(texts),
                   targets=target_matrix(rows, {e: i for i, e in enumerate(labels)}),  # [n, labels] weighted targets
                   sources=[r.get("source", "") for r in rows],
                   class_weight=class_weights([max(label_weights[e], 1.0) for e in labels], cfg.class_weight_power,
                                              cfg.max_class_weight),
                   case_ids=encoder_tok.token_ids([case_variants(t)[-1] for t in texts]) if cfg.case_augment else None)

    def token_ids(self, i: int, step: int) -> list[int]:
        """Example i's ids at this step: with case_ids, as written and case-flipped on alternate draws."""
        return self.case_ids[i] if self.case_ids is not None and (i + step) % 2 else self.ids[i]


def start_processes() -> Processes:
    """Under torchrun / accelerate launch, joins the process group: NCCL on GPUs, gloo on CPUs."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank, local_rank = int(os.environ.get("RANK", "0")), int(os.environ.get("LOCAL_RANK", "0"))
    cuda = torch.cuda.is_available()
    if world > 1:
        if cuda:
            torch.cuda.set_device(local_rank)
        torch.distributed.init_process_group(backend="nccl" if cuda else "gloo")
    return Processes(rank, world, torch.device(f"cuda:{local_rank}" if cuda else "cpu"))


def stop_processes(processes: Processes) -> None:
    if processes.world > 1:
        torch.distributed.barrier()
        torch.distributed.destroy_process_group()


def target_matrix(rows: list[dict], label_id: dict[str, int]) -> torch.Tensor:
    """[n, labels] target weights, each row renormalised over the labels kept."""
    y = torch.zeros(len(rows), len(label_id))
    for i, row in enumerate(rows):
        for emoji, weight in targets_of(row).items():
            if emoji in label_id:
                y[i, label_id[emoji]] = weight
    return y / y.sum(1, keepdim=True).clamp(min=1e-9)


def epoch_draws(sources: list[str], factors: dict[str, float], rng: random.Random) -> list[int]:
    """Example indices for one epoch: an example of a source with factor f appears floor(f)
    times, plus once more with probability frac(f)."""
    order = []
    for i, source in enumerate(sources):
        factor = factors.get(source, 1.0)
        order += [i] * (int(factor) + (rng.random() < factor - int(factor)))
    return order


def length_bucketed_batches(lengths: list[int], batch_size: int, rng: random.Random,
                            order: list[int] | None = None) -> list[list[int]]:
    """Shuffle, sort within windows of 50 batches by length, then shuffle the batches:
    batches hold messages of similar length, so little time goes into padding."""
    order = list(range(len(lengths))) if order is None else list(order)
    rng.shuffle(order)
    window = batch_size * 50
    batches = []
    for start in range(0, len(order), window):
        chunk = sorted(order[start:start + window], key=lengths.__getitem__)
        batches += [chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


def lr_factor(step: int, cfg: TrainConfig) -> float:
    warmup = max(1, int(cfg.warmup_fraction * cfg.max_steps))
    if step < warmup:
        return (step + 1) / warmup
    return max(0.0, (cfg.max_steps - step) / max(1, cfg.max_steps - warmup))


def autocast_for(precision: str, device: torch.device):
    """Mixed precision on the forward pass; fp32 runs without autocast."""
    if precision == "fp32":
        return contextlib.nullcontext()
    if precision == "fp16" and device.type != "cuda":
        raise ValueError("precision fp16 needs a GPU (found only a CPU); use --precision=bf16 or fp32")
    return torch.autocast(device.type, dtype=torch.bfloat16 if precision == "bf16" else torch.float16)


def out_of_time(started: float, max_minutes: float, world: int, device: torch.device) -> bool:
    """All ranks stop together: rank 0's clock decides."""
    late = torch.tensor([float(time.time() - started > max_minutes * 60)], device=device)
    if world > 1:
        torch.distributed.broadcast(late, src=0)
    return bool(late.item())


@dataclass
class Fitted:
    steps: int
    seconds: float
    source_priors: dict[str, list[float]]  # source → learned bias per label (cfg.source_priors), else {}


def fit(model: EmojiClassifier, cfg: TrainConfig, data: TrainingSet, encoder_tok: TextEncoder, *,
        processes: Processes, out_dir: Path, labels: list[str], resume: bool = False) -> Fitted:
    """Train `model` in place for cfg.max_steps (or cfg.max_minutes), checkpointing into
    `out_dir/checkpoint.pt`; `resume` continues from it. LoRA adapters, when cfg.lora_r asks
    for them, are merged before returning."""
    rank, world, device = processes.rank, processes.world, processes.device
    # ---- model and optimiser
    if cfg.freeze_embeddings:
        model.encoder.embeddings.word_embeddings.weight.requires_grad_(False)
    if cfg.lora_r:  # adapters on query/value; every other encoder weight frozen
        add_lora(model, r=cfg.lora_r, alpha=cfg.lora_alpha, dropout=cfg.lora_dropout)
    model.to(device)
    head_params = list(model.head.parameters())
    encoder_params = [p for p in model.encoder.parameters() if p.requires_grad]
    priors = WithSourcePriors(model, sorted(set(data.sources))).to(device) if cfg.source_priors else None
    source_id = {s: i for i, s in enumerate(priors.sources)} if priors else {}
    optimizer = torch.optim.AdamW([
        {"params": encoder_params, "lr": cfg.learning_rate},
        {"params": head_params + ([priors.bias] if priors else []), "lr": cfg.head_learning_rate},
    ], weight_decay=cfg.weight_decay)
    base_lrs = [g["lr"] for g in optimizer.param_groups]
    class_weight = data.class_weight
    stages = chain_thaw_stages(model) if cfg.chain_thaw else []  # parameter lists, one per stage
    trained = priors or model
    net = torch.nn.parallel.DistributedDataParallel(trained) if world > 1 else trained
    scaler = torch.amp.GradScaler(device.type, enabled=cfg.precision == "fp16")  # loss scaling for fp16 only

    step, epoch, batches = 0, 0, []
    checkpoint = out_dir / "checkpoint.pt"
    if resume and checkpoint.exists():  # every rank reads it: out_dir must be shared storage
        state = torch.load(checkpoint, weights_only=False, map_location=device)
        model.load_state_dict(state["model"])
        if priors is not None and "source_priors" in state:
            priors.bias.data = torch.tensor([state["source_priors"][s] for s in priors.sources], device=device)
        optimizer.load_state_dict(state["optimizer"])
        step, epoch, batches = state["step"], state["epoch"], state["batches"]
        random.setstate(state["rng"])
        processes.log(f"resumed from {checkpoint} at step {step}")

    def save_checkpoint():
        if processes.main:
            torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "step": step,
                        **({"source_priors": priors.priors()} if priors else {}),
                        "epoch": epoch, "batches": batches, "rng": random.getstate(),
                        "config": cfg.to_dict(), "labels": labels}, checkpoint)

    # ---- loop
    rng = random.Random(cfg.seed + epoch)
    lengths = [len(x) for x in data.ids]
    factors = cfg.source_factors()
    started = time.time()
    model.train()
    bar = tqdm(total=cfg.max_steps, initial=step, desc="train", unit="step", disable=not processes.main)
    running = None
    while step < cfg.max_steps:
        if not batches:
            batches = length_bucketed_batches(lengths, cfg.batch_size, rng, epoch_draws(data.sources, factors, rng))
            epoch += 1
        idx = batches.pop()[rank::world]  # this process's share of the step's batch
        if len(idx) == 0:  # a final batch smaller than the world: every rank skips it alike
            continue
        input_ids, mask = encoder_tok.pad([data.token_ids(i, step) for i in idx])
        for group, base in zip(optimizer.param_groups, base_lrs):
            group["lr"] = base * lr_factor(step, cfg)
        with autocast_for(cfg.precision, device):
            inputs = [torch.from_numpy(input_ids).to(device), torch.from_numpy(mask).to(device)]
            if priors is not None:
                inputs.append(torch.tensor([source_id[data.sources[i]] for i in idx], device=device))
            logits = net(*inputs)
        loss = emoji_loss(logits.float(), data.targets[idx].to(device), kind=cfg.loss, weight=class_weight,
                          gamma=cfg.focal_gamma, label_smoothing=cfg.label_smoothing)
        optimizer.zero_grad(set_to_none=True)
        scaler.scale(loss).backward()
        if stages:  # chain-thaw: parameters outside this stage get no update (AdamW skips grad None)
            thawed = {id(p) for p in stages[min(step // cfg.chain_thaw_steps, len(stages) - 1)]}
            for p in model.parameters():
                if id(p) not in thawed:
                    p.grad = None
        scaler.unscale_(optimizer)
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        scaler.step(optimizer)
        scaler.update()
        step += 1
        running = loss.item() if running is None else 0.98 * running + 0.02 * loss.item()
        bar.update(1)
        bar.set_postfix(loss=f"{running:.3f}", epoch=epoch)
        if step % cfg.checkpoint_every == 0:
            save_checkpoint()
        if cfg.max_minutes and out_of_time(started, cfg.max_minutes, world, device):
            processes.log(f"\nstopping at step {step}: time budget of {cfg.max_minutes} min reached")
            break
    bar.close()
    save_checkpoint()
    if cfg.lora_r:  # fold the adapters into the weights: model.pt is a plain EmojiClassifier again
        merge_lora(model)
    print(f"rank {rank} head checksum {model.head.weight.double().sum().item():.6f}", flush=True)
    return Fitted(step, time.time() - started, priors.priors() if priors else {})


def save_run(model: EmojiClassifier, encoder_tok: TextEncoder, val: list[dict], label_id: dict[str, int],
             out_dir: Path, saved: dict) -> Path:
    """The files a finished run leaves for training.export: validation logits (for the prior
    correction and calibration) in val_logits.npz, and model.pt with the weights and `saved`
    (config, labels, command, steps, ...)."""
    val_logits = predict_logits(model, encoder_tok, encoder_tok.token_ids([r["text"] for r in val]))
    val_y = np.array([label_id[r["emoji"]] for r in val])
    np.savez(out_dir / "val_logits.npz", logits=val_logits, labels=val_y,
             langs=np.array([r["lang"] for r in val]), sources=np.array([r.get("source", "") for r in val]))
    print(f"val top-1 {100 * (val_logits.argmax(1) == val_y).mean():.1f}%")
    torch.save({"state_dict": model.state_dict(), **saved}, out_dir / "model.pt")
    print(f"saved {out_dir / 'model.pt'}")
    return out_dir / "model.pt"
