import json
from pathlib import Path

import joblib

from churn import data, evaluate, metrics, train


def split(path):
    return data.split(data.load(path), seed=42)


def test_training_is_deterministic_and_beats_majority_baseline(data_csv):
    X_train, X_test, y_train, y_test = split(data_csv)
    model_a, scores_a = train.train(X_train, y_train, seed=42)
    model_b, scores_b = train.train(X_train, y_train, seed=42)
    assert scores_a == scores_b
    assert (model_a.predict(X_test) == model_b.predict(X_test)).all()
    baseline = max(y_test.mean(), 1 - y_test.mean())
    assert evaluate.score(model_a, X_test, y_test)["accuracy"] > baseline


def test_split_is_stable_and_disjoint(data_csv):
    X_train, X_test, _, _ = split(data_csv)
    again = split(data_csv)[1]
    assert list(X_test.index) == list(again.index)
    assert not set(X_train.index) & set(X_test.index)


def test_train_then_evaluate_gate(data_csv, tmp_path, capsys):
    model, out = str(tmp_path / "model.pkl"), str(tmp_path / "metrics.json")
    common = ["--data", str(data_csv), "--model", model, "--metrics", out, "--seed", "42"]
    assert train.main(common) == 0
    assert evaluate.main(common + ["--min-accuracy", "0.5"]) == 0
    assert evaluate.main(common + ["--min-accuracy", "0.99"]) == 1
    written = json.loads(Path(out).read_text())
    assert {"accuracy", "f1", "cv_accuracy", "train_accuracy"} <= set(written)
    assert all(isinstance(v, (int, float)) for v in written.values())
    assert "::metric accuracy=" in capsys.readouterr().out


def test_metric_lines(capsys):
    metrics.emit({"accuracy": 0.93, "f1": 0.9})
    assert capsys.readouterr().out == "::metric accuracy=0.93\n::metric f1=0.9\n"


def test_evaluate_scores_the_production_model_on_the_same_rows(data_csv, tmp_path, capsys):
    out = str(tmp_path / "metrics.json")
    weak, strong = str(tmp_path / "weak.pkl"), str(tmp_path / "strong.pkl")
    common = ["--data", str(data_csv), "--metrics", out, "--seed", "42"]
    assert train.main(common + ["--model", weak, "--c", "0.001"]) == 0
    assert train.main(common + ["--model", strong]) == 0
    missing = str(tmp_path / "production" / "model.pkl")
    assert evaluate.main(common + ["--model", strong, "--min-accuracy", "0", "--production", missing]) == 0
    assert "production_accuracy" not in json.loads(Path(out).read_text())

    assert evaluate.main(common + ["--model", strong, "--min-accuracy", "0", "--production", weak]) == 0
    written = json.loads(Path(out).read_text())
    _, X_test, _, y_test = split(data_csv)
    assert written["production_accuracy"] == evaluate.score(joblib.load(weak), X_test, y_test)["accuracy"]
    assert written["production_accuracy"] < written["accuracy"]
    assert f"::metric production_accuracy={written['production_accuracy']}" in capsys.readouterr().out


def test_a_production_model_that_cannot_be_loaded_is_left_out(data_csv, tmp_path, capsys):
    out, model, broken = str(tmp_path / "metrics.json"), str(tmp_path / "model.pkl"), tmp_path / "broken.pkl"
    broken.write_text("not a model")
    common = ["--data", str(data_csv), "--metrics", out, "--seed", "42", "--model", model]
    assert train.main(common) == 0
    assert evaluate.main(common + ["--min-accuracy", "0", "--production", str(broken)]) == 0
    assert "production_accuracy" not in json.loads(Path(out).read_text())
    assert "could not score the production model" in capsys.readouterr().err
