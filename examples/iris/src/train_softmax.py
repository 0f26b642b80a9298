"""Multinomial logistic regression trained by batch gradient descent."""
import argparse
import math
import os

from common import read_rows, write_json
from tributary_step import log_metric

parser = argparse.ArgumentParser()
parser.add_argument("--data", required=True, help="folder with train.csv")
parser.add_argument("--learning-rate", type=float, default=0.1)
parser.add_argument("--epochs", type=int, default=200)
parser.add_argument("--model", required=True, help="folder to write model.json to")
args = parser.parse_args()

train = read_rows(os.path.join(args.data, "train.csv"))
classes = sorted({y for _, y in train})
n_features = len(train[0][0])
weights = [[0.0] * (n_features + 1) for _ in classes]


def probabilities(x):
    scores = [w[-1] + sum(wi * xi for wi, xi in zip(w, x)) for w in weights]
    top = max(scores)
    exps = [math.exp(s - top) for s in scores]
    total = sum(exps)
    return [e / total for e in exps]


for epoch in range(1, args.epochs + 1):
    grads = [[0.0] * (n_features + 1) for _ in classes]
    loss = 0.0
    for x, y in train:
        p = probabilities(x)
        target = classes.index(y)
        loss -= math.log(max(p[target], 1e-12))
        for c in range(len(classes)):
            err = p[c] - (1.0 if c == target else 0.0)
            for i in range(n_features):
                grads[c][i] += err * x[i]
            grads[c][-1] += err
    for c in range(len(classes)):
        for i in range(n_features + 1):
            weights[c][i] -= args.learning_rate * grads[c][i] / len(train)
    if epoch % 50 == 0 or epoch == args.epochs:
        log_metric("loss", loss / len(train), step=epoch)
        print(f"epoch {epoch}: loss {loss / len(train):.4f}")

correct = sum(1 for x, y in train if classes[max(range(len(classes)), key=lambda c: probabilities(x)[c])] == y)
write_json(args.model, "model.json", {"kind": "softmax", "classes": classes, "weights": weights})
log_metric("train_accuracy", correct / len(train))
