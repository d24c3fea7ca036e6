"""The prediction service, started in this process on a free port, answered over real HTTP."""
import json
import threading
import urllib.error
import urllib.request

import joblib
import pytest

from churn import data, predict, train
from service import server

CUSTOMER = {"tenure_months": 3, "monthly_charges": 99.5, "support_calls": 4,
            "contract": "month-to-month", "paperless_billing": 1}


@pytest.fixture(scope="module")
def model_files(data_csv, tmp_path_factory):
    X_train, _, y_train, _ = data.split(data.load(data_csv), seed=42)
    model, _ = train.train(X_train, y_train, seed=42)
    folder = tmp_path_factory.mktemp("model")
    joblib.dump(model, folder / "model.pkl")
    (folder / "metrics.json").write_text(json.dumps({"accuracy": 0.8}))
    return model, folder


@pytest.fixture(scope="module")
def url(model_files):
    _, folder = model_files
    httpd = server.serve(folder / "model.pkl", folder / "metrics.json", host="127.0.0.1", port=0)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def call(url, path, body=None, raw=None):
    payload = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    request = urllib.request.Request(url + path, data=payload, method="GET" if payload is None else "POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_health_names_the_model_and_its_metrics(url):
    status, body = call(url, "/health")
    assert status == 200
    assert body["status"] == "ok" and body["model"]["accuracy"] == 0.8


def test_predictions_are_the_models_own(url, model_files):
    model, _ = model_files
    loyal = dict(CUSTOMER, tenure_months=70, support_calls=0, contract="two-year", monthly_charges=20.0)
    status, body = call(url, "/predict", {"customers": [CUSTOMER, loyal]})
    assert status == 200
    assert body["predictions"] == predict.predict(model, [CUSTOMER, loyal])
    risky, safe = body["predictions"]
    assert risky["churn"] == 1 and safe["churn"] == 0
    assert risky["probability"] > 0.5 > safe["probability"]


@pytest.mark.parametrize("customers, message", [
    ([dict(CUSTOMER, contract="weekly")], "customers[0].contract must be one of"),
    ([{k: v for k, v in CUSTOMER.items() if k != "support_calls"}], "customers[0].support_calls is missing"),
    ([dict(CUSTOMER, tenure_months="three")], "customers[0].tenure_months must be a number"),
    ([dict(CUSTOMER, tenure_months=3.5)], "must be a whole number"),
    ([CUSTOMER, dict(CUSTOMER, tenure_months=99)], "customers[1].tenure_months must be in [0, 72]"),
    ([dict(CUSTOMER, colour="blue")], "unknown field(s) ['colour']"),
    ([], "non-empty list"),
])
def test_bad_customers_are_a_400_saying_what_is_wrong(url, customers, message):
    status, body = call(url, "/predict", {"customers": customers})
    assert status == 400
    assert message in body["error"]


def test_bad_bodies_and_routes(url):
    assert call(url, "/predict", raw=b"{not json")[0] == 400
    assert call(url, "/predict", {"rows": []}) == (400, {"error": 'body must be an object {"customers": [...]}'})
    assert call(url, "/nope")[0] == 404
    assert call(url, "/nope", {"customers": [CUSTOMER]})[0] == 404
