#!/usr/bin/env python3
"""scikit-learn reference for Cola's linear probe, and the writer of its test fixture.

Cola's probe (Sources/ColaEvaluation/Probe/) minimizes the objective of scikit-learn's
`LogisticRegression(C=C)` with the L-BFGS solver:

    sum_i -log softmax(W x_i + b)[y_i]  +  1/2 ||W||^2 / C        (b unpenalized)

multinomial for three or more classes, binomial (one weight vector) for two. This script fits
scikit-learn on a fixed, seeded synthetic data set (overlapping Gaussian classes, so the
regularization matters and no class is separable), at several C, with a tight tolerance, and
writes the features, labels and, per C, the objective, log-loss and accuracy (train and test)
and the coefficients and intercepts to a JSON fixture. `ProbeReferenceTests.swift` fits Cola's
solver on the same float32 features and compares.

Regenerate (numpy and scikit-learn only; see requirements.txt):

    python3 benchmarks/reference/probe_reference.py --out Tests/ColaEvaluationTests/Fixtures/probe_reference.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression

SEED = 20261203
TRAIN_ROWS = 240
TEST_ROWS = 120
WIDTH = 24
CLASSES = 5
MULTICLASS_CS = [0.01, 0.1, 1.0, 10.0]
BINARY_CS = [0.1, 1.0]


def synthetic_features(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Overlapping Gaussian classes with correlated dimensions, standardized like Cola's
    `Standardizer` would (train mean and std), stored as float32."""
    rows = TRAIN_ROWS + TEST_ROWS
    labels = np.arange(rows) % CLASSES
    rng.shuffle(labels)
    means = rng.normal(0.0, 0.15, size=(CLASSES, WIDTH))
    mixing = rng.normal(0.0, 1.0, size=(WIDTH, WIDTH)) / np.sqrt(WIDTH)
    noise = rng.normal(0.0, 1.0, size=(rows, WIDTH)) @ mixing
    features = means[labels] + noise + 0.3 * rng.normal(size=(1, WIDTH))
    mean = features[:TRAIN_ROWS].mean(axis=0)
    std = features[:TRAIN_ROWS].std(axis=0)
    return ((features - mean) / std).astype(np.float32), labels.astype(np.int64)


def objective_terms(model: LogisticRegression, x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """(sum of log-losses, mean log-loss, accuracy) of `model` on (x, y), in float64."""
    probabilities = model.predict_proba(x)
    losses = -np.log(np.clip(probabilities[np.arange(len(y)), np.searchsorted(model.classes_, y)], 1e-300, None))
    accuracy = float(np.mean(model.predict(x) == y))
    return float(losses.sum()), float(losses.mean()), accuracy


def fit(x: np.ndarray, y: np.ndarray, test_x: np.ndarray, test_y: np.ndarray, c: float) -> dict:
    model = LogisticRegression(C=c, solver="lbfgs", tol=1e-12, max_iter=100_000)
    model.fit(x.astype(np.float64), y)
    train_sum, train_mean, train_accuracy = objective_terms(model, x.astype(np.float64), y)
    _, test_mean, test_accuracy = objective_terms(model, test_x.astype(np.float64), test_y)
    penalty = 0.5 * float(np.sum(model.coef_.astype(np.float64) ** 2)) / c
    return {
        "C": c,
        "objective": train_sum + penalty,
        "train_log_loss": train_mean,
        "train_accuracy": train_accuracy,
        "test_log_loss": test_mean,
        "test_accuracy": test_accuracy,
        "iterations": int(np.max(model.n_iter_)),
        "coefficients": [[float(v) for v in row] for row in model.coef_],
        "intercepts": [float(v) for v in model.intercept_],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="fixture JSON to write")
    arguments = parser.parse_args()

    features, labels = synthetic_features(np.random.default_rng(SEED))
    train_x, test_x = features[:TRAIN_ROWS], features[TRAIN_ROWS:]
    train_y, test_y = labels[:TRAIN_ROWS], labels[TRAIN_ROWS:]
    binary_train = train_y < 2
    binary_test = test_y < 2

    fixture = {
        "generator": f"benchmarks/reference/probe_reference.py, seed {SEED}, scikit-learn {sklearn.__version__}",
        "width": WIDTH,
        "classes": CLASSES,
        # float32 values printed with 9 significant digits: each parses back to the same float32.
        "train_features": [format(float(v), ".9g") for v in train_x.ravel()],
        "train_labels": [int(v) for v in train_y],
        "test_features": [format(float(v), ".9g") for v in test_x.ravel()],
        "test_labels": [int(v) for v in test_y],
        "multiclass": [fit(train_x, train_y, test_x, test_y, c) for c in MULTICLASS_CS],
        # Classes 0 and 1 only: scikit-learn fits one binomial weight vector.
        "binary": [
            fit(train_x[binary_train], train_y[binary_train], test_x[binary_test], test_y[binary_test], c)
            for c in BINARY_CS
        ],
    }
    arguments.out.parent.mkdir(parents=True, exist_ok=True)
    arguments.out.write_text(json.dumps(fixture, indent=1) + "\n")
    for group in ("multiclass", "binary"):
        for entry in fixture[group]:
            print(f"{group} C={entry['C']:g}: objective {entry['objective']:.6f}, train log-loss "
                  f"{entry['train_log_loss']:.6f}, train accuracy {entry['train_accuracy']:.4f}, test accuracy "
                  f"{entry['test_accuracy']:.4f}, {entry['iterations']} iterations")


if __name__ == "__main__":
    main()
