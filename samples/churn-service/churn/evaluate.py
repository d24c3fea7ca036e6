"""Evaluates the saved model on the held-out split; fails below a minimum accuracy.

    /usr/bin/python3 -m churn.evaluate --data data/churn.csv --seed 42 --min-accuracy 0.8

Adds accuracy, f1, precision, recall and roc_auc to metrics.json (written
before the gate, so a failing build still records its numbers). When the model
now in production is in the workspace (--production, production/model.pkl by
default: Kiln's kiln/production-artifacts step puts it there), it is scored on
the same held-out rows too, as production_accuracy: a promotion gate such as
`accuracy >= production_accuracy - 0.01` then compares two models on one data set.
"""
import argparse
import sys
from pathlib import Path

import joblib
from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score, roc_auc_score

from churn import data, metrics


def score(model, X, y):
    predicted = model.predict(X)
    probability = model.predict_proba(X)[:, 1]
    return {
        "accuracy": round(accuracy_score(y, predicted), 4),
        "f1": round(f1_score(y, predicted), 4),
        "precision": round(precision_score(y, predicted, zero_division=0), 4),
        "recall": round(recall_score(y, predicted), 4),
        "roc_auc": round(roc_auc_score(y, probability), 4),
        "test_rows": int(len(y)),
    }


def score_production(path, X, y):
    """The held-out accuracy of the model at path, or None when there is none to score.

    A model that cannot be loaded is reported and left out: a gate on
    production_accuracy then fails for the missing metric instead of passing.
    """
    if not Path(path).is_file():
        return None
    try:
        model = joblib.load(path)
        return round(accuracy_score(y, model.predict(X)), 4)
    except Exception as e:  # an unpickling error can be of any type
        print(f"WARNING: could not score the production model {path}: {e}", file=sys.stderr)
        return None


def main(argv=None):
    parser = argparse.ArgumentParser(prog="churn.evaluate", description="Evaluate the churn model.")
    parser.add_argument("--data", default="data/churn.csv")
    parser.add_argument("--model", default="model.pkl")
    parser.add_argument("--metrics", default="metrics.json")
    parser.add_argument("--seed", type=int, default=42, help="must match the seed used to train")
    parser.add_argument("--min-accuracy", type=float, required=True,
                        help="fail (exit 1) if held-out accuracy is below this")
    parser.add_argument("--production", default="production/model.pkl",
                        help="the production model, scored on the same rows when the file exists")
    args = parser.parse_args(argv)
    try:
        df = data.load(args.data)
    except data.DataError as e:
        print(data.format_problems(e.path, e.problems), file=sys.stderr)
        return 1
    try:
        model = joblib.load(args.model)
    except FileNotFoundError:
        print(f"No model at {args.model}; run churn.train first.", file=sys.stderr)
        return 1
    _, X_test, _, y_test = data.split(df, args.seed)
    scores = score(model, X_test, y_test)
    production = score_production(args.production, X_test, y_test)
    if production is not None:
        scores["production_accuracy"] = production
    metrics.write(args.metrics, scores, merge=True)
    baseline = round(max(y_test.mean(), 1 - y_test.mean()), 4)
    print(f"Held-out accuracy {scores['accuracy']:.4f} on {len(y_test)} rows "
          f"(always-predict-majority baseline {baseline:.4f}; required {args.min_accuracy})")
    if production is not None:
        print(f"Production model ({args.production}) on the same rows: accuracy {production:.4f}")
    metrics.emit(scores)
    if scores["accuracy"] < args.min_accuracy:
        print(f"FAIL: accuracy {scores['accuracy']:.4f} is below the minimum {args.min_accuracy}",
              file=sys.stderr)
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
