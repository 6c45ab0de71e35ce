"""manifest.json → MODEL_CARD.md beside it: data, languages, measured figures, limits, how to reproduce."""
from __future__ import annotations

import json
from pathlib import Path

from assistant.core.chat_ngrams import chat_languages
from training.lib.defaults import MODEL_DIR
from training.lib.manifest_writer import earlier_refits

PUBLISHED = [  # TweetEval emoji test, macro-F1, as published
    ("SemEval-2018 winner (linear SVM, ~500k tweets)", 35.99),
    ("twitter-roberta-base-2021", 34.6),
    ("TimeLMs-2021", 34.0),
    ("BERTweet", 33.4),
    ("RoBERTa-base", 30.9),
    ("SVM (TweetEval)", 29.3),
    ("FastText (TweetEval)", 25.8),
    ("LSTM (TweetEval)", 24.7),
]


def _metric_rows(metrics: dict) -> list[str]:
    rows = ["| evaluation set | language | n | top-1 % | top-5 % | macro-F1 % (95% CI) | ECE % (T=1) |",
            "|---|---|---|---|---|---|---|"]
    for name, m in metrics.items():
        if "macro_f1" not in m:
            continue
        ci = m.get("macro_f1_ci95")
        ci_text = f" ({ci[0]}–{ci[1]})" if ci else ""
        cal = m.get("calibration")
        ece = f"{cal['ece']} ({cal['ece_t1']})" if cal else ""
        rows.append(f"| {name} | {m.get('language', '')} | {m['n']} | {m['top1']} | {m['top5']} | "
                    f"{m['macro_f1']}{ci_text} | {ece} |")
    return rows


def _baseline_rows(baselines: dict) -> list[str]:
    if not baselines:
        return []
    rows = ["## Baselines",
            "Trained on the same training split and scored closed-set on the same sets.", "",
            "| baseline | evaluation set | n | top-1 % | top-5 % | macro-F1 % | training messages |",
            "|---|---|---|---|---|---|---|"]
    for name, sets in baselines.items():
        for set_name, m in sets.items():
            rows.append(f"| {name} | {set_name} | {m['n']} | {m['top1']} | {m['top5']} | {m['macro_f1']} | "
                        f"{m.get('train_examples', '')} |")
    return rows + [""]


def _transfer_rows(transfer: dict | None) -> list[str]:
    if not transfer:
        return []
    rows = ["## Transfer to DeepMoji's benchmarks",
            f"The encoder fine-tuned on each benchmark with DeepMoji's splits and metrics "
            f"(`{transfer['command']}`); better than DeepMoji (chain-thaw, as published) on "
            f"{transfer['better_than_deepmoji']} of {transfer['compared']}. Class-average F1 as DeepMoji's code "
            "computes it: one-vs-rest per class with a threshold fitted on validation; a two-class set scores its "
            "positive class. Epochs: how many ran before validation stopped improving.", "",
            "| dataset | metric | ours | DeepMoji | validation | training texts | test texts | epochs |",
            "|---|---|---|---|---|---|---|---|"]
    for r in transfer["results"]:
        deepmoji = "–" if r["DeepMoji"] is None else r["DeepMoji"]
        rows.append(f"| {r['dataset']} | {r['metric']} | {r['ours']:.3f} | {deepmoji} | {r['val']:.3f} | "
                    f"{r['train']} | {r['test_n']} | {r['epochs']} |")
    return rows + [""]


def _figure_rows(metrics: dict) -> list[str]:
    paths = [p for m in metrics.values() if isinstance(m, dict) for p in m.get("figures", [])]
    if not paths:
        return []
    return ["## Figures", "", "![emoji similarity](figures/emoji_similarity.png)", "",
            *[f"![{Path(p).stem}]({p})" for p in paths], ""]


def _data_rows(data) -> list[str]:
    """The training sources: a table when the manifest lists them, else the recorded sentence."""
    if not isinstance(data, dict):
        return [str(data)]
    rows = ["| source | training examples | what |", "|---|---|---|"]
    rows += [f"| {source} | {info['examples']:,} | {info['what']} |" for source, info in data.items()]
    return rows


def _emotion_rows(data) -> list[str]:
    """The emotion → emoji table and its check against the Emoji Sentiment Ranking, when emotion data was used."""
    if not isinstance(data, dict) or not any(s.startswith(("goemotions", "xed")) for s in data):
        return []
    from training.lib.emotion_table import check, shipped_table

    lines, problems = check(shipped_table())
    return ["### Emotions → emojis", "",
            "GoEmotions and XED label emotions, not emojis; `training/data/emotion_emojis.tsv` maps each emotion "
            "to a few weighted emojis (a message with several emotions gets their mean). Checked against the "
            "Emoji Sentiment Ranking (Kralj Novak et al. 2015; sentiment of the tweets using each emoji, "
            "n/a for emojis newer than 2015): an emoji of a negative emotion must not be used more positively "
            "than the average emoji (+0.39), one of a positive emotion not negatively on balance "
            f"(`python -m training.emotion_map --check`: {len(problems)} disagreements).", "",
            *lines, ""]


def _open_set_rows(open_set: dict | None) -> list[str]:
    if not open_set:
        return []
    return ["## What a person sees",
            "Open-set scores of the suggestion list as the surfaces show it (`shipped`: model (a message whose "
            "first letter has a case read in both cases, the two readings averaged), its language's "
            f"chat n-grams where it has them ({', '.join(chat_languages())}), the feeling n-grams, keyword fusion, feeling "
            "agreement, popularity prior, "
            "language detected), beside the model's own top 5 "
            "(`model_alone`), a constant list of the set's five commonest emojis (`constant`) and the "
            f"previous release ({open_set.get('previous_release') or 'not run'}). Top-1: the writer's emoji "
            "(or, for the hand-written feelings suites, any emoji a person would accept) comes first; top-5: "
            "it is among the five shown. Cheerful first: non-upbeat messages whose first suggestion is a "
            "cheerful emoji.", "",
            open_set_table(open_set["sets"]), "",
            "![open-set scores](figures/open_set.png)", "",
            f"`{open_set.get('command', '')}`", ""]


def open_set_table(report: dict) -> str:
    """training.open_set's report (set → system → scores) as a Markdown table."""
    systems = [s for s in ("previous", "shipped", "model_alone", "constant") if any(s in r for r in report.values())]
    lines = ["| set | n | " + " | ".join(f"{s} top-1 / top-5" for s in systems) + " | cheerful first (non-upbeat) |",
             "|---|---|" + "---|" * (len(systems) + 1)]
    for name, result in report.items():
        cells = [f"{result[s]['top1']} / {result[s]['top5']}" if s in result else "" for s in systems]
        cheer = " / ".join(f"{s} {result[s]['cheerful_first']} of {result[s]['non_upbeat']}"
                           for s in systems if s in result and "cheerful_first" in result[s])
        n = next(iter(result.values()))["n"]
        lines.append(f"| {name} | {n} | " + " | ".join(cells) + f" | {cheer} |")
    return "\n".join(lines)


def _limit_rows(manifest: dict) -> list[str]:
    languages = manifest.get("created_by", {}).get("training_languages", [])
    return [
        f"- {len(manifest['labels'])} labels; any other emoji comes from keyword matches in the lexicon at run "
        "time, and only when a word of the message names it.",
        f"- Trained on text in {len(languages)} languages ({', '.join(languages)}); emoji-labelled chat exists "
        "only for English, Spanish and Russian, the rest are emotion-labelled subtitles, so other languages "
        "lean on the multilingual encoder's aligned (frozen) word embeddings.",
        "- Emotion corpora are mapped to emojis by a hand-made table, not by how those writers used emojis.",
        "- Tweets from 2015–2017 and Russian Telegram comments carry their topics and slang.",
    ]


def _vocabulary_rows(vocabulary: dict | None) -> list[str]:
    if not vocabulary:
        return []
    rows = [f"Vocabulary: {vocabulary['chosen_by']}."]
    swap = vocabulary.get("swapped_in_after_training")
    if swap:
        rows.append(f"It was swapped in after training (`training.revocab`: the word embeddings were frozen, so each "
                    f"row is the base encoder's own): {swap['pieces_added']:,} pieces added, {swap['pieces_dropped']:,} "
                    "dropped; the first choice is unchanged on validation messages for "
                    + ", ".join(f"{source} {share:.1%}" for source, share in swap["first_choice_unchanged_on_validation"].items())
                    + ".")
    return [*rows, ""]


def _correction_words(head: dict | None) -> str:
    width = ((head or {}).get("refit_over_frozen_encoder") or {}).get("correction_width")
    return f" (plus a {width}-unit hidden-layer correction)" if width else ""


def _views_words(views: list | None) -> str:
    """", reading the token states' mean at the last layer, … and mean 2 layers below it" for a correction's views."""
    if not views:
        return ""
    named = [f"{how} at the last layer" if not below else f"{how} {below} layers below it" for how, below in views]
    listed = ", ".join(named[:-1]) + " and " + named[-1] if len(named) > 1 else named[0]
    return ", reading the token states' " + listed


def _head_rows(head: dict | None) -> list[str]:
    refit = (head or {}).get("refit_over_frozen_encoder")
    if not refit:
        return []
    added = [emoji for record in reversed(earlier_refits(head)) for emoji in record.get("labels_added") or []]
    added += list(head.get("labels_added") or [])  # after the labels that refits before this one added
    start = f"{refit['started_from']}'s head" if refit.get("started_from") else "the trained head"
    return [f"The head was refit after training over the frozen encoder (`training.rehead`): "
            f"{refit['mix_rows']:,} messages of the training mix and {refit['feelings_messages']:,} hand-written "
            f"feelings messages in {refit.get('feelings_languages', '?')} languages (`{refit['feelings_file']}`, its training split; each weighs as "
            f"{refit['feelings_weight']:g} mix messages), starting from {start} and held near it "
            f"(L2 pull {refit['pull']:g})"
            + (f", with a one-hidden-layer correction beside the linear map ({refit['correction_width']} ReLU units"
               + _views_words(refit.get("correction_views"))
               + f", dropout {refit['correction_dropout']:g}, weight decay {refit['correction_decay']:g}; "
               "int8 weights, one scale per column)"
               if refit.get("correction_width") else "") + ". "
            + (f"The emojis those messages use at least {refit['min_uses']} times that the model lacked became "
               f"labels: {' '.join(added)}. " if added else "")
            + "The encoder and its token states are unchanged.", ""]


def _neighbour_rows(neighbours: dict | None) -> list[str]:
    pairs = (neighbours or {}).get("pairs") or []
    if not pairs:
        return []
    shown = ", ".join(f"{a} {b} {cosine:.2f}" for a, b, cosine in pairs[:8])
    return [f"Label neighbours: {len(pairs)} pairs of labels the head treats as alike ({neighbours.get('measure')} "
            f"at least {neighbours.get('min_cosine')}; most alike: {shown}). In a sombre message's list the runtime "
            "shows one of a group of near-duplicates before the rest (assistant.core.rank, RankSettings.near_duplicate).",
            ""]


def _start_words(created: dict) -> str:
    """Where the last training run started: a shipped model it continued, or an earlier run."""
    if created.get("started_from"):
        return f", continuing {created['started_from']} (its own stages are in Reproduce below)."
    init_from = (created.get("config") or {}).get("init_from")
    return f", starting from the run in {init_from} (its own stage is in Reproduce below)." if init_from else "."


def render(manifest: dict) -> str:
    created = manifest.get("created_by", {})
    extra = manifest.get("extra", {})
    speed = manifest.get("metrics", {}).get("speed_1_thread")
    lines = [
        f"# {manifest['name']} {manifest['version']}",
        "",
        f"Predicts the emoji that fits a message. Encoder: {manifest['base_model']}, "
        f"bottom {extra.get('encoder_layers', '?')} layers, fine-tuned; mean pooling and a linear head"
        f"{_correction_words(extra.get('head'))} over {len(manifest['labels'])} emoji labels. Exported to ONNX (opset {extra.get('opset')}), "
        f"{extra.get('quantization')}, vocabulary pruned to {extra.get('vocabulary_pieces')} pieces.",
        "",
        f"Labels: {' '.join(manifest['labels'])}",
        "",
        "## Data",
        *_data_rows(created.get("data", "")),
        "",
        *_emotion_rows(created.get("data", "")),
        f"Trained on {created.get('train_examples') or 0:,} messages for {created.get('steps') or 0:,} steps "
        f"({round((created.get('train_seconds') or 0) / 60)} minutes){_start_words(created)}",
        "",
        "## Measured",
        "Closed-set scoring as in SemEval-2018 Task 2 (candidates: the gold labels of the set); "
        "95% intervals from 200 bootstrap resamples.",
        "",
        *_metric_rows(manifest.get("metrics", {})),
        "",
        *_open_set_rows(manifest.get("metrics", {}).get("open_set")),
        *_baseline_rows(manifest.get("metrics", {}).get("baselines", {})),
        *_transfer_rows(manifest.get("metrics", {}).get("deepmoji_transfer")),
    ]
    if speed:
        lines += [f"Speed on one thread: cold start {speed['load_s']} s, single message p50 {speed['single']['p50_ms']} ms, "
                  f"p95 {speed['single']['p95_ms']} ms; batch {speed['batch']['messages_per_s']} messages/s; "
                  f"peak RSS {speed['peak_rss_mb']} MB.", ""]
    lines += ["Published TweetEval emoji macro-F1 for comparison: "
              + "; ".join(f"{name} {value}" for name, value in PUBLISHED) + ".", ""]
    lines += _vocabulary_rows(extra.get("vocabulary"))
    lines += _head_rows(extra.get("head"))
    lines += _neighbour_rows(manifest.get("label_neighbours"))
    parity = extra.get("parity")
    if parity:
        lines += ["Parity of the shipped int8 model on held-out validation text (top-1 agreement): "
                  + ", ".join(f"{k} {v}" for k, v in parity.items() if k != "texts") + f" over {parity['texts']} texts.", ""]
    cal = manifest.get("calibration", {})
    lines += [
        "## Calibration",
        f"Logit adjustment tau {cal.get('logit_adjustment_tau')} (fitted for validation macro-F1), "
        f"softmax temperature {cal.get('temperature')} (fitted by validation NLL). ECE: expected calibration "
        "error of the closed-set top-1 confidence over 15 equal-width bins, at that temperature and at T=1.",
        "",
        *_figure_rows(manifest.get("metrics", {})),
        "## Limits",
        *_limit_rows(manifest),
        "- The encoder weights are the 4-bit release of multilingual-e5-small, not the original fp32 weights.",
        "",
        "## Reproduce",
        "```",
        *created.get("commands", []),
        f"python -m training.evaluation --model {MODEL_DIR}"
        + (" --baselines " + " ".join(manifest["metrics"]["baselines"]) if manifest.get("metrics", {}).get("baselines") else ""),
        "```",
        "",
    ]
    return "\n".join(lines)


def write_model_card(model_dir: Path) -> Path:
    manifest = json.loads((Path(model_dir) / "manifest.json").read_text(encoding="utf-8"))
    path = Path(model_dir) / "MODEL_CARD.md"
    path.write_text(render(manifest), encoding="utf-8")
    return path
