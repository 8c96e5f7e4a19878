"""The reference encoder of a widedeep model, in Python with numpy only: raw CSV rows in, the
exported model's inputs out, with ids identical to widedeep's (`widedeep encode`).

    python encode.py SPEC.json DATA.csv OUT.json [--delimiter ';']

SPEC.json comes from `widedeep export MODEL.json --spec SPEC.json`; OUT.json has the shape
`widedeep encode` writes: {"rows": n, "inputs": [{"name", "shape", "dtype", "values"}]}.
In a program, `Encoder(spec).encode(rows)` takes a list of {column: text} dicts and returns
{input name: numpy array}, ready for ONNX Runtime or the PyTorch bundle's model.
"""
import codecs
import csv
import io
import json
import re
import sys
from bisect import bisect_right

import numpy as np

FORMAT = "widedeep-encoder-1"
MASK = (1 << 64) - 1
MISSING = {"", "?", "na", "n/a", "nan", "null", "none"}
# Rust's f64 grammar (what widedeep parses); non-finite results count as not a number.
NUMBER = re.compile(r"[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|inf|infinity|nan)", re.IGNORECASE)


def mix(z):
    """widedeep's 64-bit mixer (SplitMix64's finalizer), wrapping."""
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def is_missing(cell):
    return cell.lower() in MISSING


def parse_number(cell):
    if not NUMBER.fullmatch(cell):
        return None
    x = float(cell)
    return x if np.isfinite(x) else None


class Field:
    """One fitted column: its ids (and, for numbers, the standardized value) for a cell."""

    def __init__(self, spec, max_standardized):
        self.column = spec["column"]
        self.encoding = spec["encoding"]
        self.max_standardized = max_standardized
        kind = self.encoding["type"]
        if kind == "vocab":
            self.lookup = {v: 1 + i for i, v in enumerate(self.encoding["values"])}
        elif kind == "tokens":
            self.lookup = {t: 1 + i for i, t in enumerate(self.encoding["tokens"])}

    def ids(self, cell):
        kind = self.encoding["type"]
        if is_missing(cell):
            return [0]
        if kind == "vocab":
            return [self.lookup.get(cell, 0)]
        if kind == "tokens":
            tokens = [t.strip() for t in cell.split("|")]
            ids = [self.lookup.get(t, 0) for t in tokens if t][: self.encoding["max_tokens"]]
            return ids or [0]
        x = parse_number(cell)
        return [0] if x is None else [1 + bisect_right(self.encoding["edges"], x)]

    def value(self, cell):
        x = None if is_missing(cell) else parse_number(cell)
        if x is None:
            return 0.0
        mean, std = self.encoding["mean"], self.encoding["std"]
        z = (x - mean) / std
        if not np.isfinite(z):
            z = x / std - mean / std
        bound = self.max_standardized
        return float(np.float32(min(max(z, -bound), bound)))


def cross_ids(cross, parts, buckets):
    """The hashed buckets of every combination of the parts' ids, the first part varying slowest."""
    hashes = [mix(0x5EED ^ cross)]
    for part in parts:
        hashes = [mix(h ^ (i + 1)) for h in hashes for i in part]
    return [h % buckets for h in hashes]


class Encoder:
    """A spec's fields and inputs; `encode` turns rows into the model's inputs."""

    def __init__(self, spec):
        if spec.get("format") != FORMAT:
            raise ValueError(f"not a widedeep encoder spec: format {spec.get('format')!r}, expected {FORMAT!r}")
        self.spec = spec
        self.fields = [Field(f, spec["max_standardized"]) for f in spec["fields"]]

    def input_ids(self, inp, cells):
        """One row's ids for an id input (offset added; -1 pads up to its slots)."""
        parts = [self.fields[f].ids(cells[f]) for f in inp["fields"]]
        if inp.get("cross") is not None:
            ids = cross_ids(inp["cross"], parts, self.spec["hash_buckets"])
        else:
            ids = parts[0]
        ids = [inp["offset"] + i for i in ids]
        slots = inp["slots"]
        if slots is None:
            return ids[0]
        return (ids + [-1] * slots)[:slots]

    def encode(self, rows):
        """{input name: numpy array} for `rows`, a list of {column: cell text} dicts."""
        columns = [f.column for f in self.fields]
        missing = [c for c in columns if rows and c not in rows[0]]
        if missing:
            raise ValueError(f"the rows lack the columns {missing}")
        cells = [[str(row[c]).strip() for c in columns] for row in rows]
        out = {}
        for inp in self.spec["inputs"]:
            if inp["part"] == "number":
                field = self.fields[inp["fields"][0]]
                out[inp["name"]] = np.array([field.value(r[inp["fields"][0]]) for r in cells], dtype=np.float32)
            else:
                out[inp["name"]] = np.array([self.input_ids(inp, r) for r in cells], dtype=np.int64)
        return out


# Windows-1252's five undefined bytes read as the control characters of the same number (WHATWG).
codecs.register_error("widedeep-c1", lambda e: (chr(e.object[e.start]), e.start + 1))


def decode(data):
    """The text of a file as widedeep reads it: UTF-8 (a BOM skipped), UTF-16 with a BOM, else Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="widedeep-c1")


def read_rows(path, delimiter=None):
    with open(path, "rb") as f:
        text = decode(f.read())
    if delimiter is None:
        header = text.split("\n", 1)[0]
        delimiter = max([",", ";", "\t", "|"], key=header.count)
    return list(csv.DictReader(io.StringIO(text), delimiter=delimiter))


def main(argv):
    delimiter = None
    if "--delimiter" in argv:
        at = argv.index("--delimiter")
        delimiter = argv[at + 1]
        argv = argv[:at] + argv[at + 2:]
    spec_path, data_path, out_path = argv
    with open(spec_path) as f:
        encoder = Encoder(json.load(f))
    rows = read_rows(data_path, delimiter)
    arrays = encoder.encode(rows)
    inputs = [
        {"name": name, "shape": list(a.shape), "dtype": "int64" if a.dtype == np.int64 else "float32", "values": a.ravel().tolist()}
        for name, a in arrays.items()
    ]
    with open(out_path, "w") as f:
        json.dump({"rows": len(rows), "inputs": inputs}, f)


if __name__ == "__main__":
    main(sys.argv[1:])
