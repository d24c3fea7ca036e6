import pytest

from churn import data, validate


def checks(problems):
    return {(p.column, p.check) for p in problems}


def test_valid_data_loads_with_types(raw, data_csv):
    assert data.validate(raw) == []
    df = data.load(data_csv)
    assert len(df) == 240
    assert df["tenure_months"].dtype == "int64"
    assert df["monthly_charges"].dtype == "float64"


def test_missing_and_unexpected_columns(raw):
    broken = raw.drop(columns=["support_calls"]).assign(favourite_colour="blue")
    assert checks(data.validate(broken)) == {
        ("support_calls", "column present"),
        ("favourite_colour", "known column"),
    }


def test_nulls_types_ranges_and_categories_reported_with_line_numbers(raw):
    broken = raw.copy()
    broken.loc[0, "monthly_charges"] = ""          # CSV line 2
    broken.loc[1, "tenure_months"] = "twelve"      # line 3
    broken.loc[2, "tenure_months"] = "-3"          # line 4
    broken.loc[3, "contract"] = "monthly"          # line 5
    broken.loc[4, "churned"] = "0.5"               # line 6
    problems = {(p.column, p.check): p for p in data.validate(broken)}
    assert set(problems) == {
        ("monthly_charges", "not null"),
        ("tenure_months", "type int"),
        ("tenure_months", "range [0, 72]"),
        ("contract", "allowed values"),
        ("churned", "type int"),
    }
    assert problems[("monthly_charges", "not null")].example == "line 2"
    assert "line 3: 'twelve'" in problems[("tenure_months", "type int")].example
    assert "'monthly'" in problems[("contract", "allowed values")].example


def test_duplicate_ids_and_single_class(raw):
    broken = raw.copy()
    broken.loc[10, "customer_id"] = broken.loc[9, "customer_id"]
    broken["churned"] = "0"
    assert checks(data.validate(broken)) == {("customer_id", "unique"), ("churned", "both classes present")}


def test_validate_cli_prints_table_and_exits_1(csv_copy, capsys):
    lines = csv_copy.read_text().splitlines()
    for contract in ("month-to-month", "one-year", "two-year"):
        lines[5] = lines[5].replace(contract, "weekly")
    csv_copy.write_text("\n".join(lines) + "\n")
    assert validate.main(["--data", str(csv_copy)]) == 1
    err = capsys.readouterr().err
    assert "Data validation FAILED" in err
    assert "contract" in err and "allowed values" in err and "line 6: 'weekly'" in err


def test_unreadable_file_is_a_problem_not_a_crash(tmp_path):
    with pytest.raises(data.DataError) as e:
        data.load(tmp_path / "nope.csv")
    assert e.value.problems[0].check == "file exists"


def test_generator_is_deterministic():
    from conftest import make_data
    assert make_data.make_rows(50, seed=7) == make_data.make_rows(50, seed=7)
    assert make_data.make_rows(50, seed=7) != make_data.make_rows(50, seed=8)
