"""Trains the bundle's model further with PyTorch's DistributedDataParallel: one process, or many
on one or many machines. Each rank trains on its own share of the rows; gradients are averaged.

One machine, one process:
    python train.py BUNDLE_DIR --data TRAIN.json --test TEST.json --epochs 2 --out CKPT_DIR
N processes on this machine (torchrun, or the variables it sets, one launch per process):
    torchrun --nproc_per_node 2 train.py BUNDLE_DIR --data ... --out ...
    MASTER_ADDR=127.0.0.1 MASTER_PORT=29500 WORLD_SIZE=2 RANK=0 python train.py ...   (and RANK=1)
N machines: torchrun --nnodes N --node-rank I --rdzv-endpoint HOST:PORT --nproc_per_node K train.py ...

TRAIN.json and TEST.json come from `widedeep encode MODEL.json DATA.csv --out FILE.json` on files
with the label column; --data may also be a folder of shards (`widedeep encode ... --out DIR
--shard-rows N [--part I/N]`, each machine encoding its own part): each rank reads its own shards. Backend: NCCL on GPUs (tables then take dense gradients), else gloo
(sparse gradients for the tables, lazy Adam on them as widedeep's sparse updates). One JSON line
per epoch (rank 0): train loss, test loss, AUC, accuracy; a checkpoint per epoch in widedeep's
names (`widedeep import CKPT.safetensors --model MODEL.json --out trained.json` takes it back);
and per rank, a checksum of its parameters (equal on every rank).
"""
import argparse
import json
import os
import time
from pathlib import Path

import torch
import torch.distributed as dist
from torch import nn

import model as widedeep


def auc(scores, targets):
    """ROC AUC with ties given average ranks (as widedeep computes it)."""
    order = torch.argsort(scores)
    s, t = scores[order].tolist(), targets[order].tolist()
    rank_sum, i = 0.0, 0
    while i < len(s):
        j = i
        while j + 1 < len(s) and s[j + 1] == s[i]:
            j += 1
        average = (i + j) / 2 + 1
        rank_sum += average * sum(t[i : j + 1])
        i = j + 1
    positives = sum(t)
    negatives = len(t) - positives
    if positives == 0 or negatives == 0:
        return float("nan")
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def evaluate(net, inputs, targets):
    """The test figures of the task: loss, AUC and accuracy (yes/no); loss and accuracy (several
    classes); loss (standardized), RMSE in the label's units and R² (a number)."""
    net.eval()
    with torch.no_grad():
        logits = net(inputs)
    net.train()
    loss = net.loss(logits, targets).item()
    task = net.structure.get("task", "binary")
    if task == "multiclass":
        return {"test_loss": loss, "test_accuracy": (logits.argmax(dim=1) == targets.long()).float().mean().item()}
    if task == "regression":
        sd = net.structure["target"]["sd"]
        residual = (logits - targets).to(torch.float64)
        r2 = 1 - (residual ** 2).sum() / ((targets.to(torch.float64) - targets.to(torch.float64).mean()) ** 2).sum()
        return {"test_loss": loss, "test_rmse": float(sd * (residual ** 2).mean().sqrt()), "test_r2": float(r2)}
    accuracy = ((logits > 0).float() == targets).float().mean().item()
    return {"test_loss": loss, "test_auc": auc(logits, targets), "test_accuracy": accuracy}


def rows_of_rank(data, structure, rank, world):
    """This rank's rows: its own shards of a shard folder, or every `world`-th row of a JSON feeds file."""
    if Path(data).is_dir():
        return widedeep.read_shards(data, structure, rank, world)
    inputs, targets, _ = widedeep.read_feeds(data, structure)
    inputs = {name: tensor[rank::world] for name, tensor in inputs.items()}
    return inputs, None if targets is None else targets[rank::world]


def rows_of(inputs, rows):
    return {name: tensor[rows] for name, tensor in inputs.items()}


def optimizers(net, lr, sparse):
    """Adam on the dense parameters; SparseAdam (lazy: only the rows a batch used) on sparse tables."""
    tables = [m.weight for m in net.modules() if isinstance(m, nn.EmbeddingBag)] if sparse else []
    ids = {id(p) for p in tables}
    dense = [p for p in net.parameters() if id(p) not in ids]
    out = [torch.optim.Adam(dense, lr=lr)]
    if tables:
        out.append(torch.optim.SparseAdam(tables, lr=lr))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("bundle")
    parser.add_argument("--data", required=True)
    parser.add_argument("--test")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    cuda = torch.cuda.is_available()
    backend = "nccl" if cuda else "gloo"
    if world > 1:
        dist.init_process_group(backend, init_method="env://", rank=rank, world_size=world)
    device = torch.device(f"cuda:{int(os.environ.get('LOCAL_RANK', '0'))}" if cuda else "cpu")
    sparse = backend == "gloo"
    torch.manual_seed(args.seed)

    net = widedeep.load(args.bundle, sparse=sparse).to(device)
    trained = nn.parallel.DistributedDataParallel(net) if world > 1 else net
    inputs, targets = rows_of_rank(args.data, net.structure, rank, world)
    if targets is None:
        raise SystemExit(f"{args.data} has no targets: encode a file with the label column")
    test = widedeep.read_feeds(args.test, net.structure)[:2] if args.test else None
    steps = optimizers(net, args.lr, sparse)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    # Every rank steps on as many rows as the smallest share (equal batch counts keep DDP in step).
    share = torch.tensor([targets.shape[0]])
    if world > 1:
        dist.all_reduce(share, op=dist.ReduceOp.MIN)
    share = int(share)
    for epoch in range(1, args.epochs + 1):
        order = torch.randperm(targets.shape[0], generator=torch.Generator().manual_seed(args.seed + epoch * world + rank))
        mine = order[:share]
        total, batches, started = 0.0, 0, time.perf_counter()
        for start in range(0, share, args.batch):
            batch = mine[start : start + args.batch]
            logits = trained({k: v.to(device) for k, v in rows_of(inputs, batch).items()})
            loss = net.loss(logits, targets[batch].to(device))
            for step in steps:
                step.zero_grad()
            if not torch.isfinite(loss):
                raise SystemExit(f"the loss became {loss.item()} at epoch {epoch}, batch {batches + 1}: check the inputs for non-numbers, or lower --lr (now {args.lr})")
            loss.backward()
            for step in steps:
                step.step()
            total, batches = total + loss.item(), batches + 1
        mean = torch.tensor([total / max(batches, 1)])
        if world > 1:
            dist.all_reduce(mean)
            mean /= world
        seconds = time.perf_counter() - started
        line = {"epoch": epoch, "train_loss": mean.item(), "seconds": seconds, "samples_per_second": share * world / seconds}
        if test is not None:
            line.update(evaluate(net, {k: v.to(device) for k, v in test[0].items()}, test[1].to(device)))
        if rank == 0:
            print(json.dumps(line), flush=True)
            widedeep.write_safetensors(out / f"epoch-{epoch}.safetensors", net.widedeep_tensors())
            widedeep.write_safetensors(out / "last.safetensors", net.widedeep_tensors())
    checksum = sum(float(p.detach().double().sum()) for p in net.parameters())
    print(json.dumps({"rank": rank, "world": world, "checksum": checksum}), flush=True)
    if world > 1:
        dist.barrier()
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
