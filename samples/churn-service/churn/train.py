"""Trains the churn model; writes the model file and metrics.json.

    /usr/bin/python3 -m churn.train --data data/churn.csv --seed 42

Only the training split is used here; evaluation on the held-out split is
churn.evaluate's job. The metrics written are training and cross-validation
scores (train_accuracy, cv_accuracy, ...).
"""
import argparse
import sys
import time

import joblib
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from churn import data, metrics


def build_model(seed, c=1.0):
    features = ColumnTransformer([
        ("numeric", StandardScaler(), data.NUMERIC_FEATURES),
        ("categorical", OneHotEncoder(handle_unknown="ignore"), data.CATEGORICAL_FEATURES),
    ])
    return Pipeline([
        ("features", features),
        ("classifier", LogisticRegression(C=c, max_iter=1000, random_state=seed)),
    ])


def train(X, y, seed, c=1.0):
    """Fits the model; returns (model, metrics) with training and 5-fold CV scores."""
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
    cv = cross_validate(build_model(seed, c), X, y, cv=folds, scoring=("accuracy", "f1"))
    model = build_model(seed, c).fit(X, y)
    predicted = model.predict(X)
    scores = {
        "train_accuracy": round(accuracy_score(y, predicted), 4),
        "train_f1": round(f1_score(y, predicted), 4),
        "cv_accuracy": round(cv["test_accuracy"].mean(), 4),
        "cv_f1": round(cv["test_f1"].mean(), 4),
        "train_rows": int(len(y)),
    }
    return model, scores


def main(argv=None):
    parser = argparse.ArgumentParser(prog="churn.train", description="Train the churn model.")
    parser.add_argument("--data", default="data/churn.csv")
    parser.add_argument("--model", default="model.pkl", help="where to write the fitted model")
    parser.add_argument("--metrics", default="metrics.json")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--c", type=float, default=1.0, help="inverse regularisation strength")
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        df = data.load(args.data)
    except data.DataError as e:
        print(data.format_problems(e.path, e.problems), file=sys.stderr)
        return 1
    X_train, _, y_train, _ = data.split(df, args.seed)
    model, scores = train(X_train, y_train, args.seed, args.c)
    joblib.dump(model, args.model)
    scores["train_seconds"] = round(time.monotonic() - started, 3)
    metrics.write(args.metrics, scores)
    print(f"Trained LogisticRegression on {len(y_train)} rows (seed {args.seed}); "
          f"model -> {args.model}, metrics -> {args.metrics}")
    metrics.emit(scores)
    return 0


if __name__ == "__main__":
    sys.exit(main())
