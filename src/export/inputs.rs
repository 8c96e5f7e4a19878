//! The exported model's inputs: one per column (and one per cross), named, typed and documented,
//! and a table's rows encoded as those inputs. The ONNX graph and the feeds both read
//! [`model_inputs`], so an input is described in one place.

use serde::Serialize;

use crate::features::{Encoded, Encoder, Layout, PAD};
use crate::model::Mode;

/// Where an input goes in the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InputPart {
    /// Ids into the wide table (one block: a column or a cross).
    Wide,
    /// Ids into a deep group's embedding table, one per row.
    Deep,
    /// A multi-valued column's token ids, mean-pooled.
    Pooled,
    /// A standardized number.
    Number,
}

/// One input of the exported model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelInput {
    /// Its name in the graph: the part and the column, letters, digits and `_` only.
    pub name: String,
    /// The column (or the crossed columns, ` x `-joined) it encodes.
    pub column: String,
    /// Where it goes.
    pub part: InputPart,
    /// Values per row: slots for wide and pooled ids; `None` for one value per row (`[rows]`).
    pub slots: Option<usize>,
    /// The encoder's fields it reads (indices into its `fields`): one, or a cross's.
    pub fields: Vec<usize>,
    /// Added to each field id (or hashed bucket): where its ids start in their table.
    pub offset: u32,
    /// For a cross, its index among the encoder's crosses (it seeds the hash).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cross: Option<usize>,
    /// For deep and pooled inputs: the deep group's table.
    #[serde(skip)]
    pub group: usize,
    /// For wide inputs, the first slot in the encoder's wide slots; for deep inputs, the slot
    /// in its group's; for numbers, the column in the encoder's numbers.
    #[serde(skip)]
    pub at: usize,
}

impl ModelInput {
    /// The sentence a model file and a user read about this input.
    pub fn doc(&self) -> String {
        let column = &self.column;
        match self.part {
            InputPart::Wide => format!(
                "wide ids of {column}: [rows, {}] int64, ids into the one wide table with the block's offset included \
                 (the encoder spec's ids); -1 pads an unused slot",
                self.slots.unwrap_or(1)
            ),
            InputPart::Deep => format!("deep id of {column}: [rows] int64, into its embedding table, offset included"),
            InputPart::Pooled => format!(
                "token ids of {column}: [rows, {}] int64, averaged over the real tokens; -1 pads an unused slot",
                self.slots.unwrap_or(1)
            ),
            InputPart::Number => format!("{column} standardized: [rows] float, (value - mean) / std, 0 where missing"),
        }
    }

    /// Whether the input holds ids (int64) rather than numbers (float).
    pub fn is_ids(&self) -> bool {
        self.part != InputPart::Number
    }
}

/// The inputs a `mode` model with this encoder reads, in graph order: the wide blocks, then per
/// deep group its fields (one input each; a pooled group's one field), then the numbers.
pub fn model_inputs(encoder: &Encoder, layout: &Layout, mode: Mode) -> Vec<ModelInput> {
    let mut names = Names::default();
    let mut inputs = Vec::new();
    if mode.has_wide() {
        let (mut at, mut crosses) = (0, 0..);
        for block in &layout.wide {
            let column = block.name.clone();
            let name = names.unique("wide", &column);
            let (fields, cross) = match block.field {
                Some(field) => (vec![field], None),
                None => {
                    let index = crosses.next().expect("one block per cross");
                    (encoder.crosses[index].fields.clone(), Some(index))
                }
            };
            let (part, slots, offset) = (InputPart::Wide, Some(block.slots), block.offset);
            inputs.push(ModelInput { name, column, part, slots, fields, offset, cross, group: 0, at });
            at += block.slots;
        }
    }
    if mode.has_deep() {
        for (group, g) in layout.deep.iter().enumerate() {
            for (slot, &(field, offset)) in g.fields.iter().enumerate() {
                let column = encoder.fields[field].column.clone();
                let (part, slots) = if g.pooled { (InputPart::Pooled, Some(g.slots)) } else { (InputPart::Deep, None) };
                let name = names.unique("deep", &column);
                inputs.push(ModelInput { name, column, part, slots, fields: vec![field], offset, cross: None, group, at: slot });
            }
        }
        for (at, &field) in layout.numeric.iter().enumerate() {
            let column = encoder.fields[field].column.clone();
            let name = names.unique("number", &column);
            let fields = vec![field];
            inputs.push(ModelInput { name, column, part: InputPart::Number, slots: None, fields, offset: 0, cross: None, group: 0, at });
        }
    }
    inputs
}

/// Input names made from column names: letters, digits and `_`, each one once.
#[derive(Default)]
struct Names(std::collections::HashSet<String>);

impl Names {
    fn unique(&mut self, part: &str, column: &str) -> String {
        let clean: String = column.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
        let base = format!("{part}_{clean}");
        let name = (1..)
            .map(|n| if n == 1 { base.clone() } else { format!("{base}_{n}") })
            .find(|n| !self.0.contains(n))
            .expect("some suffix is free");
        self.0.insert(name.clone());
        name
    }
}

/// One input's values for some rows, as ONNX Runtime takes them.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Values {
    /// int64 ids, -1 for padding.
    Ids(Vec<i64>),
    /// float32 numbers.
    Numbers(Vec<f32>),
}

/// Encoded rows as the exported model's inputs, in [`model_inputs`] order.
pub fn feeds(inputs: &[ModelInput], layout: &Layout, encoded: &Encoded) -> Vec<Values> {
    let rows = encoded.rows;
    let id = |x: u32| if x == PAD { -1 } else { i64::from(x) };
    inputs
        .iter()
        .map(|input| match input.part {
            InputPart::Wide => {
                let (width, slots) = (layout.wide_slots(), input.slots.unwrap_or(1));
                Values::Ids((0..rows).flat_map(|r| encoded.wide[r * width + input.at..][..slots].iter().map(|&x| id(x))).collect())
            }
            InputPart::Deep => {
                let width = layout.deep[input.group].slots;
                Values::Ids((0..rows).map(|r| id(encoded.deep[input.group][r * width + input.at])).collect())
            }
            InputPart::Pooled => Values::Ids(encoded.deep[input.group].iter().map(|&x| id(x)).collect()),
            InputPart::Number => {
                let width = layout.numeric.len();
                Values::Numbers((0..rows).map(|r| encoded.numeric[r * width + input.at]).collect())
            }
        })
        .collect()
}
