#!/usr/bin/env python3
"""scikit-learn's LogisticRegression on the features Cola's probe sees, with Cola's protocol.

Reads the embeddings `cola eval` cached (one `<task>-<key>.embeddings` file per task in a cache
folder used for one embedder only, e.g. `--encoder logmel-stats --cache runs/cache-logmel`) and
scores each task the way Cola's probe does (docs/eval.md, "Protocol"), with scikit-learn's
`LogisticRegression(C, solver="lbfgs")` in place of Cola's solver:

- training rows: every cached training window, labelled with its clip's label; standardized
  with the training rows' mean and variance, epsilon = 1e-3 x mean variance (Cola's Standardizer);
- C from Cola's grid: on the validation split when it has a clip of every training class, else by
  stratified k-fold cross-validation on the training clips (k = min(5, smallest class)) when every
  class has at least 6, else C = 1;
  candidates ranked by held-out clip accuracy, then lower clip cross-entropy, then smaller C;
- few-shot (--shots K): K clips per class per draw, no validation split (so C = 1 for K < 6);
- test score: window logits averaged per clip, arg-max (the first on ties).

Folds and few-shot draws are the same clips as Cola's (SplitMix64 orders, see
Sources/ColaEvaluation/Probe/ClipSelection.swift). With --cola (and --old) results.json files it
prints a Markdown table beside Cola's numbers.

    python3 benchmarks/probe_standins.py --cache runs/cache-logmel --cola runs/new/results.json --old runs/old/results.json
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

GRID = [0.0001, 0.000316, 0.001, 0.00316, 0.01, 0.0316, 0.1, 0.316, 1, 3.16, 10, 31.6, 100, 316, 1000]
FIXED_C = 1.0
FOLDS = 5
MINIMUM_CLIPS_FOR_CROSS_VALIDATION = 6
MASK = (1 << 64) - 1
GAMMA = 0x9E3779B97F4A7C15
FOLD_STREAM = 0x6B43A9B5CF1D2E87
DRAW_STREAM = 0xF3A75B0C1D2E4F69
TASKS = ["spcv1", "spcv2", "librispeech", "voxceleb", "voxforge", "musan", "nsynth", "birds", "tut2018"]


def splitmix_outputs(seed: int, count: int) -> list[int]:
    """The first `count` outputs of SplitMix64 from state `seed`, as Cola's `SeededGenerator(state:)`."""
    state, outputs = seed & MASK, []
    for _ in range(count):
        state = (state + GAMMA) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        outputs.append(z ^ (z >> 31))
    return outputs


class Split:
    """One split of a `COLAEMB1` cache file: rows (float32), the clip of each row, clip labels."""

    def __init__(self, rows: np.ndarray, clip_of_row: np.ndarray, labels: np.ndarray):
        self.rows, self.clip_of_row, self.labels = rows, clip_of_row, labels

    def scored_clips(self) -> np.ndarray:
        return np.unique(self.clip_of_row)

    def keep(self, clips: list[int]) -> "Split":
        parts = [np.flatnonzero(self.clip_of_row == c) for c in clips]
        index = np.concatenate(parts) if parts else np.zeros(0, dtype=int)
        clip_of_row = np.concatenate([np.full(len(p), i) for i, p in enumerate(parts)]) if parts else np.zeros(0, dtype=int)
        return Split(self.rows[index], clip_of_row, self.labels[clips])

    def clips_by_class(self, classes: int) -> list[list[int]]:
        scored = set(self.scored_clips().tolist())
        return [[c for c in range(len(self.labels)) if c in scored and self.labels[c] == k] for k in range(classes)]


def read_cache(path: Path) -> list[Split]:
    """The train, valid and test splits of a `COLAEMB2` file (Sources/ColaEvaluation/Embedding/EmbeddingCache.swift)."""
    data = path.read_bytes()
    if data[:8] != b"COLAEMB2":
        sys.exit(f"{path}: not a Cola embedding cache file (COLAEMB2)")
    offset, splits = 8, []
    for _ in range(3):
        width, rows, clips = (int(v) for v in np.frombuffer(data, "<u4", 3, offset))
        offset += 12
        clip_of_row = np.frombuffer(data, "<i4", rows, offset).astype(int)
        offset += 4 * rows
        labels = np.frombuffer(data, "<i4", clips, offset).astype(int)
        offset += 4 * clips
        values = np.frombuffer(data, "<f4", rows * width, offset).reshape(rows, width)
        offset += 4 * rows * width
        splits.append(Split(values, clip_of_row, labels))
    return splits


def standardize(train: np.ndarray, *others: np.ndarray) -> list[np.ndarray]:
    """Cola's Standardizer: statistics in float64, applied in float32."""
    x = train.astype(np.float64)
    mean = x.mean(axis=0).astype(np.float32)
    std = np.sqrt(np.maximum(0, (x * x).mean(axis=0) - x.mean(axis=0) ** 2)).astype(np.float32)
    epsilon = np.float32(1e-3) * np.float32(np.sum(std * std, dtype=np.float32) / np.float32(len(std))) + np.float32(1e-12)
    scale = np.float32(1) / np.sqrt(std * std + epsilon)
    return [((r - mean) * scale).astype(np.float32) for r in (train, *others)]


def fit(rows: np.ndarray, labels: np.ndarray, c: float, tol: float, max_iter: int) -> LogisticRegression:
    return LogisticRegression(C=c, solver="lbfgs", tol=tol, max_iter=max_iter).fit(rows.astype(np.float64), labels)


def clip_scores(model: LogisticRegression, split: Split, classes: int) -> tuple[np.ndarray, np.ndarray]:
    """Per scored clip: mean window logits (classes columns; classes never trained stay -inf) and label."""
    decision = model.decision_function(split.rows.astype(np.float64))
    logits = np.full((len(split.rows), classes), -np.inf)
    if decision.ndim == 1:
        logits[:, model.classes_[0]], logits[:, model.classes_[1]] = 0.0, decision
    else:
        logits[:, model.classes_] = decision
    clips = split.scored_clips()
    means = np.stack([logits[split.clip_of_row == c].mean(axis=0) for c in clips])
    return means, split.labels[clips]


def held_out(means: np.ndarray, labels: np.ndarray) -> tuple[int, float]:
    """(correct clips, summed cross-entropy) of clip logits."""
    finite = np.where(np.isfinite(means), means, -1e30)
    peak = finite.max(axis=1, keepdims=True)
    log_sum = peak[:, 0] + np.log(np.exp(finite - peak).sum(axis=1))
    return int(np.sum(np.argmax(finite, axis=1) == labels)), float(np.sum(log_sum - finite[np.arange(len(labels)), labels]))


def better(candidate: tuple[int, float], best: tuple[int, float] | None) -> bool:
    return best is None or candidate[0] > best[0] or (candidate[0] == best[0] and candidate[1] < best[1])


def folds_of(train: Split, classes: int, folds: int, seed: int) -> list[list[int]]:
    keys = splitmix_outputs(seed ^ FOLD_STREAM, len(train.labels))
    assignment, next_fold = [[] for _ in range(folds)], 0
    for clips in train.clips_by_class(classes):
        for clip in sorted(clips, key=lambda c: keys[c]):
            assignment[next_fold % folds].append(clip)
            next_fold += 1
    return [sorted(f) for f in assignment]


def choose_and_fit(train: Split, valid: Split, classes: int, seed: int, tol: float, max_iter: int) -> tuple[LogisticRegression, str, float]:
    train_counts = [len(c) for c in train.clips_by_class(classes)]
    valid_counts = [len(c) for c in valid.clips_by_class(classes)]
    train_labels = train.labels[train.clip_of_row]
    if len(valid.rows) > 0 and all(t == 0 or v > 0 for t, v in zip(train_counts, valid_counts)):
        best = None
        for c in GRID:
            model = fit(train.rows, train_labels, c, tol, max_iter)
            score = held_out(*clip_scores(model, valid, classes))
            if better(score, best):
                best, chosen, model_at_best = score, c, model
        return model_at_best, "validation", chosen
    smallest = min(t for t in train_counts if t > 0)
    folds = min(FOLDS, smallest)
    if smallest < MINIMUM_CLIPS_FOR_CROSS_VALIDATION:
        return fit(train.rows, train_labels, FIXED_C, tol, max_iter), "fixed", FIXED_C
    totals = [[0, 0.0] for _ in GRID]
    for held in folds_of(train, classes, folds, seed):
        kept = train.keep([c for c in range(len(train.labels)) if c not in set(held)])
        scoring = train.keep(held)
        for index, c in enumerate(GRID):
            correct, entropy = held_out(*clip_scores(fit(kept.rows, kept.labels[kept.clip_of_row], c, tol, max_iter), scoring, classes))
            totals[index][0] += correct
            totals[index][1] += entropy
    chosen = 0
    for index in range(len(GRID)):
        if better(tuple(totals[index]), tuple(totals[chosen])):
            chosen = index
    return fit(train.rows, train_labels, GRID[chosen], tol, max_iter), f"{folds}-fold cross-validation", GRID[chosen]


def score_task(splits: list[Split], shots: int | None, draws: int, seed: int, tol: float, max_iter: int) -> tuple[float, list[float], str]:
    classes = int(max(s.labels.max() for s in splits if len(s.labels)) + 1)
    accuracies, chosen = [], []
    for draw in range(draws if shots else 1):
        train, valid, test = splits
        if shots:
            keys = splitmix_outputs(seed ^ ((DRAW_STREAM * (draw + 1)) & MASK), len(train.labels))
            train = train.keep([c for clips in train.clips_by_class(classes) for c in sorted(sorted(clips, key=lambda c: keys[c])[:shots])])
            valid = Split(np.zeros((0, train.rows.shape[1]), np.float32), np.zeros(0, dtype=int), np.zeros(0, dtype=int))
        rows = standardize(train.rows, valid.rows, test.rows)
        train, valid, test = (Split(r, s.clip_of_row, s.labels) for r, s in zip(rows, (train, valid, test)))
        model, method, c = choose_and_fit(train, valid, classes, seed, tol, max_iter)
        means, labels = clip_scores(model, test, classes)
        accuracies.append(held_out(means, labels)[0] / len(labels))
        chosen.append(c)
    return float(np.mean(accuracies)), chosen, method


def cache_file(cache: Path, task: str) -> Path | None:
    matches = [p for p in cache.iterdir() if re.fullmatch(rf"{re.escape(task)}-[0-9a-f]{{16}}\.embeddings", p.name)]
    if len(matches) > 1:
        sys.exit(f"{cache}: {len(matches)} cache files for {task} ({', '.join(p.name for p in matches)}); use a cache folder of one run")
    return matches[0] if matches else None


def cola_score(path: Path | None, task: str) -> tuple[str, str]:
    """Accuracy (± std over draws) [95% interval] and the chosen C of `task` in a results.json."""
    if path is None:
        return "", ""
    entry = json.loads(path.read_text())["tasks"].get(task, {})
    if "accuracy" not in entry:
        return "–", ""
    text = f"{100 * entry['accuracy']:.1f}"
    if "accuracy_std" in entry:
        text += f" ± {100 * entry['accuracy_std']:.1f}"
    if "accuracy_interval" in entry:
        low, high = entry["accuracy_interval"]
        text += f" [{100 * low:.1f}, {100 * high:.1f}]"
    return text, ", ".join(f"{c:g}" for c in sorted(set(entry.get("C", []))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, required=True, help="embedding cache folder of one embedder")
    parser.add_argument("--tasks", default=",".join(TASKS))
    parser.add_argument("--shots", type=int, help="few-shot: clips per class")
    parser.add_argument("--draws", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tol", type=float, default=1e-5, help="LogisticRegression tol (Cola's default tolerance)")
    parser.add_argument("--max-iter", type=int, default=1000)
    parser.add_argument("--cola", type=Path, help="Cola's results.json for the same run, shown beside")
    parser.add_argument("--old", type=Path, help="results.json of the Adam probe, shown beside")
    arguments = parser.parse_args()

    print("| task | old probe (Adam) | new probe (L-BFGS) | its C | scikit-learn | its C |")
    print("|---|---:|---:|---|---:|---|")
    for task in arguments.tasks.split(","):
        path = cache_file(arguments.cache, task)
        if path is None:
            print(f"| {task} | | | | no cache file | |")
            continue
        accuracy, chosen, method = score_task(read_cache(path), arguments.shots, arguments.draws, arguments.seed, arguments.tol, arguments.max_iter)
        cs = ", ".join(f"{c:g}" for c in sorted(set(chosen)))
        old, new = cola_score(arguments.old, task)[0], cola_score(arguments.cola, task)
        print(f"| {task} | {old} | {new[0]} | {new[1]} | {100 * accuracy:.1f} | {cs} ({method}) |", flush=True)


if __name__ == "__main__":
    main()
