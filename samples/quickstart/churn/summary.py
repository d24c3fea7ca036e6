"""Prints metrics.json as a table, marking the gated metric.

    /usr/bin/python3 -m churn.summary --metrics metrics.json --min-accuracy 0.8
"""
import argparse
import sys

from churn import metrics


def main(argv=None):
    parser = argparse.ArgumentParser(prog="churn.summary", description="Summarise metrics.json.")
    parser.add_argument("--metrics", default="metrics.json")
    parser.add_argument("--min-accuracy", type=float, default=None)
    args = parser.parse_args(argv)
    values = metrics.read(args.metrics)
    width = max(len(k) for k in values)
    for name, value in sorted(values.items()):
        note = ""
        if name == "accuracy" and args.min_accuracy is not None:
            note = f"   (gate: >= {args.min_accuracy})"
        print(f"  {name:<{width}}  {value}{note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
