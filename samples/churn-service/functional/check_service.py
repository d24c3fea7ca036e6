"""Functional test: the running service answers with the trained model's predictions.

    python3 -m functional.check_service --url http://churn-svc:8080 [--model model.pkl]

Run against the image the build just made, started on the build's network. Waits (up to
--wait seconds) for GET /health, then sends the held-out customers of data/churn.csv and checks
that every answer equals what model.pkl (the model this build trained) predicts locally, that the
served accuracy is the evaluated one, that a risky customer scores above a loyal one, and that a
bad request is a 400 with a message. Exits 1 on any difference.
"""
import argparse
import json
import sys
import time
import urllib.error
import urllib.request

import joblib
from sklearn.metrics import accuracy_score

from churn import data, metrics, predict

RISKY = {"tenure_months": 2, "monthly_charges": 110.0, "support_calls": 6,
         "contract": "month-to-month", "paperless_billing": 1}
LOYAL = {"tenure_months": 70, "monthly_charges": 25.0, "support_calls": 0,
         "contract": "two-year", "paperless_billing": 0}


def call(url, body=None, timeout=10):
    """(status, parsed JSON) for GET (body None) or POST of a JSON body."""
    request = urllib.request.Request(url, method="GET" if body is None else "POST",
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def wait_for(url, seconds):
    deadline = time.monotonic() + seconds
    tries, last = 0, "no answer yet"
    while True:
        tries += 1
        try:
            status, body = call(url + "/health", timeout=2)
            last = f"{status} {body}"
            if status == 200:
                print(f"service up after {tries} tr{'y' if tries == 1 else 'ies'}: {json.dumps(body['model'], sort_keys=True)}")
                return body
        except (OSError, ValueError) as e:
            last = e
        if time.monotonic() > deadline:
            raise SystemExit(f"FAIL: {url}/health did not answer within {seconds} s ({last})")
        time.sleep(0.25)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="functional.check_service")
    parser.add_argument("--url", required=True, help="e.g. http://churn-svc:8080")
    parser.add_argument("--data", default="data/churn.csv")
    parser.add_argument("--model", default="model.pkl", help="the model this build trained")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--wait", type=float, default=60)
    args = parser.parse_args(argv)
    url = args.url.rstrip("/")
    failures = []

    health = wait_for(url, args.wait)
    _, X_test, _, y_test = data.split(data.load(args.data), args.seed)
    customers = X_test.to_dict(orient="records")
    for c in customers:  # numpy numbers -> plain JSON numbers
        c.update({k: (v.item() if hasattr(v, "item") else v) for k, v in c.items()})
    status, body = call(url + "/predict", {"customers": customers})
    if status != 200:
        raise SystemExit(f"FAIL: POST /predict answered {status}: {body}")
    served = body["predictions"]
    expected = predict.predict(joblib.load(args.model), customers)

    print(f"{'csv line':>8}  {'contract':<15} {'tenure':>6}  served  expected  probability")
    for index, (row, s, e) in enumerate(zip(X_test.index, served, expected)):
        same = s == e
        if index < 8 or not same:
            print(f"{row + 2:>8}  {customers[index]['contract']:<15} {customers[index]['tenure_months']:>6}"
                  f"  {s['churn']:>6}  {e['churn']:>8}  {s['probability']:.4f}{'' if same else '  MISMATCH'}")
        if not same:
            failures.append(f"{args.data} line {row + 2}: served {s}, model says {e}")
    print(f"... {len(served)} held-out customers predicted by the service")

    accuracy = round(accuracy_score(y_test, [p["churn"] for p in served]), 4)
    evaluated = health["model"].get("accuracy")
    print(f"served accuracy {accuracy} on {len(served)} rows; evaluate step measured {evaluated}")
    if evaluated is not None and accuracy != evaluated:
        failures.append(f"served accuracy {accuracy} differs from the evaluated {evaluated}")

    status, body = call(url + "/predict", {"customers": [RISKY, LOYAL]})
    risky, loyal = body["predictions"] if status == 200 else (None, None)
    print(f"risky customer: {risky}; loyal customer: {loyal}")
    if status != 200 or not risky["probability"] > loyal["probability"]:
        failures.append(f"a risky customer should score above a loyal one: {status} {body}")

    status, body = call(url + "/predict", {"customers": [dict(LOYAL, contract="weekly")]})
    print(f"bad request -> {status} {body.get('error') if isinstance(body, dict) else body}")
    if status != 400:
        failures.append(f"an unknown contract should be a 400, got {status} {body}")

    metrics.emit({"functional_rows": len(served), "functional_accuracy": accuracy})
    if failures:
        print("FAIL:\n  " + "\n  ".join(failures), file=sys.stderr)
        return 1
    print("PASS: the service serves this build's model")
    return 0


if __name__ == "__main__":
    sys.exit(main())
