"""Runs an exported model in ONNX Runtime on the inputs `widedeep encode` wrote, and prints how
far its predictions (probabilities, or a regression's numbers) are from widedeep's own (JSON on one line), for tests/interop.rs.

    python onnx_check.py MODEL.onnx FEEDS.json
"""
import json
import sys

import numpy as np
import onnx
import onnxruntime as ort

DTYPES = {"int64": np.int64, "float32": np.float32}


def main(model_path, feeds_path):
    model = onnx.load(model_path)
    onnx.checker.check_model(model, full_check=True)
    with open(feeds_path) as f:
        feeds = json.load(f)
    inputs = {
        feed["name"]: np.asarray(feed["values"], dtype=DTYPES[feed["dtype"]]).reshape(feed["shape"])
        for feed in feeds["inputs"]
    }
    session = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])
    outputs = [o.name for o in session.get_outputs()]
    logit, prediction = session.run(outputs, inputs)
    ours = np.asarray(feeds["predictions"], dtype=np.float64)
    meta = {p.key: p.value for p in model.metadata_props}
    if outputs[1] == "probability" and logit.ndim == 2:
        shifted = np.exp(logit - logit.max(axis=1, keepdims=True))
        expected = shifted / shifted.sum(axis=1, keepdims=True)
    elif outputs[1] == "probability":
        expected = 1 / (1 + np.exp(-logit))
    else:
        scale = json.loads(meta["widedeep.target"])
        expected = scale["mean"] + scale["sd"] * logit.astype(np.float64)
    print(json.dumps({
        "rows": int(prediction.shape[0]),
        "inputs": [i.name for i in session.get_inputs()],
        "outputs": outputs,
        "opset": [o.version for o in model.opset_import],
        "max_difference": float(np.max(np.abs(prediction.astype(np.float64).reshape(-1) - ours))),
        "shape": list(prediction.shape),
        "largest": float(np.max(np.abs(ours))),
        "logit_matches_probability": bool(np.allclose(expected, prediction, rtol=1e-6, atol=1e-6)),
    }))


if __name__ == "__main__":
    main(*sys.argv[1:])
