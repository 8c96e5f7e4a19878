//! Looking inside: screening a setup before training (leaks, crosses worth trying), and after
//! each epoch what each part learned (named wide weights, the cross map, the embedding map, the
//! model diagram) and why one row scores as it does.

use std::collections::BTreeMap;

use burn::tensor::Tensor;
use serde::{Deserialize, Serialize};

use super::{Engine, Run};
use crate::config::Config;
use crate::data::{Column, LabelRule, Schema, Table, Task};
use crate::features::{Encoder, Layout, Leak, Role, Suggestion, suggest_crosses};
use crate::insight::{CrossMap, Diagram, EmbeddingMap, LogitSplit, Shade, WideWeight, top_wide_weights, wide_rows};
use crate::metrics::sigmoid;
use crate::model::{EVAL_CHUNK, Inputs, Mode, read};
use crate::train::{Split, Trainer};
use crate::{Error, Result};

/// What the page shows about a configuration before training: the schema with the label's
/// leaks flagged, the leaks themselves, and crosses worth trying, all judged on the training rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// The loaded schema, with a warning on each column that gives the label away.
    pub schema: Schema,
    /// The columns that alone decide the label (left out unless a role keeps them).
    pub leaks: Vec<Leak>,
    /// Crosses worth trying, best first.
    pub suggestions: Vec<Suggestion>,
    /// The model the configuration describes (the joint one), before any training.
    pub diagram: Diagram,
    /// Each schema column's role under the configuration, in schema order: the page shows the
    /// core's rule (overrides, then warnings) rather than a copy of it.
    pub roles: Vec<Role>,
}

/// A wide feature that fired for one row, and its weight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fired {
    /// The row's own value or combination, like `city=city_10 × product=product_03`.
    pub feature: String,
    /// Its weight in the logit.
    pub weight: f64,
}

/// One row's score split into its parts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// The wide part's contribution to the logit (0 for a deep-only model).
    pub wide: f64,
    /// The deep part's contribution (0 for a wide-only model).
    pub deep: f64,
    /// The shared bias.
    pub bias: f64,
    /// σ(wide + deep + bias); for a multiclass label, the most probable class's probability
    /// (the parts above are that class's); NaN for a regression.
    pub probability: f64,
    /// A regression's prediction, wide + deep + bias, all four in the label's units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prediction: Option<f64>,
    /// A multiclass label's classes with their probabilities, most probable first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub classes: Vec<(String, f64)>,
    /// The wide features the row fired, largest weight first: the wide part is their sum.
    pub fired: Vec<Fired>,
    /// What the class weights the model trained with do to this probability, in words, when
    /// they are unequal: it leans toward the heavier class, away from the rate rows like this one
    /// have, and the page says so beside it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_weights: Option<String>,
}

/// How a map reads a run's targets and logits: as the share of positives (a yes/no label), the
/// share of one class (several), or a number in the label's units.
struct Reading {
    shade: Shade,
    rule: LabelRule,
    /// The class shown, for several classes.
    class: Option<usize>,
}

impl Reading {
    /// The reading of `run`'s label, showing `class` of several (the first when `None`; an
    /// unknown one is an error naming the classes).
    fn of(run: &Run, class: Option<&str>) -> Result<Self> {
        let rule = run.comparison.prepared.layout.target.clone();
        let (shade, class) = match &rule {
            LabelRule::Number { mean, sd } => (Shade::Number { label: run.config.features.label.clone(), mean: *mean, sd: *sd }, None),
            LabelRule::Classes { values } => {
                let k = match class {
                    Some(name) => values
                        .iter()
                        .position(|c| c == name)
                        .ok_or_else(|| Error::State(format!("'{name}' is not one of this run's classes ({})", values.join(", "))))?,
                    None => 0,
                };
                (Shade::Class(values[k].clone()), Some(k))
            }
            _ => (Shade::Rate, None),
        };
        Ok(Self { shade, rule, class })
    }

    /// Stored targets (0/1, class indices or standard scores) as the map's values.
    fn targets(&self, targets: &[f32]) -> Vec<f32> {
        match (&self.shade, self.class) {
            (_, Some(k)) => targets.iter().map(|&t| f32::from(u8::from(t as usize == k))).collect(),
            (Shade::Number { .. }, _) => targets.iter().map(|&t| self.rule.prediction(f64::from(t)) as f32).collect(),
            _ => targets.to_vec(),
        }
    }

    /// A model's test logits as the map's values: probabilities of a yes/no label or of the
    /// class shown, or numbers in the label's units.
    fn predictions(&self, logits: &[f32]) -> Vec<f32> {
        match (&self.shade, self.class) {
            (_, Some(k)) => {
                let outputs = self.rule.outputs();
                crate::metrics::softmax_rows(logits, outputs).chunks_exact(outputs).map(|p| p[k] as f32).collect()
            }
            (Shade::Number { .. }, _) => logits.iter().map(|&z| self.rule.prediction(f64::from(z)) as f32).collect(),
            _ => logits.iter().map(|&z| sigmoid(z as f64) as f32).collect(),
        }
    }
}

/// One model's test logits at the epoch its pictures show: what a worker hands the one that
/// draws the cross map for every worker's models.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelLogits {
    /// The model.
    pub mode: Mode,
    /// The epoch they come from (0 before any), for the map's caption.
    pub epoch: usize,
    /// One per test row (times the outputs of a multiclass label).
    pub logits: Vec<f32>,
}

impl Engine {
    /// Screens the loaded data for `config`: its training split's leaks and up to `max` crosses
    /// worth trying, honouring the configuration's kind and role overrides, and the diagram of
    /// the model it describes.
    pub fn analyze(&self, config: &Config, max: usize) -> Result<Analysis> {
        let data = self.loaded()?;
        let split = Split::new(&data.table, &config.features, &config.train)?;
        let (leaks, schema) = split.screen(&data.table, &data.schema, &config.features);
        let suggestions = suggest_crosses(&data.table, &schema, &config.features, &split.labels.groups(&split.train), &split.train, max);
        let encoder = Encoder::fit(&data.table, &schema, &config.features, split.labels.rule.clone(), &split.train)?;
        let diagram = Diagram::new(&encoder, &encoder.layout(), &config.train.model(Mode::Joint));
        let roles = schema.columns.iter().map(|info| config.features.role_of(info)).collect();
        Ok(Analysis { schema, leaks, suggestions, diagram, roles })
    }

    /// The `count` wide weights of largest magnitude in the `mode` model, named.
    pub async fn named_weights(&self, mode: Mode, count: usize) -> Result<Vec<WideWeight>> {
        let (run, trainer) = self.trainer(mode)?;
        let model = trainer.shown_model(&run.comparison.prepared.layout, run.target_epochs)?;
        let weights = model.wide_weights().ok_or(Error::NoWidePart(mode.name()))?;
        let values = read::floats(weights).await?;
        let prepared = &run.comparison.prepared;
        let rows = wide_rows(&prepared.layout, &prepared.train);
        Ok(top_wide_weights(&prepared.encoder, &prepared.layout, &rows, &values, count))
    }

    /// The cross map of two columns over the test rows, with each model's predictions given as
    /// its test logits (from this engine's [`Engine::test_logits`] or another worker's: in a race
    /// across workers one of them draws for all). For a multiclass label the cells hold the
    /// share of `class` (the first class when `None`): each model's probability of it against
    /// the rows that are it; for a number, its mean and each model's mean prediction, in the
    /// label's units.
    pub fn cross_map(&self, columns: [&str; 2], logits: &[ModelLogits], class: Option<&str>) -> Result<CrossMap> {
        let (data, run) = (self.loaded()?, self.run_ref()?);
        let test = &run.comparison.prepared.test;
        let mut axes = Vec::new();
        for name in columns {
            let info = data
                .schema
                .column(name)
                .ok_or_else(|| Error::UnknownColumn { name: name.to_string(), available: data.table.names_listed() })?;
            axes.push((data.table.column(name)?, run.config.features.kind_of(info)));
        }
        let outputs = run.comparison.prepared.layout.target.outputs();
        if let Some(wrong) = logits.iter().find(|l| l.logits.len() != test.rows * outputs) {
            return Err(Error::State(format!(
                "the {} model's predictions do not match this run's {} test rows",
                wrong.mode.name(),
                test.rows
            )));
        }
        let reading = Reading::of(run, class)?;
        let mut predictions: Vec<(Mode, usize, Vec<f32>)> =
            logits.iter().map(|l| (l.mode, l.epoch, reading.predictions(&l.logits))).collect();
        predictions.sort_by_key(|(mode, _, _)| Mode::ALL.iter().position(|m| m == mode));
        let predictions: Vec<(Mode, usize, &[f32])> = predictions.iter().map(|(m, e, p)| (*m, *e, p.as_slice())).collect();
        let targets = reading.targets(&test.targets);
        Ok(CrossMap::new([axes[0], axes[1]], &test.source_rows, &targets, &predictions, reading.shade))
    }

    /// The `mode` model's logits on the test rows at the epoch its pictures show (empty before
    /// one): the last finished, or once training has ended the one the validation rows kept
    /// (see [`crate::train::Trainer::shown_epoch`]).
    pub fn test_logits(&self, mode: Mode) -> Result<ModelLogits> {
        let (run, trainer) = self.trainer(mode)?;
        let (logits, epoch) = (trainer.shown_logits(run.target_epochs).to_vec(), trainer.shown_epoch(run.target_epochs));
        Ok(ModelLogits { mode, epoch, logits })
    }

    /// The embedding map of `column` for every trained model with a deep part that embeds it.
    /// Each point is coloured by its rows' mean target: the positive rate, the share of `class`
    /// (several classes; the first when `None`), or a number's mean in the label's units.
    pub async fn embedding_maps(&self, column: &str, class: Option<&str>) -> Result<Vec<EmbeddingMap>> {
        let run = self.run_ref()?;
        let prepared = &run.comparison.prepared;
        let reading = Reading::of(run, class)?;
        let targets = reading.targets(&prepared.train.targets);
        let mut maps = Vec::new();
        for trainer in run.comparison.trainers.iter().filter(|t| t.mode().has_deep()) {
            let model = trainer.shown_model(&prepared.layout, run.target_epochs)?;
            let tables: Vec<Tensor<1>> =
                (0..prepared.layout.deep.len()).filter_map(|g| model.deep_table(g)).map(|t| t.reshape([-1])).collect();
            let tables = read::floats_many(tables).await?;
            let epoch = trainer.shown_epoch(run.target_epochs);
            let shade = reading.shade.clone();
            maps.extend(EmbeddingMap::new(
                column,
                trainer.mode(),
                epoch,
                &prepared.encoder,
                &prepared.layout,
                &prepared.train,
                &tables,
                &targets,
                shade,
            ));
        }
        let mut shown = run.shown_maps.borrow_mut();
        for map in &mut maps {
            let previous = shown.iter().position(|m| m.column == map.column && m.mode == map.mode);
            map.orient(previous.map(|i| &shown[i]));
            match previous {
                Some(i) => shown[i] = map.clone(),
                None => shown.push(map.clone()),
            }
        }
        Ok(maps)
    }

    /// The diagram of the run's model (the joint one's shape), with the joint model's logit split
    /// when one is known (see [`Engine::logit_split`]).
    pub fn diagram(&self, split: Option<LogitSplit>) -> Result<Diagram> {
        let run = self.run_ref()?;
        let prepared = &run.comparison.prepared;
        let mut diagram = Diagram::new(&prepared.encoder, &prepared.layout, &run.config.train.model(Mode::Joint));
        diagram.split = split;
        Ok(diagram)
    }

    /// How much the wide and the deep part each move this engine's joint model's logit on the
    /// test rows, once it has finished an epoch.
    pub async fn logit_split(&self) -> Result<Option<LogitSplit>> {
        let run = self.run_ref()?;
        match run.comparison.trainers.iter().find(|t| t.mode() == Mode::Joint && !t.history().is_empty()) {
            Some(trainer) => Ok(Some(logit_split(trainer, &run.comparison.prepared.layout, run.target_epochs).await?)),
            None => Ok(None),
        }
    }

    /// Scores one row (column → text; absent columns are missing) with the `mode` model, splits
    /// its logit into wide, deep and bias, and names the wide features it fired.
    pub async fn explain(&self, mode: Mode, row: &BTreeMap<String, String>) -> Result<Explanation> {
        let (run, trainer) = self.trainer(mode)?;
        let prepared = &run.comparison.prepared;
        let table = one_row(&prepared.encoder, row);
        let encoded = prepared.encoder.encode(&table, &[0], None)?;
        let model = trainer.shown_model(&prepared.layout, run.target_epochs)?;
        let (wide, deep) = model.parts(&Inputs::upload(&encoded, &prepared.layout, &self.device));
        let outputs = prepared.layout.target.outputs();
        let zero = || Tensor::<1>::zeros([outputs], &self.device);
        let flat = |part: Option<Tensor<2>>| part.map_or_else(zero, |t| t.reshape([-1]));
        let weights = model.wide_weights().unwrap_or_else(|| Tensor::zeros([1], &self.device));
        let values = read::floats_many(vec![flat(wide), flat(deep), model.bias(), weights]).await?;
        let logits: Vec<f32> = (0..outputs).map(|k| values[0][k] + values[1][k] + values[2][k]).collect();
        // The class shown: the only output, or a multiclass label's most probable class.
        let probabilities = crate::metrics::softmax_rows(&logits, outputs);
        let top = if outputs > 1 { crate::metrics::predicted_class(&probabilities) } else { 0 };
        let rule = &prepared.layout.target;
        // A regression's parts are in standard scores: `sd` times them is the label's units, and
        // the bias carries the mean.
        let (scale, shift) = match rule {
            LabelRule::Number { mean, sd } => (*sd, *mean),
            _ => (1.0, 0.0),
        };
        let part = |p: usize| values[p][top] as f64 * scale;
        let (wide, deep, bias) = (part(0), part(1), part(2) + shift);
        let mut fired: Vec<Fired> = if mode.has_wide() {
            let named = prepared.encoder.fired(&prepared.layout, &table, 0)?;
            named
                .into_iter()
                .map(|(id, feature)| Fired { feature, weight: values[3][id as usize * outputs + top] as f64 * scale })
                .collect()
        } else {
            Vec::new()
        };
        fired.sort_by(|a, b| b.weight.abs().total_cmp(&a.weight.abs()));
        let mut classes: Vec<(String, f64)> = rule.classes().iter().cloned().zip(probabilities.iter().copied()).collect();
        classes.sort_by(|a, b| b.1.total_cmp(&a.1));
        let (probability, prediction) = match rule.task() {
            Task::Binary => (sigmoid(wide + deep + bias), None),
            Task::Multiclass => (probabilities[top], None),
            Task::Regression => (f64::NAN, Some(wide + deep + bias)),
        };
        let class_weights = trainer.class_weights().map(crate::train::class_weight_words);
        Ok(Explanation { wide, deep, bias, probability, prediction, classes, fired, class_weights })
    }

    /// The run and its trainer of `mode`.
    pub(super) fn trainer(&self, mode: Mode) -> Result<(&Run, &Trainer)> {
        let run = self.run_ref()?;
        let trainer = run.comparison.trainers.iter().find(|t| t.mode() == mode);
        Ok((run, trainer.ok_or(Error::NoModel(mode.name()))?))
    }
}

/// A one-row table of the encoder's columns from `row` (absent columns are missing).
fn one_row(encoder: &Encoder, row: &BTreeMap<String, String>) -> Table {
    let columns = encoder
        .fields
        .iter()
        .map(|f| {
            let mut column = Column::new(&f.column);
            column.push(row.get(&f.column).map_or("", String::as_str));
            column
        })
        .collect();
    Table { columns, delimiter: b',', notes: Vec::new() }
}

/// Mean |wide logit| and |deep logit| of `trainer`'s model at the epoch its pictures show (of
/// `target`) over its test rows (in chunks, as scoring does).
async fn logit_split(trainer: &Trainer, layout: &Layout, target: usize) -> Result<LogitSplit> {
    let (model, test) = (trainer.shown_model(layout, target)?, trainer.test_inputs());
    let (mut wide, mut deep): (Option<Tensor<1>>, Option<Tensor<1>>) = (None, None);
    let add = |sum: Option<Tensor<1>>, part: Option<Tensor<2>>| match (sum, part) {
        (Some(sum), Some(part)) => Some(sum + part.abs().sum()),
        (None, part) => part.map(|p| p.abs().sum()),
        (sum, None) => sum,
    };
    for start in (0..test.rows()).step_by(EVAL_CHUNK) {
        let (w, d) = model.parts(&test.slice(start, (start + EVAL_CHUNK).min(test.rows())));
        (wide, deep) = (add(wide, w), add(deep, d));
    }
    let present: Vec<Tensor<1>> = [&wide, &deep].into_iter().flatten().cloned().collect();
    let mut values = read::floats_many(present).await?.into_iter().map(|v| v[0] as f64 / test.rows().max(1) as f64);
    let wide = if wide.is_some() { values.next().unwrap_or(0.0) } else { 0.0 };
    let deep = if deep.is_some() { values.next().unwrap_or(0.0) } else { 0.0 };
    Ok(LogitSplit { wide, deep, epoch: trainer.shown_epoch(target) })
}
