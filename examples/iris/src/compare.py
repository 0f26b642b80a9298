"""Evaluate both models on the held-out test set and keep the best one."""
import argparse
import os
import shutil

from common import accuracy, read_json, read_rows, write_json
from tributary_step import log_metric

parser = argparse.ArgumentParser()
parser.add_argument("--data", required=True, help="folder with test.csv")
parser.add_argument("--knn", required=True, help="folder with the k-NN model")
parser.add_argument("--softmax", required=True, help="folder with the softmax model")
parser.add_argument("--best", required=True, help="folder to copy the winning model to")
args = parser.parse_args()

test = read_rows(os.path.join(args.data, "test.csv"))


def knn_predictor(model):
    train = model["train"]

    def predict(x):
        nearest = sorted(train, key=lambda r: sum((a - b) ** 2 for a, b in zip(x, r[0])))[: model["k"]]
        votes = {}
        for _, label in nearest:
            votes[label] = votes.get(label, 0) + 1
        return max(sorted(votes), key=votes.get)

    return predict


def softmax_predictor(model):
    def predict(x):
        scores = [w[-1] + sum(wi * xi for wi, xi in zip(w, x)) for w in model["weights"]]
        return model["classes"][max(range(len(scores)), key=lambda c: scores[c])]

    return predict


candidates = {
    "knn": (args.knn, knn_predictor(read_json(args.knn, "model.json"))),
    "softmax": (args.softmax, softmax_predictor(read_json(args.softmax, "model.json"))),
}
scores = {name: accuracy(predict, test) for name, (_, predict) in candidates.items()}
for name, score in scores.items():
    log_metric(f"test_accuracy_{name}", score)
    print(f"{name}: test accuracy {score:.3f}")

best = max(sorted(scores), key=lambda n: scores[n])
os.makedirs(args.best, exist_ok=True)
shutil.copy(os.path.join(candidates[best][0], "model.json"), os.path.join(args.best, "model.json"))
write_json(args.best, "report.json", {"best": best, "test_accuracy": scores, "test_rows": len(test)})
log_metric("best_test_accuracy", scores[best])
print(f"best model: {best} (test accuracy {scores[best]:.3f})")
