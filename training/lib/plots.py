"""Evaluation figures as PNG files: confusion matrix, reliability diagram (with ECE), an
emoji-similarity map of the head's weight vectors, as the Text2Emoji study drew one, and the retrain
gate's per-class F1 before and after and label-set growth.

matplotlib runs on its Agg backend (no display). Its fonts cannot draw colour emoji, so
axes are labelled with CLDR short names (`red_heart`) from the `emoji` package.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np


def _pyplot():
    try:
        import matplotlib
    except ImportError as err:
        raise ImportError("evaluation plots need matplotlib: pip install 'emoji-assistant[train]'") from err
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def emoji_name(e: str) -> str:
    import emoji

    name = emoji.demojize(e, delimiters=("", ""))
    return name if name != e else "U+" + "-".join(f"{ord(c):04X}" for c in e)


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = 15) -> tuple[float, list]:
    """ECE (Guo et al., 2017): the gap |accuracy - confidence| averaged over equal-width bins,
    weighted by how many predictions fall in each. Returns (ece, [(mean conf, accuracy, count)])."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1]), 0, bins - 1)
    ece, table = 0.0, []
    for b in range(bins):
        inside = which == b
        if not inside.any():
            table.append((float((edges[b] + edges[b + 1]) / 2), 0.0, 0))
            continue
        conf, acc = float(confidence[inside].mean()), float(correct[inside].mean())
        ece += inside.mean() * abs(acc - conf)
        table.append((conf, acc, int(inside.sum())))
    return float(ece), table


def confusion_png(gold: np.ndarray, pred: np.ndarray, classes: list[int], labels: list[str], path: Path,
                  title: str = "") -> Path:
    """Row-normalised confusion matrix over `classes` (label indices)."""
    plt = _pyplot()
    pos = {c: i for i, c in enumerate(classes)}
    matrix = np.zeros((len(classes), len(classes)))
    for g, p in zip(gold, pred):
        matrix[pos[g], pos[p]] += 1
    matrix /= np.maximum(matrix.sum(1, keepdims=True), 1)
    names = [emoji_name(labels[c]) for c in classes]
    size = max(5.0, 0.38 * len(classes) + 2)
    fig, ax = plt.subplots(figsize=(size + 1, size))
    im = ax.imshow(matrix, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(names)), names, rotation=90, fontsize=7)
    ax.set_yticks(range(len(names)), names, fontsize=7)
    ax.set_xlabel("predicted"), ax.set_ylabel("gold")
    ax.set_title(title or "confusion matrix (row-normalised)")
    fig.colorbar(im, ax=ax, fraction=0.046)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def reliability_png(confidence: np.ndarray, correct: np.ndarray, path: Path, title: str = "", bins: int = 15) -> float:
    """Reliability diagram of top-1 confidence; returns the ECE drawn in its title."""
    plt = _pyplot()
    ece, table = expected_calibration_error(confidence, correct, bins)
    centers = (np.arange(bins) + 0.5) / bins
    accuracy = [acc if n else 0.0 for _, acc, n in table]
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.bar(centers, accuracy, width=1 / bins, edgecolor="black", alpha=0.8, label="accuracy")
    ax.plot([0, 1], [0, 1], "--", color="gray", label="perfect calibration")
    ax.set_xlim(0, 1), ax.set_ylim(0, 1)
    ax.set_xlabel("top-1 confidence"), ax.set_ylabel("top-1 accuracy")
    ax.set_title(f"{title} ECE {100 * ece:.1f}%".strip())
    ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return ece


def similarity_png(weights: np.ndarray, labels: list[str], path: Path) -> Path:
    """Head weight rows ([labels, hidden]) → cosine similarity heatmap in cluster order, and a
    2-D PCA map; emojis the model treats alike sit together."""
    plt = _pyplot()
    unit = weights / np.linalg.norm(weights, axis=1, keepdims=True)
    sim = unit @ unit.T
    order = _greedy_order(sim)
    centered = unit - unit.mean(0)
    _, _, vt = np.linalg.svd(centered, full_matrices=False)
    xy = centered @ vt[:2].T
    names = [emoji_name(e) for e in labels]
    fig, (left, right) = plt.subplots(1, 2, figsize=(16, 7.5))
    im = left.imshow(sim[np.ix_(order, order)], cmap="RdBu_r", vmin=-1, vmax=1)
    left.set_xticks(range(len(order)), [names[i] for i in order], rotation=90, fontsize=7)
    left.set_yticks(range(len(order)), [names[i] for i in order], fontsize=7)
    left.set_title("cosine similarity of the head's weight vectors")
    fig.colorbar(im, ax=left, fraction=0.046)
    right.scatter(xy[:, 0], xy[:, 1], s=12)
    for (x, y), name in zip(xy, names):
        right.annotate(name, (x, y), fontsize=7, xytext=(3, 2), textcoords="offset points")
    right.set_title("emoji map: PCA of the head's weight vectors")
    right.set_xticks([]), right.set_yticks([])
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _greedy_order(sim: np.ndarray) -> list[int]:
    """Nearest-neighbour chain through the similarity matrix: a cheap seriation."""
    order = [int(np.argmax(sim.sum(1)))]
    left = set(range(len(sim))) - set(order)
    while left:
        nxt = max(left, key=lambda j: sim[order[-1], j])
        order.append(nxt)
        left.remove(nxt)
    return order


def per_class_f1_png(panels: dict[str, tuple[dict[str, float], dict[str, float]]], path: Path,
                     title: str = "per-class F1 before and after") -> Path:
    """One panel per evaluation set: grouped bars of each emoji's F1 (percent) for the current model
    (before) and the candidate (after); `panels`: set name → (before, after), emoji → F1."""
    plt = _pyplot()
    fig, axes = plt.subplots(len(panels), 1, figsize=(12, 3.2 * len(panels) + 0.6), squeeze=False)
    for ax, (name, (before, after)) in zip(axes[:, 0], panels.items()):
        emojis = list(dict.fromkeys([*before, *after]))
        x = np.arange(len(emojis))
        ax.bar(x - 0.2, [before.get(e, 0.0) for e in emojis], width=0.4, label="current")
        ax.bar(x + 0.2, [after.get(e, 0.0) for e in emojis], width=0.4, label="candidate")
        ax.set_xticks(x, [emoji_name(e) for e in emojis], rotation=70, fontsize=7, ha="right")
        ax.set_ylim(0, 100)
        ax.set_ylabel("F1 (%)")
        ax.set_title(name, fontsize=10)
        ax.legend(fontsize=8, loc="upper right")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def label_growth_png(old: list[str], added: dict[str, int], path: Path, min_count: int) -> Path:
    """The label set before and after a retrain, and how often the logs used each added emoji
    (the dashed line is the count a new label needs)."""
    plt = _pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.6), gridspec_kw={"width_ratios": [1, 3]})
    left.bar(["current", "candidate"], [len(old), len(old) + len(added)], color=["tab:blue", "tab:orange"])
    for x, n in enumerate([len(old), len(old) + len(added)]):
        left.text(x, n, str(n), ha="center", va="bottom")
    left.set_ylabel("labels")
    left.set_title("label set")
    if added:
        names = [emoji_name(e) for e in added]
        right.bar(range(len(added)), list(added.values()), color="tab:orange")
        right.set_xticks(range(len(added)), names, rotation=45, ha="right", fontsize=8)
        right.axhline(min_count, linestyle="--", color="gray", label=f"--min-count {min_count}")
        right.legend(fontsize=8)
    else:
        right.text(0.5, 0.5, "no emoji reached --min-count", ha="center", va="center", transform=right.transAxes)
        right.set_xticks([])
    right.set_ylabel("uses in the training-side logs")
    right.set_title("new labels")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
