//! From a table and settings to encoded training and test rows.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{SplitKind, TrainConfig, transfer};
use crate::LabelProblem;
use crate::data::{Labels, Schema, Table, Task};
use crate::features::{Encoded, Encoder, FeatureConfig, Layout, Leak, find_leaks, flag_leaks};
use crate::rng::Rng;
use crate::{Error, Result};

/// A table's labels under the configured rule, and its labelled rows split into training and
/// test rows: everything that may look at the labels (fitting, the leak guard, cross
/// suggestions) looks at the training rows only.
#[derive(Debug, Clone)]
pub struct Split {
    /// Targets for every row, and the rule that made them.
    pub labels: Labels,
    /// Training rows, in table order.
    pub train: Vec<usize>,
    /// Held-out rows.
    pub test: Vec<usize>,
}

impl Split {
    /// Resolves the label and splits the labelled rows as `train` says.
    pub fn new(table: &Table, features: &FeatureConfig, train: &TrainConfig) -> Result<Self> {
        train.validate()?;
        let labels = labels(table, features)?;
        let labelled: Vec<usize> = (0..table.rows()).filter(|&r| labels.targets[r].is_some()).collect();
        let (train_rows, test_rows) = split(&labelled, train)?;
        let mut split = Self { labels, train: train_rows, test: test_rows };
        split.labels.fit_scale(&features.label, &split.train)?;
        Ok(split)
    }

    /// The columns that alone give the label away on the training rows, and `schema` with each
    /// of them flagged (left out unless the configuration gives it a role).
    pub fn screen(&self, table: &Table, schema: &Schema, features: &FeatureConfig) -> (Vec<Leak>, Schema) {
        let leaks = find_leaks(table, schema, features, &self.labels, &self.train);
        let flagged = flag_leaks(schema, &leaks, &features.label);
        (leaks, flagged)
    }
}

/// The label column's targets under the configured rule and task: a task asked for is kept to
/// (a yes/no task on a column of many numbers is refused, not turned into a regression).
fn labels(table: &Table, features: &FeatureConfig) -> Result<Labels> {
    let column = table.column(&features.label)?;
    let labels = Labels::from_column(column, &features.label_rule.clone().for_task(features.task)?)?;
    if features.task == Some(Task::Binary) && labels.rule.task() != Task::Binary {
        let problem = LabelProblem::NotBinary(column.values.len());
        return Err(Error::Label { column: features.label.clone(), problem });
    }
    Ok(labels)
}

/// A table split, fitted and encoded: everything a trainer needs except the device.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The encoder fitted on the training rows.
    pub encoder: Encoder,
    /// Where the encoder puts every feature.
    pub layout: Layout,
    /// Training rows, shared by the trainers of a comparison (each takes its batches from them).
    pub train: Arc<Encoded>,
    /// Held-out rows.
    pub test: Encoded,
    /// Share of positive training rows (for a regression, the standardized targets' mean: 0).
    pub base_rate: f64,
    /// Rows skipped because their label is missing.
    pub unlabelled: usize,
    /// Columns that alone give the label away (left out unless a role keeps them).
    pub leaks: Vec<Leak>,
}

impl Prepared {
    /// Resolves the label, splits the labelled rows, screens the columns for leaks, fits the
    /// encoder on the training part and encodes both parts.
    pub fn new(table: &Table, schema: &Schema, features: &FeatureConfig, train: &TrainConfig) -> Result<Self> {
        let split = Split::new(table, features, train)?;
        let (leaks, schema) = split.screen(table, schema, features);
        let encoder = Encoder::fit(table, &schema, features, split.labels.rule.clone(), &split.train)?;
        let layout = encoder.layout();
        let train_set = encoder.encode(table, &split.train, Some(&split.labels.targets))?;
        let test = encoder.encode(table, &split.test, Some(&split.labels.targets))?;
        let base_rate = train_set.targets.iter().sum::<f32>() as f64 / train_set.rows as f64;
        if split.labels.rule.task() == Task::Binary && (base_rate == 0.0 || base_rate == 1.0) {
            let class = if base_rate == 0.0 { "positive" } else { "negative" };
            let problem = LabelProblem::OneSidedTraining(format!("{class} row of {}", split.labels.rule.describe(&features.label)));
            return Err(Error::Label { column: features.label.clone(), problem });
        }
        let unlabelled = table.rows() - split.train.len() - split.test.len();
        Ok(Self { encoder, layout, train: Arc::new(train_set), test, base_rate, unlabelled, leaks })
    }
}

impl Prepared {
    /// What the models predict.
    pub fn task(&self) -> Task {
        self.encoder.label_rule.task()
    }

    /// The output bias's starting values, so training starts from the prior: the log-odds of the
    /// positive share under `class_weight`; each class's log share; for a regression 0, the
    /// standardized target's mean.
    pub fn starting_bias(&self, class_weight: &super::ClassWeight) -> Vec<f64> {
        let odds = |p: f64| p.clamp(1e-4, 1.0 - 1e-4).ln();
        match self.task() {
            Task::Binary => {
                let p = class_weight.weighted_share(self.base_rate).clamp(1e-4, 1.0 - 1e-4);
                vec![(p / (1.0 - p)).ln()]
            }
            Task::Regression => vec![0.0],
            Task::Multiclass => self.class_shares().into_iter().map(odds).collect(),
        }
    }

    /// Each class's share of the training rows (a multiclass label's; empty otherwise).
    pub fn class_shares(&self) -> Vec<f64> {
        let classes = self.encoder.label_rule.outputs();
        if self.task() != Task::Multiclass {
            return Vec::new();
        }
        let mut counts = vec![0usize; classes];
        self.train.targets.iter().for_each(|&t| counts[t as usize] += 1);
        counts.iter().map(|&c| c as f64 / self.train.rows.max(1) as f64).collect()
    }
}

/// The small parts of [`Prepared`], as JSON before its arrays in [`Prepared::to_bytes`].
#[derive(Serialize, Deserialize)]
struct Header {
    encoder: Encoder,
    base_rate: f64,
    unlabelled: usize,
    leaks: Vec<Leak>,
    rows: [usize; 2],
    targets: bool,
}

/// Tells shared rows from anything else.
const TAG: &[u8; 4] = b"WDP1";

impl Prepared {
    /// The prepared rows as bytes (the encoder as JSON, the rows as raw little-endian arrays): a
    /// race in several workers reads and encodes the file once, and the others train on these.
    pub fn to_bytes(&self) -> Vec<u8> {
        let header = Header {
            encoder: self.encoder.clone(),
            base_rate: self.base_rate,
            unlabelled: self.unlabelled,
            leaks: self.leaks.clone(),
            rows: [self.train.rows, self.test.rows],
            targets: !self.train.targets.is_empty(),
        };
        // Sized exactly: a million rows are ~100 MB, and growing by doubling would hold up to
        // three times that at once in a worker whose memory never shrinks.
        let words = |set: &Encoded| {
            set.wide.len() + set.deep.iter().map(Vec::len).sum::<usize>() + set.rows + set.numeric.len() + set.targets.len()
        };
        let mut out = transfer::start(TAG, &header, words(&self.train) + words(&self.test), 0);
        for set in [&*self.train, &self.test] {
            let ids = std::iter::once(&set.wide).chain(&set.deep).flatten().copied();
            let rows = set.source_rows.iter().map(|&r| r as u32);
            ids.chain(rows).for_each(|v| out.extend(v.to_le_bytes()));
            set.numeric.iter().chain(&set.targets).for_each(|v| out.extend(v.to_le_bytes()));
        }
        out
    }

    /// Rows written by [`Prepared::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let (header, mut words) =
            transfer::Reader::open::<Header>(bytes, TAG, "the rows shared between workers are damaged: load the file again")?;
        let layout = header.encoder.layout();
        let mut sets = Vec::new();
        for rows in header.rows {
            let wide = words.ids(rows.saturating_mul(layout.wide_slots()))?;
            let deep = layout.deep.iter().map(|g| words.ids(rows.saturating_mul(g.slots))).collect::<Result<_>>()?;
            let source_rows = words.ids(rows)?.into_iter().map(|r| r as usize).collect();
            let numeric = words.floats(rows.saturating_mul(layout.numeric.len()))?;
            let targets = words.floats(if header.targets { rows } else { 0 })?;
            sets.push(Encoded { rows, wide, deep, numeric, targets, source_rows });
        }
        words.last(0)?;
        let test = sets.pop().expect("two sets");
        let train = sets.pop().expect("two sets");
        Ok(Self {
            layout,
            encoder: header.encoder,
            train: Arc::new(train),
            test,
            base_rate: header.base_rate,
            unlabelled: header.unlabelled,
            leaks: header.leaks,
        })
    }
}

/// Splits row indices into (train, test).
fn split(rows: &[usize], config: &TrainConfig) -> Result<(Vec<usize>, Vec<usize>)> {
    let test_len = (rows.len() as f64 * config.test_fraction).round() as usize;
    if test_len == 0 || test_len == rows.len() {
        return Err(Error::Data(format!(
            "{} labelled rows are too few to hold out a test fraction of {}",
            rows.len(),
            config.test_fraction
        )));
    }
    let mut rows = rows.to_vec();
    if config.split == SplitKind::Random {
        Rng::new(config.seed, 1).shuffle(&mut rows);
    }
    let test = rows.split_off(rows.len() - test_len);
    if config.split == SplitKind::Random {
        rows.sort_unstable();
    }
    Ok((rows, test))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::Parts;
    use crate::model::{Inputs, Mode};

    #[test]
    fn ordered_split_holds_out_the_last_rows() {
        let config = TrainConfig { split: SplitKind::Ordered, test_fraction: 0.25, ..TrainConfig::default() };
        let (train, test) = split(&(0..8).collect::<Vec<_>>(), &config).unwrap();
        assert_eq!((train, test), ((0..6).collect(), vec![6, 7]));
    }

    #[test]
    fn random_split_is_seeded_and_disjoint() {
        let rows: Vec<usize> = (0..1000).collect();
        let config = TrainConfig::default();
        let (train, test) = split(&rows, &config).unwrap();
        assert_eq!((train.len(), test.len()), (700, 300));
        assert_eq!(split(&rows, &config).unwrap().1, test);
        let other = split(&rows, &TrainConfig { seed: 101, ..config }).unwrap().1;
        assert_ne!(other, test);
        let mut all: Vec<usize> = train.into_iter().chain(test).collect();
        all.sort();
        assert_eq!(all, rows);
    }

    #[test]
    fn prepared_rows_survive_bytes() {
        let mut text = String::from("colour,genres,size,y\n");
        for i in 0..200 {
            text.push_str(&format!("c{},{},{}.5,{}\n", i % 7, ["a|b", "b", "a|c|b"][i % 3], i % 11, i % 2));
        }
        let table = crate::data::read_table(text.as_bytes()).unwrap();
        let features = FeatureConfig { crosses: vec![vec!["colour".into(), "genres".into()]], ..FeatureConfig::for_label("y") };
        let prepared = Prepared::new(&table, &Schema::infer(&table), &features, &TrainConfig::default()).unwrap();
        let bytes = prepared.to_bytes();
        assert_eq!(bytes.capacity(), bytes.len(), "sized once, never grown");
        let back = Prepared::from_bytes(&bytes).unwrap();
        assert_eq!((&*back.train, &back.test), (&*prepared.train, &prepared.test));
        assert_eq!((back.encoder, back.layout, back.base_rate), (prepared.encoder, prepared.layout, prepared.base_rate));
        assert!(Prepared::from_bytes(&bytes[..bytes.len() - 4]).unwrap_err().to_string().contains("damaged"));
        assert!(Prepared::from_bytes(b"a,b\n").is_err());
    }

    #[test]
    fn a_batch_holds_only_what_its_model_reads() {
        let mut text = String::from("colour,size,y\n");
        for i in 0..40 {
            text.push_str(&format!("c{},{}.5,{}\n", i % 7, i % 11, i % 2));
        }
        let table = crate::data::read_table(text.as_bytes()).unwrap();
        let features = FeatureConfig::for_label("y");
        let prepared = Prepared::new(&table, &Schema::infer(&table), &features, &TrainConfig::default()).unwrap();
        let layout = &prepared.layout;
        assert!(layout.wide_slots() > 0 && !layout.deep.is_empty() && !layout.numeric.is_empty(), "every part is in the layout");
        let device = burn::tensor::Device::flex();
        for mode in Mode::ALL {
            let batch = prepared.train.select(&[3, 1, 4], mode.reads());
            let inputs = Inputs::upload(&batch, layout, &device);
            assert_eq!(mode.reads(), Parts { wide: mode.has_wide(), deep: mode.has_deep() });
            assert_eq!((batch.wide.is_empty(), inputs.wide_ids.is_some()), (!mode.has_wide(), mode.has_wide()), "{mode:?} wide ids");
            assert_eq!(inputs.deep.len(), if mode.has_deep() { layout.deep.len() } else { 0 }, "{mode:?} deep groups");
            assert_eq!(inputs.numeric.is_some(), mode.has_deep(), "{mode:?} numbers");
            assert_eq!((inputs.rows(), batch.targets.len(), batch.source_rows.len()), (3, 3, 3), "{mode:?} rows");
        }
    }

    #[test]
    fn too_few_rows_is_an_error() {
        let err = split(&[0, 1], &TrainConfig { test_fraction: 0.1, ..TrainConfig::default() }).unwrap_err();
        assert!(err.to_string().contains("too few"), "{err}");
    }
}
