"""Retrain a shipped model on the bots' consented chat logs, gate it against the current model, promote it.

    emoji-train retrain --logs build/logs.db --base models/emoji-predictor --out build/retrain
    emoji-train retrain --logs tg.db dc.db --root /srv/emoji/models --promote --out /srv/emoji/retrain --resume
    torchrun --nproc_per_node 4 -m training.retrain --stores chatlogs.db --base models/emoji-predictor \
        --out /shared/retrain --precision=bf16        # --stores: torchrun would take --logs for its --logs-specs

Reads top to bottom: settings, processes, the base model, the chat logs, the label set, the training
mix, the loop, export, gate, promotion. The steps are the pipeline's own: the loop is training.train's
(training/lib/loop.py), the export is training.export run on this folder, the gate is training.gate.

- Base: a shipped model folder (int8 ONNX) is turned back into a torch model (training/lib/dequantize.py);
  a training run folder (with model.pt) is used as it is.
- Logs: one snapshot of every store, read through the store's API (consented users only; nothing a
  /forget deleted). Users are split by pseudonym into training, validation and held-out sides; the
  manifest records a sha256 of the snapshot's (user, text, emoji) rows, never a text.
- Labels: emojis used at least --min-count times on the training side that the model lacks become new
  head rows, started from their CLDR names (training/lib/label_growth.py).
- Mix: each epoch draws --log-share of its examples from the logs and the rest from --base-data.
- Runs on a GPU when there is one, else on the CPU; resumable (--resume) from --out/checkpoint.pt;
  unchanged under torchrun / accelerate launch (rank 0 exports, gates and promotes).
- TrainConfig settings come from --config (default training/configs/retrain.toml) and --key=value flags.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import random
import time
from collections import Counter, defaultdict
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch

from assistant.core.tokenizer import TextEncoder
from training.lib.chat_logs import HELDOUT_SHARE, LOG_SOURCE, VAL_SHARE, LogSnapshot, as_examples, new_emojis, read_logs
from training.lib.defaults import EXAMPLES, FEELINGS_SUITES, RETRAIN_CONFIG, RETRAIN_DIR
from training.lib.examples import label_weights, read_examples, targets_of
from training.lib.label_growth import NEW_ROW_MARGIN, grow_head
from training.lib.loop import TrainingSet, fit, save_run, start_processes, stop_processes
from training.lib.manifest_writer import command_line
from training.lib.train_config import TrainConfig

LOG_SHARE = 0.3  # of each epoch's draws: enough for the logs to teach, little enough to keep the base's breadth
MIN_COUNT = 50  # uses on the training side before an emoji becomes a label
MAX_NEW_LABELS = 20  # per retrain
MAX_VAL = 4000  # base validation rows kept (evenly spaced): calibration needs a few thousand, not all
STATE = "retrain_state.json"  # the snapshot a run trains on, and whether it finished


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="emoji-train retrain", description=__doc__.splitlines()[0],
                                     epilog="Any TrainConfig field can be set as --key=value (e.g. --batch_size=64, "
                                            "--precision=bf16, --threads=2); see training/lib/train_config.py.")
    parser.add_argument("--logs", "--stores", dest="logs", type=Path, nargs="+", required=True, metavar="DB",
                        help="chat-log stores, one per bot instance (the bots' EMOJI_ASSISTANT_DB); under torchrun "
                             "write --stores, as torchrun reads --logs as an abbreviation of its own --logs-specs")
    parser.add_argument("--base", type=Path, metavar="MODEL_DIR",
                        help="the model to start from: a model folder (int8 ONNX) or a training run folder (model.pt); "
                             "default: --root's current model")
    parser.add_argument("--out", type=Path, default=RETRAIN_DIR, help=f"work folder; the candidate goes to OUT/model "
                                                                      f"(default {RETRAIN_DIR})")
    parser.add_argument("--base-data", type=Path, default=EXAMPLES, help=f"examples.jsonl of training.prepare "
                                                                        f"(default {EXAMPLES})")
    parser.add_argument("--log-share", type=float, default=LOG_SHARE,
                        help=f"share of each epoch's training draws taken from the logs (default {LOG_SHARE})")
    parser.add_argument("--min-count", type=int, default=MIN_COUNT,
                        help=f"training-side uses before an emoji becomes a new label (default {MIN_COUNT})")
    parser.add_argument("--max-new-labels", type=int, default=MAX_NEW_LABELS, help=f"default {MAX_NEW_LABELS}")
    parser.add_argument("--heldout-share", type=float, default=HELDOUT_SHARE,
                        help=f"share of users held out for the gate, never trained on (default {HELDOUT_SHARE})")
    parser.add_argument("--val-share", type=float, default=VAL_SHARE,
                        help=f"share of users kept for validation / calibration (default {VAL_SHARE})")
    parser.add_argument("--max-steps", type=int, help="optimizer steps (default: max_steps of --config, 300 in "
                                                      f"{RETRAIN_CONFIG})")
    parser.add_argument("--max-val", type=int, default=MAX_VAL, help=f"base validation rows kept (default {MAX_VAL})")
    parser.add_argument("--config", type=Path, default=RETRAIN_CONFIG, help=f"TrainConfig TOML (default {RETRAIN_CONFIG})")
    parser.add_argument("--resume", action="store_true",
                        help="continue an unfinished run in --out if its log snapshot is unchanged, else start over")
    parser.add_argument("--version", help="the candidate's version (default: the base's, +r<UTC date and time>)")
    parser.add_argument("--parity-texts", type=int, default=2000, help="export's parity check (default 2000)")
    parser.add_argument("--gate", action=argparse.BooleanOptionalAction, default=True,
                        help="score the candidate against the current model (default on)")
    parser.add_argument("--current", type=Path, help="the model to gate against (default: --root's current, else --base)")
    parser.add_argument("--root", type=Path, help="versioned model root (assistant.core.versions)")
    parser.add_argument("--promote", action="store_true", help="with --root: add and promote the candidate if it passes")
    parser.add_argument("--margin", type=float, default=1.0, help="gate: points a candidate may lose on any score")
    parser.add_argument("--data", type=Path, help="gate: folder laid out like ../shared/data for closed-set scores")
    parser.add_argument("--feelings", type=Path, nargs="*", default=list(FEELINGS_SUITES), help="gate: feelings suites")
    parser.add_argument("--eval-limit", type=int, default=0, help="gate: messages per evaluation set (0 = all)")
    parser.add_argument("--keep-data", action="store_true",
                        help="keep OUT/examples.jsonl (it holds log texts; by default deleted once exported)")
    args, overrides = parser.parse_known_args(argv)
    if args.promote and not args.root:
        parser.error("--promote needs --root, the versioned model root to promote into")
    if not 0 < args.log_share <= 1:
        parser.error(f"--log-share must be in (0, 1], got {args.log_share}")
    if args.base is None and args.root is None:
        parser.error("give --base MODEL_DIR (or --root ROOT to start from its current model)")
    return args, overrides


def load_base(base: Path, out: Path, main_process: bool):
    """(EmojiClassifier, labels, base_model path for the config, tokenizer file, what the base is)."""
    from training.lib.model import load_trained, tokenizer_file

    if (base / "model.pt").is_file():  # a training run: its weights and its base encoder as they are
        model, saved = load_trained(base)
        cfg = saved["config"]
        return model, saved["labels"], cfg["base_model"], tokenizer_file(cfg["base_model"]), {
            "kind": "training run", "path": str(base), "steps": saved.get("steps"),
            "commands": [saved.get("command", "python -m training.train")]}
    if not (base / "manifest.json").is_file():
        raise SystemExit(f"--base {base}: expected a model folder (manifest.json, model.onnx) or a training run "
                         "(model.pt); found neither")
    from training.lib.dequantize import recover_as_base

    model, labels, manifest, encoder_dir = recover_as_base(base, out, main_process)
    return model, labels, str(encoder_dir), base / "tokenizer.json", {
        "kind": "model folder (int8, dequantized)", "path": str(base), "name": manifest.name,
        "version": manifest.version, "model_sha256": manifest.files.get("model.onnx"),
        "commands": manifest.created_by.get("commands", [])}


def take_snapshot(args, base: Path, processes, log) -> tuple[LogSnapshot, bool]:
    """The logs to train on and whether to resume. With --resume, an unfinished run in --out continues
    on its own snapshot, unless rows in it went away since (a user opted out or was forgotten, rows
    expired) or its settings differ: then it starts over on today's logs. Rank 0 decides for all."""
    state_file = args.out / STATE
    settings = {"base": str(base), **{k: getattr(args, k) for k in ("min_count", "max_new_labels", "log_share",
                                                                   "heldout_share", "val_share")}}
    decision = [time.time(), False]
    if processes.main and args.resume and state_file.is_file():
        state = json.loads(state_file.read_text())
        if state.get("finished"):
            log(f"the last retrain in {args.out} finished; starting a new one")
        elif state.get("settings") != settings:
            log(f"the unfinished retrain in {args.out} had other settings ({state.get('settings')}); starting over")
        elif read_logs(args.logs, until=state["until"], heldout=args.heldout_share,
                       val=args.val_share).sha256 != state["sha256"]:
            log("the chat logs lost rows since the unfinished retrain started (a user opted out or was forgotten, "
                "or rows expired); starting over on today's logs")
        else:
            decision = [state["until"], True]
    if processes.world > 1:  # every rank reads the same snapshot and makes the same choice: rank 0's
        torch.distributed.broadcast_object_list(decision, src=0)
    until, resume = decision
    snapshot = read_logs(args.logs, until=until, heldout=args.heldout_share, val=args.val_share)
    if processes.main:
        state_file.write_text(json.dumps({"until": until, "sha256": snapshot.sha256, "rows": len(snapshot.rows),
                                          "settings": settings, "finished": False}) + "\n")
    return snapshot, resume


def evenly(rows: list, n: int) -> list:
    return rows if len(rows) <= n else [rows[int(i * len(rows) / n)] for i in range(n)]


def mix_factors(cfg: TrainConfig, base_rows: list[dict], log_rows: list[dict], share: float) -> str:
    """source_weights that make `share` of each epoch's draws log rows; the config's own weights of
    the base sources are kept relative to each other."""
    own = cfg.source_factors()
    base_draws = sum(own.get(r.get("source", ""), 1.0) for r in base_rows)
    total = base_draws + len(log_rows)
    factors = {s: (1 - share) * total / base_draws * own.get(s, 1.0)
               for s in sorted({r.get("source", "") for r in base_rows})} if base_rows else {}
    factors[LOG_SOURCE] = share * total / len(log_rows)
    return ",".join(f"{s}:{f:.4f}" for s, f in factors.items())


def describe(info: dict) -> list[str]:
    """What a retrain trained on how much, as sentences (for the log and the report); counts, no text."""
    base, logs = info["base"], info["logs"]
    users, rows = logs["users_by_side"], logs["rows_by_side"]
    until = datetime.fromtimestamp(logs["until"], timezone.utc).isoformat(timespec="seconds")
    named = f"{base['name']} {base['version']}, " if base.get("name") else ""
    return [
        f"Base: {named}{base['kind']}, {base['path']}.",
        f"Chat logs: {logs['rows']:,} rows from {logs['stores']} store(s) up to {until} (snapshot sha256 "
        f"{logs['sha256']}); users training {users['train']:,} / validation {users['val']:,} / held out "
        f"{users['test']:,}, rows {rows.get('train', 0):,} / {rows.get('val', 0):,} / {rows.get('test', 0):,}; languages "
        + ", ".join(f"{k} {v:,}" for k, v in logs["languages"].items()) + ".",
        f"Trained on {info['train_examples']['base']:,} base examples ({info['base_data']}) and "
        f"{info['train_examples']['logs']:,} log examples, {100 * info['log_share']:g}% of each epoch from the logs, "
        f"for {info['steps']} steps ({info['train_minutes']} min).",
        "New labels (training-side uses, at least " + f"{info['min_count']}): "
        + (", ".join(f"{e} {n}" for e, n in info["new_labels"].items()) or "none") + ".",
    ]


def main(argv: list[str] | None = None) -> int:
    from training import export
    from training.gate import REFUSED, current_of, promote, run_gate, write_report
    from training.lib.manifest_writer import update_metrics

    # ---- settings: the retrain recipe, then --key=value overrides
    args, overrides = parse_args(argv)
    cfg = TrainConfig.load(args.config, [*overrides, *([f"--max_steps={args.max_steps}"] if args.max_steps else [])])
    args.out.mkdir(parents=True, exist_ok=True)
    random.seed(cfg.seed), np.random.seed(cfg.seed), torch.manual_seed(cfg.seed)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    processes = start_processes()
    log = processes.log
    if args.root:  # a root without versions yet starts with the base model (or the shipped one) as its first
        from assistant.core.paths import default_model_dir
        from assistant.core.versions import ModelVersions

        first = args.base if args.base and (args.base / "manifest.json").is_file() else default_model_dir()
        ModelVersions.init(args.root, first)  # under the root's lock; a root with a current version is unchanged
    base_path = args.base or current_of(args.root)

    # ---- the base model
    model, labels, base_model, tokenizer, base_info = load_base(base_path, args.out, processes.main)
    log(f"base: {base_info['kind']} {base_path}, {len(labels)} labels, "
        f"{model.encoder.config.num_hidden_layers} layers, {model.encoder.config.vocab_size} vocabulary pieces")

    # ---- the chat logs: one snapshot of every store, split by user
    snapshot, resume = take_snapshot(args, base_path, processes, log)
    sides = snapshot.summary()
    log(f"logs: {len(snapshot.rows):,} rows from {len(snapshot.stores)} store(s) (snapshot sha256 {snapshot.sha256[:12]}); "
        f"users train {sides['users_by_side']['train']} / validation {sides['users_by_side']['val']} / held out "
        f"{sides['users_by_side']['test']}, rows {sides['rows_by_side'].get('train', 0)} / "
        f"{sides['rows_by_side'].get('val', 0)} / {sides['rows_by_side'].get('test', 0)}")
    heldout = snapshot.side("test")
    base_splits = read_examples(str(args.base_data)) if args.base_data.is_file() else None
    if base_splits is None and args.log_share < 1:
        raise SystemExit(f"--base-data {args.base_data} not found; make it with `python -m training.prepare "
                         "--data ../shared/data`, or train on the logs alone with --log-share 1")
    never_train = {r["text"].lower() for r in heldout} | {r["text"].lower() for r in (base_splits or {}).get("test", [])}
    log_train = [r for r in snapshot.side("train") if r["text"].lower() not in never_train]
    log_val = [r for r in snapshot.side("val") if r["text"].lower() not in never_train]

    # ---- the label set grows with the emojis the logs now use often
    encoder_tok = TextEncoder(tokenizer, max_length=cfg.max_length)
    added = dict(new_emojis(log_train, labels, min_count=args.min_count, limit=args.max_new_labels))
    langs = defaultdict(Counter)
    for r in log_train:
        langs[r["emoji"]][r["lang"]] += 1
    old_labels = list(labels)
    labels = grow_head(model, labels, {e: [lang for lang, _ in langs[e].most_common()] for e in added}, encoder_tok,
                       margin=NEW_ROW_MARGIN)
    model.dropout.p = cfg.dropout
    label_id = {e: i for i, e in enumerate(labels)}
    log(f"labels: {len(old_labels)} → {len(labels)}" + (" (+" + ", ".join(f"{e} {n}" for e, n in added.items()) + ")"
                                                        if added else f" (no new emoji reached --min-count {args.min_count})"))

    # ---- the training mix: base examples and log examples, --log-share of each epoch from the logs
    base_train = [r for r in (base_splits or {}).get("train", []) if args.log_share < 1
                  and any(e in label_id for e in targets_of(r)) and r["text"].lower() not in never_train]
    logs_train = [r for r in as_examples(log_train) if r["emoji"] in label_id]
    if not logs_train:
        raise SystemExit(f"no training rows in the logs ({len(snapshot.rows)} rows read, "
                         f"{len(snapshot.side('train'))} on the training side); a retrain needs opted-in users' "
                         "messages with emojis. Check --logs, or wait for more data")
    train = base_train + logs_train
    val = evenly([r for r in (base_splits or {}).get("val", []) if r["emoji"] in label_id], args.max_val) + [
        r for r in as_examples(log_val) if r["emoji"] in label_id]
    counts = label_weights(train)
    cfg = dataclasses.replace(cfg, base_model=base_model, examples=str(args.out / "examples.jsonl"),
                              out_dir=str(args.out), num_layers=model.encoder.config.num_hidden_layers,
                              min_label_count=1, source_weights=mix_factors(cfg, base_train, logs_train,
                                                                            args.log_share))
    if processes.main:  # training.export reads the mix from here (vocabulary, calibration texts, label prior)
        with open(cfg.examples, "w", encoding="utf-8") as f:
            for row in [*train, *val]:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
    data = TrainingSet.of(train, labels, counts, encoder_tok, cfg)
    log(f"training on {len(base_train):,} base examples ({args.base_data}) and {len(logs_train):,} log examples, "
        f"{100 * args.log_share:g}% of each epoch from the logs; {len(val):,} validation; "
        f"{cfg.max_steps} steps of {cfg.batch_size} on {processes.world} × {processes.device.type}")

    # ---- the loop (training/lib/loop.py, as training.train runs it)
    fitted = fit(model, cfg, data, encoder_tok, processes=processes, out_dir=args.out, labels=labels,
                        resume=resume)
    stop_processes(processes)
    if not processes.main:
        return 0
    retrain_info = {"base": {k: v for k, v in base_info.items() if k != "commands"}, "logs": snapshot.summary(),
                    "log_share": args.log_share, "base_data": str(args.base_data),
                    "train_examples": {"base": len(base_train), "logs": len(logs_train)},
                    "new_labels": added, "min_count": args.min_count, "steps": fitted.steps,
                    "train_minutes": round(fitted.seconds / 60, 1)}
    save_run(model, encoder_tok, val, label_id, args.out, {
        "config": cfg.to_dict(), "labels": labels, "command": command_line("training.retrain", argv),
        "commands": [*base_info["commands"], command_line("training.retrain", argv)], "retrain": retrain_info,
        "steps": fitted.steps, "train_seconds": fitted.seconds, "train_examples": len(train)})

    # ---- export exactly as the pipeline does: calibration, int8, parity, manifest
    version = args.version or f"{base_info.get('version', '0.0.0')}+r{datetime.now(timezone.utc):%Y%m%d%H%M}"
    candidate = export.main(["--run", str(args.out), "--out", str(args.out / "model"), "--version", version,
                             "--name", base_info.get("name", "emoji-predictor"), "--parity-texts", str(args.parity_texts)])
    if not args.keep_data:
        (args.out / "examples.jsonl").unlink()  # the only file here holding log texts
    log(f"candidate: {candidate} ({version})\n" + "\n".join(describe(retrain_info)))

    # ---- gate, then promotion
    status = 0
    if args.gate:
        current = args.current or (current_of(args.root) if args.root else None) or (
            base_path if (base_path / "manifest.json").is_file() else None)
        if current is None:
            raise SystemExit("the gate needs a current model folder: --current, --root, or a model folder as --base")
        verdict = run_gate(candidate, current, log_rows=heldout, log_train_rows=log_train, data=args.data,
                           examples=args.base_data, feelings=args.feelings, margin=args.margin, limit=args.eval_limit,
                           work=args.out / "eval", log=log)
        report = write_report(verdict, args.out / "report", candidate=candidate, current=current,
                              trained=describe(retrain_info), growth=(old_labels, added, args.min_count))
        update_metrics(candidate, "gate", {**verdict.to_dict(), "against": str(current)})
        log(f"gate: {verdict.summary()}\nreport: {report}")
        if verdict.passed and args.promote:
            log(f"promoted {promote(args.root, candidate, verdict.summary())} in {args.root}")
        status = 0 if verdict.passed else REFUSED
    state = json.loads((args.out / STATE).read_text())
    (args.out / STATE).write_text(json.dumps({**state, "finished": True}) + "\n")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
