//! The whole configuration of a run, as one serializable value: what the CLI's flags build,
//! what the browser keeps in its URL, and what a saved run records.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::data::{ColumnKind, LabelRule, Schema};
use crate::features::{FeatureConfig, Role};
use crate::model::Mode;
use crate::train::{OptimizerKind, TrainConfig};
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

/// A named setup, one choice away: `widedeep train ml-1m.zip --setup seed`, or the page's preset
/// of the same name. The one home of each preset's settings, so the CLI reproduces exactly what
/// the page shows. The MovieLens studies name the columns they use and ignore every other column
/// of the file, so the same setup fits ML-1M, ML-100K and the benchmark's joined file; the others
/// change only what their story needs and keep the defaults elsewhere.
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
    /// UCI Adult (`data/adult.csv`): income >50K from census answers, `fnlwgt` (a sampling
    /// weight, not a trait) ignored, with education × occupation, native-country × occupation
    /// and gender × age crosses.
    Adult,
    /// The memorize-vs-generalize story (`widedeep generate memorize`): a city × product cross,
    /// 2-d embeddings and one hidden layer of 16, Adam 0.01, 6 epochs.
    Memorize,
    /// The generated MovieLens-shaped ratings (`widedeep generate movielens`) as the seed study
    /// reads them, ids ignored: AdaGrad 0.01, batch 200, 8-d embeddings, 5 epochs.
    Movielens,
    /// Predict the stars: the rating itself (1–5, a regression) from the ids setup's columns and
    /// cross, on a MovieLens archive or the generated ratings; Adam 0.001, batch 256, 8 epochs.
    Stars,
    /// Home prices (`widedeep generate prices`), a regression: a neighbourhood × kind cross,
    /// 2-d embeddings and one hidden layer of 16, Adam 0.01, 10 epochs.
    Prices,
    /// Readers' genres (`widedeep generate readers`), four classes: a city × shelf cross, 2-d
    /// embeddings and one hidden layer of 16, Adam 0.01, 8 epochs.
    Readers,
}

impl Setup {
    /// Every setup, for listing.
    pub const ALL: [Setup; 8] =
        [Setup::Seed, Setup::Ids, Setup::Adult, Setup::Memorize, Setup::Movielens, Setup::Stars, Setup::Prices, Setup::Readers];

    /// The name used by `--setup` and the page.
    pub fn name(self) -> &'static str {
        match self {
            Self::Seed => "seed",
            Self::Ids => "ids",
            Self::Adult => "adult",
            Self::Memorize => "memorize",
            Self::Movielens => "movielens",
            Self::Stars => "stars",
            Self::Prices => "prices",
            Self::Readers => "readers",
        }
    }

    /// The label column and its rule: a positive value, or the number itself.
    fn label(self) -> (&'static str, LabelRule) {
        let positive = |value: &str| LabelRule::Positive { value: value.into() };
        let number = LabelRule::Number { mean: 0.0, sd: 1.0 };
        match self {
            Self::Seed | Self::Ids | Self::Movielens => ("liked", positive("1")),
            Self::Adult => ("income", positive(">50K")),
            Self::Memorize => ("bought", positive("1")),
            Self::Stars => ("rating", number),
            Self::Prices => ("price", number),
            Self::Readers => ("genre", LabelRule::Classes { values: Vec::new() }),
        }
    }

    /// The columns whose part the setup chooses.
    fn roles(self) -> Vec<(&'static str, Role)> {
        let seed = vec![("genres", Role::Both), ("gender", Role::Both), ("age", Role::Both), ("occupation", Role::Deep)];
        match self {
            Self::Seed => seed,
            Self::Ids | Self::Stars => {
                [&seed[..3], &[("occupation", Role::Both), ("user_id", Role::Both), ("movie_id", Role::Both)]].concat()
            }
            Self::Adult => vec![("fnlwgt", Role::Ignore)],
            Self::Memorize => vec![("price", Role::Ignore)],
            Self::Prices | Self::Readers => Vec::new(),
            Self::Movielens => [
                ("timestamp", Role::Ignore),
                ("zip_code", Role::Ignore),
                ("user_id", Role::Ignore),
                ("movie_id", Role::Ignore),
                ("occupation", Role::Deep),
            ]
            .into(),
        }
    }

    /// The setup's crosses.
    fn crosses(self) -> &'static [&'static [&'static str]] {
        match self {
            Self::Seed | Self::Movielens => &[&["gender", "age"]],
            Self::Ids | Self::Stars => &[&["gender", "age"], &["user_id", "genres"]],
            Self::Prices => &[&["neighbourhood", "kind"]],
            Self::Readers => &[&["city", "shelf"]],
            Self::Adult => &[&["education", "occupation"], &["native-country", "occupation"], &["gender", "age"]],
            Self::Memorize => &[&["city", "product"]],
        }
    }

    /// Whether every column the setup does not name is ignored (the studies read only theirs).
    fn only_its_columns(self) -> bool {
        matches!(self, Self::Seed | Self::Ids | Self::Stars)
    }

    /// The setup's configuration for a file with `schema`: its columns in their roles (every
    /// other column ignored, for the studies); an error names the columns the file lacks.
    pub fn config(self, schema: &Schema) -> Result<Config> {
        let (label, _) = self.label();
        let roles = self.roles();
        let named = [label].into_iter().chain(roles.iter().map(|(c, _)| *c)).chain(self.crosses().iter().flat_map(|c| c.iter().copied()));
        let mut missing: Vec<&str> = Vec::new();
        named.filter(|c| schema.column(c).is_none()).for_each(|c| {
            if !missing.contains(&c) {
                missing.push(c)
            }
        });
        if !missing.is_empty() {
            let load = match self {
                Self::Seed | Self::Ids | Self::Stars => "load a MovieLens archive",
                Self::Prices => "generate it with the prices preset",
                Self::Readers => "generate it with the readers preset",
                Self::Adult => "load data/adult.csv",
                Self::Memorize => "generate it with the memorize preset",
                Self::Movielens => "generate it with the movielens preset",
            };
            return Err(Error::Data(format!("the {} setup needs columns the file lacks: {} ({load})", self.name(), missing.join(", "))));
        }
        let mut config = self.settings();
        if self.only_its_columns() {
            let others = schema.columns.iter().filter(|c| c.name != label && !config.features.roles.contains_key(&c.name));
            let ignored: Vec<String> = others.map(|c| c.name.clone()).collect();
            config.features.roles.extend(ignored.into_iter().map(|c| (c, Role::Ignore)));
        }
        Ok(config)
    }

    /// The setup's settings without a file: its label, the roles of the columns it names, its
    /// crosses, sizes and training. What the page's presets start from before their data loads.
    pub fn settings(self) -> Config {
        let (label, label_rule) = self.label();
        let features = FeatureConfig {
            task: Some(label_rule.task()),
            label_rule,
            roles: self.roles().into_iter().map(|(c, r)| (c.to_string(), r)).collect(),
            // The seed one-hot encodes and embeds age groups: ages are categories, not a number.
            kinds: if self.only_its_columns() { [("age".to_string(), ColumnKind::Categorical)].into() } else { BTreeMap::new() },
            crosses: self.crosses().iter().map(|c| c.iter().map(|s| s.to_string()).collect()).collect(),
            hash_buckets: if matches!(self, Self::Ids | Self::Stars) { 20_000 } else { FeatureConfig::default().hash_buckets },
            embedding_dim: match self {
                Self::Seed | Self::Movielens => Some(8),
                Self::Memorize | Self::Prices | Self::Readers => Some(2),
                Self::Ids | Self::Adult | Self::Stars => None,
            },
            ..FeatureConfig::for_label(label)
        };
        Config { features, train: self.training() }
    }

    /// The training settings: all three models raced, the rest as the setup's story needs.
    fn training(self) -> TrainConfig {
        let base = TrainConfig { modes: Mode::ALL.to_vec(), ..TrainConfig::default() };
        let adagrad = TrainConfig { optimizer: OptimizerKind::Adagrad, learning_rate: Some(0.01), batch_size: 200, ..base.clone() };
        match self {
            Self::Seed => TrainConfig { epochs: 20, ..adagrad },
            Self::Movielens => TrainConfig { epochs: 5, ..adagrad },
            Self::Ids | Self::Stars => TrainConfig { learning_rate: Some(0.001), epochs: 8, ..base },
            Self::Prices => TrainConfig { hidden: vec![16], learning_rate: Some(0.01), epochs: 10, ..base },
            Self::Readers => TrainConfig { hidden: vec![16], learning_rate: Some(0.01), epochs: 8, ..base },
            Self::Adult => base,
            Self::Memorize => TrainConfig { hidden: vec![16], learning_rate: Some(0.01), epochs: 6, ..base },
        }
    }
}

impl std::str::FromStr for Setup {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Self::ALL.into_iter().find(|setup| setup.name() == s).ok_or_else(|| {
            let names: Vec<&str> = Self::ALL.iter().map(|s| s.name()).collect();
            Error::Config(format!("unknown setup '{s}': expected one of {}", names.join(", ")))
        })
    }
}

/// The items of comma-separated values (the CLI's `--role a=deep,b=wide --role c=both`, a sweep's
/// `cross=a,b:on,off`), where a name in double quotes may hold commas (`"city, state"=wide`; `""` is a quote inside). The
/// quotes are removed; blank items are dropped.
pub fn comma_list(values: &[String]) -> Vec<String> {
    let mut items = Vec::new();
    for value in values {
        let (mut item, mut quoted, mut chars) = (String::new(), false, value.chars().peekable());
        while let Some(c) = chars.next() {
            match c {
                '"' if quoted && chars.peek() == Some(&'"') => {
                    item.push('"');
                    chars.next();
                }
                '"' => quoted = !quoted,
                ',' if !quoted => items.push(std::mem::take(&mut item)),
                c => item.push(c),
            }
        }
        items.push(item);
    }
    items.into_iter().map(|item| item.trim().to_string()).filter(|item| !item.is_empty()).collect()
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
        assert!("nope".parse::<Setup>().unwrap_err().to_string().contains("expected one of seed, ids, adult, memorize, movielens"));
    }

    #[test]
    fn the_page_presets_are_setups_too() {
        let adult =
            schema("age,education,occupation,native-country,gender,fnlwgt,income\n30,HS,Sales,US,F,1,<=50K\n40,BA,Tech,US,M,2,>50K\n");
        let config = Setup::Adult.config(&adult).unwrap();
        let crosses: Vec<String> = config.features.crosses.iter().map(|c| c.join(" x ")).collect();
        assert_eq!(crosses, ["education x occupation", "native-country x occupation", "gender x age"]);
        assert_eq!(config.features.roles, [("fnlwgt".to_string(), Role::Ignore)].into());
        assert_eq!(config.features.label_rule, LabelRule::Positive { value: ">50K".into() });
        assert_eq!((config.train.modes.len(), config.train.epochs), (3, TrainConfig::default().epochs));
        let memorize = Setup::Memorize.config(&schema("city,product,price,bought\na,b,1,0\nc,d,2,1\n")).unwrap();
        assert_eq!((memorize.features.embedding_dim, memorize.train.hidden.clone()), (Some(2), vec![16]));
        assert_eq!((memorize.train.learning_rate, memorize.train.epochs), (Some(0.01), 6));
        assert_eq!(memorize.features.crosses, [vec!["city".to_string(), "product".to_string()]]);
        let error = Setup::Adult.config(&schema("x,income\n1,a\n2,b\n")).unwrap_err();
        assert_eq!((error.kind(), error.to_string().ends_with("(load data/adult.csv)")), ("data", true));
        assert_eq!("movielens".parse::<Setup>().unwrap(), Setup::Movielens);
    }

    #[test]
    fn a_file_without_the_columns_is_told_what_it_lacks() {
        let error = Setup::Seed.config(&schema("gender,age,y\nF,1,0\nM,2,1\n")).unwrap_err().to_string();
        assert_eq!(error, "the seed setup needs columns the file lacks: liked, genres, occupation (load a MovieLens archive)");
    }
}
