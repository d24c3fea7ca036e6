"""Unit tests run on their own generated data set (same generator as
data/churn.csv, different seed), so they test the code, not the shipped data;
checking the shipped data is the validate-data step's job."""
import csv
import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # so `import churn` works however pytest is started

from churn import data  # noqa: E402

_spec = importlib.util.spec_from_file_location("make_data", ROOT / "data" / "make_data.py")
make_data = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_data)


@pytest.fixture(scope="session")
def data_csv(tmp_path_factory):
    """A valid 240-row CSV in the shipped format."""
    rows = make_data.make_rows(240, seed=1)
    path = tmp_path_factory.mktemp("data") / "churn.csv"
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def raw(data_csv):
    """The test data set as strings (what validate() expects)."""
    return data.read_raw(data_csv)


@pytest.fixture
def csv_copy(data_csv, tmp_path):
    """A writable copy of the test CSV, for tests that break it."""
    path = tmp_path / "churn.csv"
    path.write_text(data_csv.read_text())
    return path
