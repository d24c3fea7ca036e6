"""Kiln quickstart: predict customer churn from a small tabular data set."""
