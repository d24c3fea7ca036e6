"""Predictions for customers given as JSON objects: what the service and the functional test share.

A customer is an object with the model's features, e.g.
    {"tenure_months": 3, "monthly_charges": 99.5, "support_calls": 4,
     "contract": "month-to-month", "paperless_billing": 1}
Bad input raises InputError with a message a client can act on; it never reaches the model.
"""
import pandas as pd

from churn import data


class InputError(ValueError):
    """A request the model cannot answer; str(e) says why."""


def _value(customer, index, column):
    rule = data.SCHEMA[column]
    where = f"customers[{index}].{column}"
    if column not in customer:
        raise InputError(f"{where} is missing")
    value = customer[column]
    if rule["kind"] == "category":
        if value not in rule["values"]:
            raise InputError(f"{where} must be one of {rule['values']}, not {value!r}")
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(f"{where} must be a number, not {value!r}")
    if rule["kind"] == "int" and value != int(value):
        raise InputError(f"{where} must be a whole number, not {value!r}")
    low, high = rule.get("min"), rule.get("max")
    if (low is not None and value < low) or (high is not None and value > high):
        raise InputError(f"{where} must be in [{low}, {high}], not {value!r}")
    return value


def to_frame(customers):
    """A DataFrame of the model's features, checked against churn.data.SCHEMA."""
    if not isinstance(customers, list) or not customers:
        raise InputError("customers must be a non-empty list of objects")
    rows = []
    for i, customer in enumerate(customers):
        if not isinstance(customer, dict):
            raise InputError(f"customers[{i}] must be an object")
        unknown = sorted(set(customer) - set(data.FEATURES) - {data.ID})
        if unknown:
            raise InputError(f"customers[{i}] has unknown field(s) {unknown}; expected {data.FEATURES}")
        rows.append({column: _value(customer, i, column) for column in data.FEATURES})
    frame = pd.DataFrame(rows, columns=data.FEATURES)
    for column, rule in data.SCHEMA.items():
        if column in frame and rule["kind"] == "int":
            frame[column] = frame[column].astype("int64")
        elif column in frame and rule["kind"] == "float":
            frame[column] = frame[column].astype("float64")
    return frame


def predict(model, customers):
    """[{"churn": 0 or 1, "probability": P(churn)}] in the order given."""
    frame = to_frame(customers)
    labels = model.predict(frame)
    probabilities = model.predict_proba(frame)[:, 1]
    return [{"churn": int(label), "probability": round(float(p), 4)}
            for label, p in zip(labels, probabilities)]
