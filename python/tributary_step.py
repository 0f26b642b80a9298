"""Tiny helper for Python steps run by Tributary (standard library only).

    from tributary_step import log_metric, output_path
    log_metric("accuracy", 0.93)
    log_metric("loss", 0.21, step=3)

Metrics are appended as JSON lines to the file named by TRIBUTARY_METRICS_FILE — the
language-neutral contract any step can use without this helper. Outside Tributary
(the variable is unset) metrics are printed to stderr instead, so scripts still run.
"""
import json
import os
import sys


def log_metric(name, value, step=None):
    """Record a numeric or text metric for this step run."""
    if not isinstance(name, str) or not name:
        raise ValueError("metric name must be a non-empty string")
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise TypeError("metric value must be a number or a string")
    record = {"name": name, "value": value}
    if step is not None:
        record["step"] = int(step)
    line = json.dumps(record)
    target = os.environ.get("TRIBUTARY_METRICS_FILE")
    if not target:
        print(f"metric {line}", file=sys.stderr)
        return
    with open(target, "a", encoding="utf-8") as f:
        f.write(line + "\n")


def output_path(name):
    """Local path of the step output `name` (TRIBUTARY_OUTPUT_<NAME>)."""
    value = os.environ.get(f"TRIBUTARY_OUTPUT_{name.upper().replace('-', '_')}")
    if value is None:
        raise KeyError(f"this step has no output named {name!r}")
    return value
