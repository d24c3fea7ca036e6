"""Kiln churn-service sample: train a churn model and serve it over HTTP."""
