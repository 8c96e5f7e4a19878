//! From a table and settings to encoded training and test rows.

use super::{SplitKind, TrainConfig};
use crate::data::{Labels, Schema, Table};
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
        let labels = Labels::from_column(table.column(&features.label)?, &features.label_rule)?;
        let labelled: Vec<usize> = (0..table.rows()).filter(|&r| labels.targets[r].is_some()).collect();
        let (train_rows, test_rows) = split(&labelled, train)?;
        Ok(Self { labels, train: train_rows, test: test_rows })
    }

    /// The columns that alone give the label away on the training rows, and `schema` with each
    /// of them flagged (left out unless the configuration gives it a role).
    pub fn screen(&self, table: &Table, schema: &Schema, features: &FeatureConfig) -> (Vec<Leak>, Schema) {
        let leaks = find_leaks(table, schema, features, &self.labels.targets, &self.train);
        let flagged = flag_leaks(schema, &leaks, &features.label);
        (leaks, flagged)
    }
}

/// A table split, fitted and encoded: everything a trainer needs except the device.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The encoder fitted on the training rows.
    pub encoder: Encoder,
    /// Where the encoder puts every feature.
    pub layout: Layout,
    /// Training rows.
    pub train: Encoded,
    /// Held-out rows.
    pub test: Encoded,
    /// Share of positive training rows.
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
        let unlabelled = table.rows() - split.train.len() - split.test.len();
        Ok(Self { encoder, layout, train: train_set, test, base_rate, unlabelled, leaks })
    }
}

/// Splits row indices into (train, test).
fn split(rows: &[usize], config: &TrainConfig) -> Result<(Vec<usize>, Vec<usize>)> {
    let test_len = (rows.len() as f64 * config.test_fraction).round() as usize;
    if test_len == 0 || test_len == rows.len() {
        return Err(Error::Config(format!(
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
    fn too_few_rows_is_an_error() {
        let err = split(&[0, 1], &TrainConfig { test_fraction: 0.1, ..TrainConfig::default() }).unwrap_err();
        assert!(err.to_string().contains("too few"), "{err}");
    }
}
