"""k-nearest-neighbours classifier: the 'model' is the training set plus k."""
import argparse
import os

from common import accuracy, read_rows, write_json
from tributary_step import log_metric

parser = argparse.ArgumentParser()
parser.add_argument("--data", required=True, help="folder with train.csv")
parser.add_argument("--k", type=int, default=5)
parser.add_argument("--model", required=True, help="folder to write model.json to")
args = parser.parse_args()

train = read_rows(os.path.join(args.data, "train.csv"))


def predict(x, k=args.k):
    nearest = sorted(train, key=lambda r: sum((a - b) ** 2 for a, b in zip(x, r[0])))[:k]
    votes = {}
    for _, label in nearest:
        votes[label] = votes.get(label, 0) + 1
    return max(sorted(votes), key=votes.get)


# Leave-one-out accuracy on the training set, as a training-time signal.
loo = sum(1 for i, (x, y) in enumerate(train) if predict(x, args.k + 1) == y) / len(train)
write_json(args.model, "model.json", {"kind": "knn", "k": args.k, "train": [[x, y] for x, y in train]})
print(f"k-NN with k={args.k}: leave-one-out training accuracy {loo:.3f}")
log_metric("train_accuracy", loo)
log_metric("k", args.k)
