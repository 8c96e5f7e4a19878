"""PyTorch reference for `cargo bench --bench figures -- ids`: the same joint Wide & Deep model on a
`widedeep generate ids` file, with sparse embeddings (Embedding(sparse=True) + SparseAdam for the
tables, Adam for the MLP), as PyTorch's own answer to recommender-scale ids.

    python3 benches/ids_torch.py FILE.csv [EPOCHS] [THREADS]

Prints one line per epoch: training samples/s (training steps only) and the test AUC.
"""

import csv
import sys
import time

import torch
from torch import nn

HIDDEN = [64, 32, 16]  # TrainConfig's default hidden layers
BATCH = 256
TEST_FRACTION = 0.3


def embedding_dim(cardinality):
    """The crate's rule: 6·n^¼ rounded up to a power of two, within 4..=32."""
    rule = int(-(-6.0 * cardinality**0.25 // 1))
    return min(max(1 << (rule - 1).bit_length(), 4), 32)


def load(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, rows = rows[0], rows[1:]
    columns = header[:-1]
    vocabularies = [{} for _ in columns]
    ids = [[vocabularies[c].setdefault(row[c], len(vocabularies[c])) for c in range(len(columns))] for row in rows]
    labels = [float(row[-1]) for row in rows]
    return torch.tensor(ids), torch.tensor(labels), [len(v) for v in vocabularies]


class WideDeep(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.offsets = torch.tensor([0] + sizes[:-1]).cumsum(0)
        self.wide = nn.Embedding(sum(sizes), 1, sparse=True)
        nn.init.zeros_(self.wide.weight)
        self.tables = nn.ModuleList(nn.Embedding(n, embedding_dim(n), sparse=True) for n in sizes)
        width = sum(embedding_dim(n) for n in sizes)
        layers = []
        for h in HIDDEN:
            layers += [nn.Linear(width, h), nn.ReLU()]
            width = h
        layers.append(nn.Linear(width, 1))
        self.mlp = nn.Sequential(*layers)

    def forward(self, ids):
        wide = self.wide(ids + self.offsets).sum(dim=1)
        deep = self.mlp(torch.cat([table(ids[:, c]) for c, table in enumerate(self.tables)], dim=1))
        return (wide + deep).squeeze(1)


def auc(scores, labels):
    order = scores.argsort()
    ranks = torch.empty_like(scores)
    ranks[order] = torch.arange(1, len(scores) + 1, dtype=scores.dtype)
    positives = labels.sum()
    negatives = len(labels) - positives
    return ((ranks[labels == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives)).item()


def main():
    path = sys.argv[1]
    epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    torch.set_num_threads(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    torch.manual_seed(100)
    ids, labels, sizes = load(path)
    split = torch.randperm(len(labels))
    test_len = round(len(labels) * TEST_FRACTION)
    test, train = split[:test_len], split[test_len:]
    model = WideDeep(sizes)
    sparse = [p for name, p in model.named_parameters() if name.startswith(("wide", "tables"))]
    dense = [p for name, p in model.named_parameters() if name.startswith("mlp")]
    optimizers = [torch.optim.SparseAdam(sparse, lr=1e-3), torch.optim.Adam(dense, lr=1e-3)]
    loss_fn = nn.BCEWithLogitsLoss()
    for epoch in range(1, epochs + 1):
        order = train[torch.randperm(len(train))]
        started = time.perf_counter()
        for start in range(0, len(order), BATCH):
            batch = order[start : start + BATCH]
            loss = loss_fn(model(ids[batch]), labels[batch])
            for optimizer in optimizers:
                optimizer.zero_grad()
            loss.backward()
            for optimizer in optimizers:
                optimizer.step()
        seconds = time.perf_counter() - started
        with torch.no_grad():
            score = auc(model(ids[test]), labels[test])
        print(f"pytorch epoch {epoch}: {len(train) / seconds:.0f} samples/s, test AUC {score:.4f} ({torch.get_num_threads()} threads)")


if __name__ == "__main__":
    main()
