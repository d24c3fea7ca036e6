"""Optional report: held-out accuracy per contract type (a "slice").

    /usr/bin/python3 -m churn.slices --data data/churn.csv --seed 42 --min-slice-accuracy 0.75

Exits 1 if any slice is below the minimum. Small slices are noisy, so
build.yaml marks this step allowFailure: a warning, not a broken build.
"""
import argparse
import sys

import joblib
from sklearn.metrics import accuracy_score

from churn import data, metrics


def slice_accuracy(model, X, y, column="contract"):
    """Returns {slice value: (rows, accuracy)}."""
    predicted = model.predict(X)
    out = {}
    for value in sorted(X[column].unique()):
        mask = (X[column] == value).to_numpy()
        out[value] = (int(mask.sum()), round(accuracy_score(y[mask], predicted[mask]), 4))
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(prog="churn.slices", description="Accuracy per contract type.")
    parser.add_argument("--data", default="data/churn.csv")
    parser.add_argument("--model", default="model.pkl")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--min-slice-accuracy", type=float, default=0.0)
    args = parser.parse_args(argv)
    df = data.load(args.data)
    model = joblib.load(args.model)
    _, X_test, _, y_test = data.split(df, args.seed)
    slices = slice_accuracy(model, X_test, y_test)
    weak = [value for value, (_, accuracy) in slices.items() if accuracy < args.min_slice_accuracy]
    print(f"  {'contract':<16} {'rows':>4}  accuracy")
    for value, (rows, accuracy) in slices.items():
        flag = f"  < {args.min_slice_accuracy}" if value in weak else ""
        print(f"  {value:<16} {rows:>4}  {accuracy:.4f}{flag}")
    metrics.emit({"slice_accuracy_" + v.replace("-", "_"): a for v, (_, a) in slices.items()})
    if weak:
        print(f"WARN: {len(weak)} slice(s) below {args.min_slice_accuracy}: {', '.join(weak)} "
              "(this step is allowFailure in build.yaml, so it does not fail the build)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
