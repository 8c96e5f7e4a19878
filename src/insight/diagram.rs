//! The model diagram: the configured model as the class should picture it, from input columns
//! through the wide ids and the embeddings to the hidden layers and the output, with a trained
//! model's split of the logit between its wide and deep parts.

use serde::{Deserialize, Serialize};

use crate::data::Task;
use crate::features::{Encoder, Layout};
use crate::model::ModelConfig;

/// One input column and where it goes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiagramInput {
    /// The column.
    pub column: String,
    /// Its wide ids, when it feeds the wide part.
    pub wide_ids: Option<usize>,
    /// Its embedding size, when the deep part embeds it.
    pub embedding: Option<usize>,
    /// Whether the deep part reads it as a standardized number.
    pub numeric: bool,
}

/// How much each part moves the logit, on average over the test rows.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LogitSplit {
    /// Mean |wide part's logit|.
    pub wide: f64,
    /// Mean |deep part's logit|.
    pub deep: f64,
    /// The epoch these come from.
    pub epoch: usize,
}

/// The model as boxes and arrows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diagram {
    /// Columns the model reads.
    pub inputs: Vec<DiagramInput>,
    /// Crosses and their hash buckets.
    pub crosses: Vec<(String, usize)>,
    /// Ids in the wide part (0 without one).
    pub wide_ids: usize,
    /// Width of the MLP's input (0 without a deep part).
    pub deep_inputs: usize,
    /// Hidden layer widths (empty without a deep part).
    pub hidden: Vec<usize>,
    /// The joint (or only) model's logit split, once trained.
    pub split: Option<LogitSplit>,
    /// What the output is: a probability, one score per class, or a number.
    #[serde(default)]
    pub task: Task,
    /// A multiclass label's classes, one output each (empty otherwise).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub classes: Vec<String>,
    /// What the output is, in words (the picture's box and the page's sentence): what it
    /// gives, then how, like `["4 classes", "softmax(wide + deep + bias)"]`.
    #[serde(default)]
    pub output: Vec<String>,
}

impl Diagram {
    /// The diagram of a model with this encoder, layout and settings (its parts as its mode has them).
    pub fn new(encoder: &Encoder, layout: &Layout, config: &ModelConfig) -> Self {
        let (wide, deep) = (config.mode.has_wide(), config.mode.has_deep());
        let embedding = |field: usize| layout.deep.iter().find(|g| g.fields.iter().any(|&(f, _)| f == field)).map(|g| g.dim);
        let inputs = encoder
            .fields
            .iter()
            .enumerate()
            .filter(|(_, f)| (wide && f.role.wide()) || (deep && f.role.deep()))
            .map(|(i, f)| DiagramInput {
                column: f.column.clone(),
                wide_ids: (wide && f.role.wide()).then(|| f.cardinality()),
                embedding: if deep && f.role.deep() { embedding(i) } else { None },
                numeric: deep && f.role.deep() && !f.embedded(),
            })
            .collect();
        Self {
            inputs,
            crosses: if wide { encoder.crosses.iter().map(|c| (c.name(), encoder.hash_buckets)).collect() } else { Vec::new() },
            wide_ids: if wide { layout.wide_size() } else { 0 },
            deep_inputs: if deep { layout.deep_width() } else { 0 },
            hidden: if deep { config.hidden.clone() } else { Vec::new() },
            split: None,
            task: layout.target.task(),
            classes: layout.target.classes().to_vec(),
            output: output_words(layout.target.task(), layout.target.classes().len()),
        }
    }
}

/// What a task's output is, and how it is made from the parts.
fn output_words(task: Task, classes: usize) -> Vec<String> {
    match task {
        Task::Binary => vec!["the probability".into(), "σ(wide + deep + bias)".into()],
        Task::Regression => vec!["a number".into(), "wide + deep + bias,".into(), "in the label's units".into()],
        Task::Multiclass => vec![format!("{classes} classes"), "softmax(wide + deep + bias)".into()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_output_is_said_as_its_task_makes_it() {
        assert_eq!(output_words(Task::Binary, 0), ["the probability", "σ(wide + deep + bias)"]);
        assert_eq!(output_words(Task::Multiclass, 7), ["7 classes", "softmax(wide + deep + bias)"]);
        assert_eq!(output_words(Task::Regression, 0).concat(), "a numberwide + deep + bias,in the label's units");
    }
}
