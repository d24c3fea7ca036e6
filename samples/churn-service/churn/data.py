"""Loading, validating and splitting data/churn.csv.

The schema below is the contract between the data and the model. validate()
never raises on bad data: it returns a list of Problems, one per (column,
check), so a single run reports everything that is wrong.
"""
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sklearn.model_selection import train_test_split

LABEL = "churned"
ID = "customer_id"

# column -> kind and allowed values ("int"/"float" with inclusive range, "category" with a set)
SCHEMA = {
    "customer_id": {"kind": "int", "min": 1, "max": None},
    "tenure_months": {"kind": "int", "min": 0, "max": 72},
    "monthly_charges": {"kind": "float", "min": 0.0, "max": 500.0},
    "support_calls": {"kind": "int", "min": 0, "max": 50},
    "contract": {"kind": "category", "values": ["month-to-month", "one-year", "two-year"]},
    "paperless_billing": {"kind": "int", "min": 0, "max": 1},
    "churned": {"kind": "int", "min": 0, "max": 1},
}
NUMERIC_FEATURES = ["tenure_months", "monthly_charges", "support_calls", "paperless_billing"]
CATEGORICAL_FEATURES = ["contract"]
FEATURES = NUMERIC_FEATURES + CATEGORICAL_FEATURES
MIN_ROWS = 50
NULL_TOKENS = {"", "na", "n/a", "nan", "null", "none"}


class DataError(Exception):
    """The data failed validation; .problems says why."""

    def __init__(self, path, problems):
        super().__init__(f"{path}: {len(problems)} data problem(s)")
        self.path = path
        self.problems = problems


@dataclass
class Problem:
    column: str
    check: str
    rows: int  # how many rows fail the check (0 when it is about the whole file)
    example: str


def _lines(index, limit=3):
    """CSV line numbers (header is line 1) for a few row positions."""
    shown = ", ".join(str(i + 2) for i in list(index)[:limit])
    more = f" (+{len(index) - limit} more)" if len(index) > limit else ""
    return f"line {shown}{more}" if len(index) == 1 else f"lines {shown}{more}"


def read_raw(path):
    """Reads the CSV with every cell as a string, so validate() sees exactly what is in the file."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)


def validate(raw):
    """Returns a list of Problems for a DataFrame of strings (see read_raw); empty means valid."""
    problems = []
    missing = [c for c in SCHEMA if c not in raw.columns]
    for c in missing:
        problems.append(Problem(c, "column present", 0, "column is missing from the header"))
    for c in raw.columns:
        if c not in SCHEMA:
            problems.append(Problem(c, "known column", 0, f"unexpected column '{c}'"))
    if len(raw) < MIN_ROWS:
        problems.append(Problem("*", f"at least {MIN_ROWS} rows", 0, f"file has {len(raw)} rows"))

    for column, rule in SCHEMA.items():
        if column in missing:
            continue
        text = raw[column].astype(str).str.strip()
        null = text.str.lower().isin(NULL_TOKENS)
        if null.any():
            problems.append(Problem(column, "not null", int(null.sum()), _lines(raw.index[null])))
        present = text[~null]
        if rule["kind"] == "category":
            bad = ~present.isin(rule["values"])
            if bad.any():
                first = present[bad].iloc[0]
                problems.append(Problem(column, "allowed values", int(bad.sum()),
                                        f"{_lines(present.index[bad])}: '{first}' not in {rule['values']}"))
            continue
        numbers = pd.to_numeric(present, errors="coerce")
        if rule["kind"] == "int":
            bad_type = numbers.isna() | (numbers != numbers.round())
        else:
            bad_type = numbers.isna()
        if bad_type.any():
            first = present[bad_type].iloc[0]
            problems.append(Problem(column, f"type {rule['kind']}", int(bad_type.sum()),
                                    f"{_lines(present.index[bad_type])}: '{first}'"))
        numbers = numbers[~bad_type]
        low, high = rule.get("min"), rule.get("max")
        out = pd.Series(False, index=numbers.index)
        if low is not None:
            out |= numbers < low
        if high is not None:
            out |= numbers > high
        if out.any():
            bounds = f"[{'-inf' if low is None else low}, {'inf' if high is None else high}]"
            where = numbers.index[out]
            problems.append(Problem(column, f"range {bounds}", int(out.sum()),
                                    f"{_lines(where)}: {present[where[0]]}"))

    if ID not in missing:
        dup = raw[ID].duplicated(keep="first") & ~raw[ID].str.strip().str.lower().isin(NULL_TOKENS)
        if dup.any():
            problems.append(Problem(ID, "unique", int(dup.sum()),
                                    f"{_lines(raw.index[dup])}: '{raw[ID][dup].iloc[0]}'"))
    if LABEL not in missing and len(raw):
        classes = set(raw[LABEL].str.strip()) & {"0", "1"}
        if len(classes) < 2:
            problems.append(Problem(LABEL, "both classes present", 0,
                                    f"only {sorted(classes) or 'no valid'} labels found"))
    return problems


def format_problems(path, problems):
    """A plain-text table of problems, for build logs."""
    header = ("column", "check", "rows", "details")
    rows = [(p.column, p.check, str(p.rows) if p.rows else "-", p.example) for p in problems]
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(3)]
    out = [f"Data validation FAILED for {path}: {len(problems)} problem(s)", ""]
    for r in [header, tuple("-" * w for w in widths) + ("-" * 7,)] + rows:
        out.append("  " + "  ".join([r[0].ljust(widths[0]), r[1].ljust(widths[1]),
                                     r[2].rjust(widths[2]), r[3]]).rstrip())
    return "\n".join(out)


def load(path):
    """Reads and validates the CSV; returns a typed DataFrame or raises DataError."""
    path = Path(path)
    if not path.is_file():
        raise DataError(path, [Problem("*", "file exists", 0, f"no such file: {path}")])
    try:
        raw = read_raw(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
        message = " ".join(str(e).split())
        raise DataError(path, [Problem("*", "readable CSV", 0, message)]) from None
    problems = validate(raw)
    if problems:
        raise DataError(path, problems)
    df = raw.apply(lambda s: s.str.strip())
    for column, rule in SCHEMA.items():
        if rule["kind"] == "int":
            df[column] = pd.to_numeric(df[column]).astype("int64")
        elif rule["kind"] == "float":
            df[column] = pd.to_numeric(df[column]).astype("float64")
    return df


def split(df, seed, test_size=0.25):
    """The one train/test split every step uses: same seed, same rows."""
    X, y = df[FEATURES], df[LABEL]
    return train_test_split(X, y, test_size=test_size, random_state=seed, stratify=y)
