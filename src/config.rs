//! The whole configuration of a run, as one serializable value: what the CLI's flags build,
//! what the browser keeps in its URL, and what a saved run records.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::data::{ColumnKind, LabelRule, Schema};
use crate::features::{FeatureConfig, Role};
use crate::model::Mode;
use crate::train::{OptimizerKind, SplitKind, TrainConfig};
use crate::{Error, Result};

/// Features and training settings together.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Label, roles, crosses and encoding sizes.
    pub features: FeatureConfig,
    /// Models, optimizer, batches, epochs, split and seed.
    pub train: TrainConfig,
}

/// A study's whole setup, one choice away: `widedeep train ml-1m.zip --setup seed`, or the page's
/// "The seed study" preset. Each names the MovieLens columns it uses; every other column of the
/// file is ignored, so the same setup fits ML-1M, ML-100K and the benchmark's joined file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Setup {
    /// The Wide & Deep seed study: label `liked` (rating ≥ 4); wide: genres, gender, age group and
    /// the gender × age cross; deep: genres and 8-d embeddings of gender, age and occupation,
    /// MLP 64-32-16; AdaGrad 0.01, batch 200, a random 70/30 split with seed 100, 20 epochs.
    Seed,
    /// The seed's columns plus user and movie ids in both parts and a user × genre cross
    /// (20,000 buckets); Adam 0.001, batch 256, 8 epochs: clearly better on MovieLens 100K.
    Ids,
}

impl Setup {
    /// Every setup, for listing.
    pub const ALL: [Setup; 2] = [Setup::Seed, Setup::Ids];

    /// The name used by `--setup` and the page.
    pub fn name(self) -> &'static str {
        match self {
            Self::Seed => "seed",
            Self::Ids => "ids",
        }
    }

    /// The columns the setup uses and their parts.
    fn roles(self) -> Vec<(&'static str, Role)> {
        let mut roles = vec![("genres", Role::Both), ("gender", Role::Both), ("age", Role::Both), ("occupation", Role::Deep)];
        if self == Self::Ids {
            roles[3].1 = Role::Both;
            roles.extend([("user_id", Role::Both), ("movie_id", Role::Both)]);
        }
        roles
    }

    /// The setup's configuration for a file with `schema`: its columns in their roles, every
    /// other column ignored; an error names the columns the file lacks.
    pub fn config(self, schema: &Schema) -> Result<Config> {
        let roles = self.roles();
        let missing: Vec<&str> =
            ["liked"].into_iter().chain(roles.iter().map(|(c, _)| *c)).filter(|c| schema.column(c).is_none()).collect();
        if !missing.is_empty() {
            return Err(Error::Config(format!(
                "the {} setup needs MovieLens columns the file lacks: {} (load a MovieLens archive)",
                self.name(),
                missing.join(", ")
            )));
        }
        let mut all: BTreeMap<String, Role> = schema.columns.iter().map(|c| (c.name.clone(), Role::Ignore)).collect();
        all.remove("liked");
        all.extend(roles.into_iter().map(|(c, r)| (c.to_string(), r)));
        let strings = |columns: &[&str]| columns.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        let seed = self == Self::Seed;
        let features = FeatureConfig {
            label_rule: LabelRule::Positive { value: "1".into() },
            roles: all,
            // The seed one-hot encodes and embeds age groups: ages are categories, not a number.
            kinds: [("age".to_string(), ColumnKind::Categorical)].into(),
            crosses: if seed {
                vec![strings(&["gender", "age"])]
            } else {
                vec![strings(&["gender", "age"]), strings(&["user_id", "genres"])]
            },
            hash_buckets: if seed { FeatureConfig::default().hash_buckets } else { 20_000 },
            embedding_dim: seed.then_some(8),
            ..FeatureConfig::for_label("liked")
        };
        let train = TrainConfig {
            modes: Mode::ALL.to_vec(),
            hidden: vec![64, 32, 16],
            optimizer: if seed { OptimizerKind::Adagrad } else { OptimizerKind::Adam },
            learning_rate: Some(if seed { 0.01 } else { 0.001 }),
            batch_size: if seed { 200 } else { 256 },
            epochs: if seed { 20 } else { 8 },
            test_fraction: 0.3,
            split: SplitKind::Random,
            seed: 100,
            ..TrainConfig::default()
        };
        Ok(Config { features, train })
    }
}

impl std::str::FromStr for Setup {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|setup| setup.name() == s)
            .ok_or_else(|| Error::Config(format!("unknown setup '{s}': expected seed or ids")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::read_table;

    fn schema(text: &str) -> Schema {
        Schema::infer(&read_table(text.as_bytes()).unwrap())
    }

    #[test]
    fn the_seed_setup_uses_its_columns_and_ignores_the_rest() {
        let schema = schema(
            "user_id,movie_id,rating,liked,gender,age,occupation,genres,title\n1,2,5,1,F,25,3,Drama|War,X\n2,3,1,0,M,35,4,Comedy,Y\n",
        );
        let config = Setup::Seed.config(&schema).unwrap();
        let roles = &config.features.roles;
        assert_eq!((roles["genres"], roles["gender"], roles["age"], roles["occupation"]), (Role::Both, Role::Both, Role::Both, Role::Deep));
        assert!(["user_id", "movie_id", "rating", "title"].iter().all(|c| roles[*c] == Role::Ignore));
        assert!(!roles.contains_key("liked"), "the label has no role");
        assert_eq!(config.features.crosses, [vec!["gender".to_string(), "age".to_string()]]);
        assert_eq!(
            (config.train.optimizer, config.train.learning_rate, config.train.batch_size),
            (OptimizerKind::Adagrad, Some(0.01), 200)
        );
        let ids = Setup::Ids.config(&schema).unwrap();
        assert_eq!((ids.features.roles["user_id"], ids.features.roles["occupation"]), (Role::Both, Role::Both));
        assert_eq!(ids.features.hash_buckets, 20_000);
        assert_eq!("ids".parse::<Setup>().unwrap(), Setup::Ids);
        assert!("nope".parse::<Setup>().unwrap_err().to_string().contains("expected seed or ids"));
    }

    #[test]
    fn a_file_without_the_columns_is_told_what_it_lacks() {
        let error = Setup::Seed.config(&schema("gender,age,y\nF,1,0\nM,2,1\n")).unwrap_err().to_string();
        assert_eq!(
            error,
            "invalid setting: the seed setup needs MovieLens columns the file lacks: liked, genres, occupation (load a MovieLens archive)"
        );
    }
}
