"""Scores encoded rows with the bundle's model (its exported weights, or a checkpoint's).

    python predict.py BUNDLE_DIR FEEDS.json [--checkpoint CKPT.safetensors] [--out PROBS.json]

FEEDS.json comes from `widedeep encode MODEL.json DATA.csv --out FEEDS.json` (or encode.py).
Prints (or writes) {"predictions": [...], "max_difference": ...}: the largest difference from
widedeep's own predictions in the feeds (probabilities, each class's, or numbers), when the weights are the exported ones.
"""
import argparse
import json
from pathlib import Path

import torch

import model as widedeep


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("bundle")
    parser.add_argument("feeds")
    parser.add_argument("--checkpoint")
    parser.add_argument("--out")
    args = parser.parse_args()
    net = widedeep.load(args.bundle, args.checkpoint)
    net.eval()
    inputs, _, feeds = widedeep.read_feeds(args.feeds, net.structure)
    with torch.no_grad():
        predictions = net.predict(inputs).reshape(-1)
    ours = torch.tensor(feeds["predictions"], dtype=torch.float64)
    # JSON has no NaN: a row whose inputs were not numbers gets null.
    listed = [p if p == p else None for p in predictions.tolist()]
    result = {"predictions": listed, "max_difference": float((predictions - ours).abs().nan_to_num(nan=float("inf")).max())}
    text = json.dumps(result)
    if args.out:
        Path(args.out).write_text(text)
    else:
        print(text)


if __name__ == "__main__":
    main()
