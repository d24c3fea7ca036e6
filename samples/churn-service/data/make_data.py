"""Regenerate data/churn.csv, the small synthetic "customer churn" data set.

Deterministic (Python's own random.Random with a fixed seed, no numpy), so
running it again gives the same file byte for byte:

    /usr/bin/python3 data/make_data.py            # rewrites data/churn.csv
    /usr/bin/python3 data/make_data.py --rows 1000 --out /tmp/big.csv
"""
import argparse
import csv
import math
import random
from pathlib import Path

CONTRACTS = ["month-to-month", "one-year", "two-year"]
CONTRACT_EFFECT = {"month-to-month": 1.1, "one-year": -0.7, "two-year": -2.0}
# How strongly the features drive churn: higher = easier to predict.
SIGNAL = 1.6


def make_rows(n, seed):
    rng = random.Random(seed)
    rows = []
    for i in range(1, n + 1):
        contract = rng.choices(CONTRACTS, weights=[0.5, 0.3, 0.2])[0]
        tenure = rng.randint(1, 72)
        charges = round(rng.uniform(18.0, 120.0), 2)
        calls = min(9, int(rng.expovariate(0.6)))
        paperless = 1 if rng.random() < 0.6 else 0
        logit = SIGNAL * (-0.3 - 0.055 * tenure + 0.03 * (charges - 65.0) + 0.55 * calls
                          + 0.3 * paperless + CONTRACT_EFFECT[contract])
        churned = 1 if rng.random() < 1.0 / (1.0 + math.exp(-logit)) else 0
        rows.append({
            "customer_id": i,
            "tenure_months": tenure,
            "monthly_charges": f"{charges:.2f}",
            "support_calls": calls,
            "contract": contract,
            "paperless_billing": paperless,
            "churned": churned,
        })
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", default=str(Path(__file__).with_name("churn.csv")))
    args = parser.parse_args()
    rows = make_rows(args.rows, args.seed)
    with open(args.out, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    rate = sum(r["churned"] for r in rows) / len(rows)
    print(f"wrote {len(rows)} rows to {args.out} (churn rate {rate:.2f})")


if __name__ == "__main__":
    main()
