"""metrics.json (a flat JSON object of numbers) and `::metric name=value` log lines."""
import json
from pathlib import Path


def emit(metrics):
    """Prints one `::metric name=value` line per metric, which Kiln picks up from the log."""
    for name, value in metrics.items():
        print(f"::metric {name}={value}")


def write(path, metrics, merge=False):
    """Writes metrics to path; with merge=True, keeps keys already in the file."""
    path = Path(path)
    current = {}
    if merge and path.is_file():
        current = json.loads(path.read_text())
    current.update(metrics)
    path.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n")
    return current


def read(path):
    return json.loads(Path(path).read_text())
