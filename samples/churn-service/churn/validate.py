"""Checks the data set against churn.data.SCHEMA; exits 1 with a table of problems.

    /usr/bin/python3 -m churn.validate --data data/churn.csv
"""
import argparse
import sys

from churn import data


def main(argv=None):
    parser = argparse.ArgumentParser(prog="churn.validate", description="Validate the churn CSV.")
    parser.add_argument("--data", default="data/churn.csv")
    args = parser.parse_args(argv)
    try:
        df = data.load(args.data)
    except data.DataError as e:
        print(data.format_problems(e.path, e.problems), file=sys.stderr)
        return 1
    counts = df[data.LABEL].value_counts().to_dict()
    print(f"Data OK: {args.data}: {len(df)} rows, {len(df.columns)} columns, "
          f"churned={counts.get(1, 0)} stayed={counts.get(0, 0)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
