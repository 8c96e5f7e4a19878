"""The widedeep model in PyTorch, built from a bundle's structure.json, with its weights read from
and written to safetensors under widedeep's own names and shapes (so `widedeep import` takes a
checkpoint back). Needs torch >= 1.13 only.

Tables are EmbeddingBags (sparse gradients where the backend allows: gloo, or one process); a
padded slot (-1 in the inputs) reads the padding row, which is zero and gets no gradient; a
multi-valued column's tokens are averaged over the real ones, as widedeep does.
"""
import json
import struct
from pathlib import Path

import torch
from torch import nn


DTYPES = {"F32": torch.float32, "I64": torch.int64}


def read_safetensors(path):
    """{name: tensor} from a safetensors file of F32 and I64 tensors (8-byte header size, JSON, data)."""
    data = Path(path).read_bytes()
    (size,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + size])
    body = data[8 + size :]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] not in DTYPES:
            raise ValueError(f"{path}: '{name}' is {info['dtype']}, expected F32 or I64")
        start, end = info["data_offsets"]
        raw = bytearray(body[start:end])
        tensor = torch.frombuffer(raw, dtype=DTYPES[info["dtype"]]) if raw else torch.zeros(0, dtype=DTYPES[info["dtype"]])
        tensors[name] = tensor.reshape(info["shape"])
    return tensors


def write_safetensors(path, tensors):
    """Writes {name: tensor} as float32 safetensors, names sorted, data 8-byte aligned."""
    header, chunks, offset = {}, [], 0
    for name in sorted(tensors):
        raw = _bytes(tensors[name])
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    Path(path).write_bytes(struct.pack("<Q", len(text)) + text + b"".join(chunks))


def _bytes(tensor):
    """Little-endian float32 bytes (numpy is one of torch's own dependencies)."""
    return tensor.detach().to(torch.float32).contiguous().cpu().reshape(-1).numpy().astype("<f4").tobytes()


class WideDeep(nn.Module):
    """Wide (a linear model over ids) plus deep (an MLP over embeddings and numbers), summed at the logit."""

    def __init__(self, structure, sparse=True):
        super().__init__()
        self.structure = structure
        # One output per class of a multiclass label, else one (a logit, or a standard score).
        self.outputs = structure.get("outputs", 1)
        self.inputs = structure["inputs"]
        mode = structure["mode"]
        self.has_wide, self.has_deep = mode != "deep", mode != "wide"
        self.wide_names = [i["name"] for i in self.inputs if i["part"] == "wide"]
        self.number_names = [i["name"] for i in self.inputs if i["part"] == "number"]
        if self.has_wide:
            size = structure["wide_size"]
            self.wide = nn.EmbeddingBag(size + 1, self.outputs, mode="sum", sparse=sparse, padding_idx=size)
        width = 0
        if self.has_deep:
            self.deep = nn.ModuleList()
            for group, inputs in zip(structure["deep"], structure["deep_inputs"]):
                size, dim = group["size"], group["dim"]
                self.deep.append(nn.EmbeddingBag(size + 1, dim, mode="mean", sparse=sparse, padding_idx=size))
                width += dim * len(inputs)
            width += len(self.number_names)
            layers = []
            for size in structure["hidden"]:
                layers.append(nn.Linear(width, size))
                width = size
            self.hidden = nn.ModuleList(layers)
            self.output = nn.Linear(width, self.outputs, bias=False)
        self.bias = nn.Parameter(torch.zeros(self.outputs))

    @staticmethod
    def _bag(table, ids):
        """ids [rows] or [rows, slots] (-1 pads) through an EmbeddingBag: [rows, dim]."""
        ids = ids.reshape(ids.shape[0], -1)
        ids = torch.where(ids < 0, torch.full_like(ids, table.padding_idx), ids)
        return table(ids)

    def forward(self, inputs):
        """The logit of each row ([rows]; [rows, classes] for a multiclass label), from {input
        name: tensor} as `widedeep encode` or encode.py give them."""
        logit = self.bias.expand(next(iter(inputs.values())).shape[0], self.outputs).clone()
        if self.has_wide:
            ids = torch.cat([inputs[n].reshape(inputs[n].shape[0], -1) for n in self.wide_names], dim=1)
            logit = logit + self._bag(self.wide, ids)
        if self.has_deep:
            parts = []
            for table, members in zip(self.deep, self.structure["deep_inputs"]):
                parts.extend(self._bag(table, inputs[self.inputs[m]["name"]]) for m in members)
            parts.extend(inputs[n].reshape(-1, 1).to(torch.float32) for n in self.number_names)
            x = torch.cat(parts, dim=1)
            for layer in self.hidden:
                x = torch.relu(layer(x))
            logit = logit + self.output(x)
        return logit.reshape(-1) if self.outputs == 1 else logit

    def predict(self, inputs):
        """What the model says of each row, in the label's terms: the probability of the positive
        class, each class's probability ([rows, classes]), or a regression's number in its units."""
        logit = self(inputs).to(torch.float64)
        task, target = self.structure.get("task", "binary"), self.structure.get("target", {})
        if task == "multiclass":
            return torch.softmax(logit, dim=1)
        if task == "regression":
            return target["mean"] + target["sd"] * logit
        return torch.sigmoid(logit)

    def loss(self, logit, targets):
        """The training loss of the task: cross-entropy (yes/no or several classes) or the squared
        error of the standardized number."""
        task = self.structure.get("task", "binary")
        if task == "multiclass":
            return nn.functional.cross_entropy(logit, targets.long())
        if task == "regression":
            return nn.functional.mse_loss(logit, targets)
        return nn.functional.binary_cross_entropy_with_logits(logit, targets)

    def load_widedeep(self, tensors):
        """Takes widedeep's parameters ({name: tensor} in its names and shapes)."""
        with torch.no_grad():
            if self.has_wide:
                self.wide.weight[:-1].copy_(tensors["wide"])
            if self.has_deep:
                for g, table in enumerate(self.deep):
                    table.weight[:-1].copy_(tensors[f"deep.{g}"])
                for i, layer in enumerate(self.hidden):
                    layer.weight.copy_(tensors[f"hidden.{i}.weight"].t())
                    layer.bias.copy_(tensors[f"hidden.{i}.bias"].reshape(-1))
                self.output.weight.copy_(tensors["output.weight"].t())
            self.bias.copy_(tensors["bias"].reshape(-1))

    def widedeep_tensors(self):
        """This model's parameters in widedeep's names and shapes (for a checkpoint it can import)."""
        out = {"bias": self.bias.detach().reshape(-1, 1)}
        if self.has_wide:
            out["wide"] = self.wide.weight.detach()[:-1]
        if self.has_deep:
            for g, table in enumerate(self.deep):
                out[f"deep.{g}"] = table.weight.detach()[:-1]
            for i, layer in enumerate(self.hidden):
                out[f"hidden.{i}.weight"] = layer.weight.detach().t()
                out[f"hidden.{i}.bias"] = layer.bias.detach().reshape(-1, 1)
            out["output.weight"] = self.output.weight.detach().t()
        return out


def load(bundle, weights=None, sparse=True):
    """The bundle's model with its exported weights (or a checkpoint's)."""
    bundle = Path(bundle)
    structure = json.loads((bundle / "structure.json").read_text())
    model = WideDeep(structure, sparse=sparse)
    model.load_widedeep(read_safetensors(weights or bundle / "weights.safetensors"))
    return model


def read_shards(folder, structure, rank=0, world=1):
    """{input name: tensor} and the targets of this rank's shards (every `world`-th, from `rank`)
    in a folder `widedeep encode --shard-rows` wrote (one manifest per part); shards encoded for
    another model are refused."""
    folder = Path(folder)
    manifests = sorted(folder.glob("manifest-*.json"))
    if not manifests:
        raise SystemExit(f"{folder} holds no manifest-*.json: write shards with widedeep encode --shard-rows")
    shards = []
    for path in manifests:
        manifest = json.loads(path.read_text())
        if manifest["encoder"] != structure["encoder"]:
            raise SystemExit(f"{path.name}: its shards were encoded for another model (encoder {manifest['encoder']}, this bundle's {structure['encoder']})")
        shards.extend(folder / name for name, _ in manifest["shards"])
    mine = [read_safetensors(path) for path in shards[rank::world]]
    if not mine:
        raise SystemExit(f"{len(shards)} shards for {world} ranks: rank {rank} has none; write smaller shards")
    joined = {name: torch.cat([s[name] for s in mine]) for name in mine[0]}
    return joined, joined.pop("targets", None)


def read_feeds(path, structure):
    """{input name: tensor} and the targets (or None) from a `widedeep encode` JSON file written
    for this model (its encoder's fingerprint) with every input the model reads."""
    feeds = json.loads(Path(path).read_text())
    if feeds.get("encoder", structure["encoder"]) != structure["encoder"]:
        raise SystemExit(f"{path} was encoded for another model (encoder {feeds['encoder']}, this bundle's {structure['encoder']}): encode it with this model")
    missing = [i["name"] for i in structure["inputs"] if i["name"] not in {f["name"] for f in feeds["inputs"]}]
    if missing:
        raise SystemExit(f"{path} lacks the inputs {', '.join(missing)}: encode it with this model")
    dtypes = {"int64": torch.int64, "float32": torch.float32}
    inputs = {f["name"]: torch.tensor(f["values"], dtype=dtypes[f["dtype"]]).reshape(f["shape"]) for f in feeds["inputs"]}
    targets = feeds.get("targets")
    return inputs, None if targets is None else torch.tensor(targets, dtype=torch.float32), feeds
