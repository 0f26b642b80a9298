"""Small helpers shared by the example's steps (standard library only)."""
import csv
import json
import os

FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]


def read_rows(path):
    """Rows of a CSV file as (features, label) pairs."""
    with open(path, newline="", encoding="utf-8") as f:
        return [([float(r[k]) for k in FEATURES], r["species"]) for r in csv.DictReader(f)]


def write_rows(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(FEATURES + ["species"])
        for x, y in rows:
            w.writerow([f"{v:.6f}" for v in x] + [y])


def write_json(folder, name, value):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "w", encoding="utf-8") as f:
        json.dump(value, f, indent=2, sort_keys=True)


def read_json(folder, name):
    with open(os.path.join(folder, name), encoding="utf-8") as f:
        return json.load(f)


def accuracy(predict, rows):
    return sum(1 for x, y in rows if predict(x) == y) / len(rows)
