//! A saved model as an ONNX graph for serving: standard operators at [`OPSET`] (Gather,
//! ReduceSum, Concat, MatMul, Add, Relu, Sigmoid and a few for the padding of pooled tokens),
//! inputs per column ([`model_inputs`]), outputs `logit` and `probability` (a regression's
//! `prediction`, in the label's units), one per row.
//!
//! Padding is `-1`: Gather reads a negative index from the end, and every table gets a last row
//! of zeros, so a padded slot adds nothing without a mask.

mod proto;

use prost::Message;

use self::proto::*;
use super::inputs::{InputPart, ModelInput, model_inputs};
use crate::data::LabelRule;
use crate::model::SavedModel;
use crate::{Error, Result};

/// The ONNX operator set the graph uses (ReduceSum and Unsqueeze take their axes as inputs from 13).
pub const OPSET: i64 = 13;
/// The ONNX IR version written (that of ONNX 1.10, which ONNX Runtime 1.10 and later read).
const IR_VERSION: i64 = 8;
/// The rows dimension's name.
const ROWS: &str = "rows";

/// The ONNX file of `saved`, and the inputs it reads.
pub fn to_onnx(saved: &SavedModel) -> Result<(Vec<u8>, Vec<ModelInput>)> {
    let layout = saved.encoder.layout();
    let inputs = model_inputs(&saved.encoder, &layout, saved.model.mode);
    let mut graph = Graph::default();
    graph.build(saved, &inputs)?;
    let description = serde_json::to_string(&inputs).expect("inputs always serialize");
    let model = ModelProto {
        ir_version: IR_VERSION,
        producer_name: "widedeep".into(),
        producer_version: env!("CARGO_PKG_VERSION").into(),
        doc_string: format!("The {} Wide & Deep model exported by widedeep: logit and probability per row.", saved.model.mode.name()),
        graph: Some(GraphProto {
            node: graph.nodes,
            name: format!("widedeep_{}", saved.model.mode.name()),
            initializer: graph.initializers,
            doc_string: String::new(),
            input: inputs.iter().map(input_info).collect(),
            output: output_infos(saved),
        }),
        opset_import: vec![OperatorSetIdProto { domain: String::new(), version: OPSET }],
        metadata_props: vec![
            StringStringEntryProto { key: "widedeep.inputs".into(), value: description },
            StringStringEntryProto { key: "widedeep.label".into(), value: saved.encoder.label.clone() },
            StringStringEntryProto {
                key: "widedeep.target".into(),
                value: serde_json::to_string(&saved.encoder.label_rule).expect("a rule serializes"),
            },
        ],
    };
    Ok((model.encode_to_vec(), inputs))
}

/// The outputs: the logit, then the probability, a regression's number in the label's units, or
/// a multiclass label's `[rows, classes]` logits and probabilities (classes in the metadata's order).
fn output_infos(saved: &SavedModel) -> Vec<ValueInfoProto> {
    let logit = |shape| tensor_info("logit", FLOAT, shape, "the model's logit per row (a regression's standard score)");
    match &saved.encoder.label_rule {
        LabelRule::Number { mean, sd } => vec![
            logit(vec![None]),
            tensor_info("prediction", FLOAT, vec![None], &format!("{mean} + {sd} * logit: the predicted {}", saved.encoder.label)),
        ],
        LabelRule::Classes { values } => vec![
            logit(vec![None, Some(values.len())]),
            tensor_info(
                "probability",
                FLOAT,
                vec![None, Some(values.len())],
                &format!("softmax(logit): the probability of each class: {}", values.join(", ")),
            ),
        ],
        _ => {
            vec![logit(vec![None]), tensor_info("probability", FLOAT, vec![None], "sigmoid(logit): the probability of the positive class")]
        }
    }
}

fn input_info(input: &ModelInput) -> ValueInfoProto {
    let kind = if input.is_ids() { INT64 } else { FLOAT };
    let shape = std::iter::once(None).chain(input.slots.map(Some)).collect();
    tensor_info(&input.name, kind, shape, &input.doc())
}

/// A tensor's type: `None` dimensions are the rows.
fn tensor_info(name: &str, elem_type: i32, shape: Vec<Option<usize>>, doc: &str) -> ValueInfoProto {
    let dim = shape
        .into_iter()
        .map(|d| match d {
            Some(n) => Dimension { dim_value: Some(n as i64), dim_param: None },
            None => Dimension { dim_value: None, dim_param: Some(ROWS.into()) },
        })
        .collect();
    ValueInfoProto {
        name: name.into(),
        r#type: Some(TypeProto { tensor_type: Some(TensorTypeProto { elem_type, shape: Some(TensorShapeProto { dim }) }) }),
        doc_string: doc.into(),
    }
}

/// The graph as it is written: nodes in order and the initializers they read.
#[derive(Default)]
struct Graph {
    nodes: Vec<NodeProto>,
    initializers: Vec<TensorProto>,
}

impl Graph {
    fn build(&mut self, saved: &SavedModel, inputs: &[ModelInput]) -> Result<()> {
        let parameter = |name: &str| saved.parameters.get(name).ok_or_else(|| Error::ModelFile(format!("parameter '{name}' is missing")));
        let outputs = saved.encoder.label_rule.outputs();
        self.ints("axis_1", &[1]);
        let mut parts = Vec::new();
        if saved.model.mode.has_wide() {
            let wide = parameter("wide")?;
            self.table("wide.table", &wide.values, outputs);
            let ids: Vec<String> = inputs.iter().filter(|i| i.part == InputPart::Wide).map(|i| i.name.clone()).collect();
            let all = self.concat("wide.ids", ids, 1);
            let looked = self.node("Gather", &["wide.table", &all], "wide.weights", &[("axis", 0)]);
            let summed = self.node("ReduceSum", &[&looked, "axis_1"], "wide.sum", &[("keepdims", 0)]);
            parts.push(summed);
        }
        if saved.model.mode.has_deep() {
            parts.push(self.deep(saved, inputs)?);
        }
        let mut logit = parts.remove(0);
        for (i, part) in parts.into_iter().enumerate() {
            logit = self.node("Add", &[&logit, &part], &format!("parts.{i}"), &[]);
        }
        let bias = parameter("bias")?;
        self.floats("bias", &bias.values, &[outputs]);
        if outputs > 1 {
            // A multiclass label's logits stay `[rows, classes]`; their softmax is the probabilities.
            self.node("Add", &[&logit, "bias"], "logit", &[]);
            self.node("Softmax", &["logit"], "probability", &[("axis", 1)]);
            return Ok(());
        }
        let biased = self.node("Add", &[&logit, "bias"], "logit.column", &[]);
        self.ints("rows_shape", &[-1]);
        self.node("Reshape", &[&biased, "rows_shape"], "logit", &[]);
        match saved.encoder.label_rule {
            LabelRule::Number { mean, sd } => {
                self.floats("target.sd", &[sd as f32], &[1]);
                self.floats("target.mean", &[mean as f32], &[1]);
                let scaled = self.node("Mul", &["logit", "target.sd"], "prediction.scaled", &[]);
                self.node("Add", &[&scaled, "target.mean"], "prediction", &[]);
            }
            _ => {
                self.node("Sigmoid", &["logit"], "probability", &[]);
            }
        }
        Ok(())
    }

    /// The deep part: each group's embeddings, the numbers, then the hidden layers and the
    /// output layer; returns the `[rows, 1]` contribution's name.
    fn deep(&mut self, saved: &SavedModel, inputs: &[ModelInput]) -> Result<String> {
        let layout = saved.encoder.layout();
        let parameter =
            |name: String| saved.parameters.get(&name).ok_or_else(|| Error::ModelFile(format!("parameter '{name}' is missing")));
        let mut features = Vec::new();
        for (g, group) in layout.deep.iter().enumerate() {
            let table = format!("deep.{g}.table");
            self.table(&table, &parameter(format!("deep.{g}"))?.values, group.dim);
            for input in inputs.iter().filter(|i| i.group == g && matches!(i.part, InputPart::Deep | InputPart::Pooled)) {
                let looked = self.node("Gather", &[&table, &input.name], &format!("{}.embedded", input.name), &[("axis", 0)]);
                features.push(if input.part == InputPart::Pooled { self.mean(&input.name, &looked) } else { looked });
            }
        }
        let numbers: Vec<ModelInput> = inputs.iter().filter(|i| i.part == InputPart::Number).cloned().collect();
        for input in numbers {
            features.push(self.node("Unsqueeze", &[&input.name, "axis_1"], &format!("{}.column", input.name), &[]));
        }
        let mut x = self.concat("deep.features", features, 1);
        for (i, &size) in saved.model.hidden.iter().enumerate() {
            let (w, b) = (format!("hidden.{i}.weight"), format!("hidden.{i}.bias"));
            let weight = parameter(w.clone())?;
            self.floats(&w, &weight.values, &[weight.values.len() / size, size]);
            self.floats(&b, &parameter(b.clone())?.values, &[size]);
            let product = self.node("MatMul", &[&x, &w], &format!("hidden.{i}.product"), &[]);
            let shifted = self.node("Add", &[&product, &b], &format!("hidden.{i}.sum"), &[]);
            x = self.node("Relu", &[&shifted], &format!("hidden.{i}.out"), &[]);
        }
        let output = parameter("output.weight".into())?;
        let outputs = saved.encoder.label_rule.outputs();
        self.floats("output.weight", &output.values, &[output.values.len() / outputs, outputs]);
        Ok(self.node("MatMul", &[&x, "output.weight"], "deep.sum", &[]))
    }

    /// The mean of a pooled input's real tokens (`[rows, slots, dim]` → `[rows, dim]`): padded
    /// slots look up the zero row, and the sum is divided by the real tokens, at least 1.
    fn mean(&mut self, input: &str, looked: &str) -> String {
        if !self.initializers.iter().any(|t| t.name == "minus_one") {
            self.ints_scalar("minus_one", -1);
            self.floats("one", &[1.0], &[]);
        }
        let sum = self.node("ReduceSum", &[looked, "axis_1"], &format!("{input}.sum"), &[("keepdims", 0)]);
        let padded = self.node("Equal", &[input, "minus_one"], &format!("{input}.padded"), &[]);
        let real = self.node("Not", &[&padded], &format!("{input}.real"), &[]);
        let ones = self.node("Cast", &[&real], &format!("{input}.ones"), &[("to", i64::from(FLOAT))]);
        let count = self.node("ReduceSum", &[&ones, "axis_1"], &format!("{input}.count"), &[("keepdims", 1)]);
        let at_least_one = self.node("Max", &[&count, "one"], &format!("{input}.divisor"), &[]);
        self.node("Div", &[&sum, &at_least_one], &format!("{input}.mean"), &[])
    }

    /// `names` joined along `axis` (or the one name itself).
    fn concat(&mut self, out: &str, names: Vec<String>, axis: i64) -> String {
        if names.len() == 1 {
            return names.into_iter().next().expect("one name");
        }
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        self.node("Concat", &refs, out, &[("axis", axis)])
    }

    fn node(&mut self, op: &str, inputs: &[&str], output: &str, attributes: &[(&str, i64)]) -> String {
        let attribute = attributes.iter().map(|&(name, i)| AttributeProto { name: name.into(), i, r#type: ATTRIBUTE_INT }).collect();
        self.nodes.push(NodeProto {
            input: inputs.iter().map(|s| s.to_string()).collect(),
            output: vec![output.into()],
            name: output.into(),
            op_type: op.into(),
            attribute,
        });
        output.into()
    }

    /// A table of `dim` columns with a row of zeros appended (what index -1 reads).
    fn table(&mut self, name: &str, values: &[f32], dim: usize) {
        let mut padded = values.to_vec();
        padded.extend(std::iter::repeat_n(0.0, dim));
        self.floats(name, &padded, &[padded.len() / dim, dim]);
    }

    fn floats(&mut self, name: &str, values: &[f32], dims: &[usize]) {
        let raw_data = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        let dims = dims.iter().map(|&d| d as i64).collect();
        self.initializers.push(TensorProto { dims, data_type: FLOAT, name: name.into(), raw_data });
    }

    fn ints(&mut self, name: &str, values: &[i64]) {
        let raw_data = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        self.initializers.push(TensorProto { dims: vec![values.len() as i64], data_type: INT64, name: name.into(), raw_data });
    }

    fn ints_scalar(&mut self, name: &str, value: i64) {
        self.initializers.push(TensorProto { dims: vec![], data_type: INT64, name: name.into(), raw_data: value.to_le_bytes().to_vec() });
    }
}
