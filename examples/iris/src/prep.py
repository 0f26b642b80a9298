"""Split the raw data into train and test sets (stratified, seeded) and standardise features."""
import argparse
import os
import random
import statistics

from common import FEATURES, read_rows, write_json, write_rows
from tributary_step import log_metric

parser = argparse.ArgumentParser()
parser.add_argument("--raw", required=True, help="CSV file with the raw measurements")
parser.add_argument("--test-fraction", type=float, default=0.3)
parser.add_argument("--seed", type=int, default=7)
parser.add_argument("--out", required=True, help="folder for train.csv, test.csv, scaler.json")
args = parser.parse_args()

rows = read_rows(args.raw)
rng = random.Random(args.seed)
train, test = [], []
for label in sorted({y for _, y in rows}):
    group = [r for r in rows if r[1] == label]
    rng.shuffle(group)
    cut = round(len(group) * args.test_fraction)
    test += group[:cut]
    train += group[cut:]

means = [statistics.fmean(x[i] for x, _ in train) for i in range(len(FEATURES))]
stdevs = [statistics.pstdev(x[i] for x, _ in train) or 1.0 for i in range(len(FEATURES))]


def scale(x):
    return [(v - m) / s for v, m, s in zip(x, means, stdevs)]


os.makedirs(args.out, exist_ok=True)
write_rows(os.path.join(args.out, "train.csv"), [(scale(x), y) for x, y in train])
write_rows(os.path.join(args.out, "test.csv"), [(scale(x), y) for x, y in test])
write_json(args.out, "scaler.json", {"features": FEATURES, "means": means, "stdevs": stdevs})
print(f"prepared {len(train)} training rows and {len(test)} test rows")
log_metric("train_rows", len(train))
log_metric("test_rows", len(test))
