//! What the user chose: label, column roles, crosses and encoding sizes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::data::{ColumnInfo, ColumnKind, LabelRule, Task};

/// Which part of the model a column feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The linear wide part only (memorization).
    Wide,
    /// The deep MLP only (generalization).
    Deep,
    /// Both parts: the default for every usable column.
    Both,
    /// Neither (crosses may still use the column).
    Ignore,
}

impl Role {
    /// Whether the column feeds the wide part.
    pub fn wide(self) -> bool {
        matches!(self, Self::Wide | Self::Both)
    }

    /// Whether the column feeds the deep part.
    pub fn deep(self) -> bool {
        matches!(self, Self::Deep | Self::Both)
    }
}

/// The feature settings; every field has a default so a config can name only what it changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FeatureConfig {
    /// The label column.
    pub label: String,
    /// How label values become 0/1.
    pub label_rule: LabelRule,
    /// The task asked for; `None`: inferred from the label column (see [`LabelRule::Auto`]).
    pub task: Option<Task>,
    /// Role overrides; other columns get [`Role::Both`], or [`Role::Ignore`] when the schema
    /// marks them ignorable (text, constant, row keys).
    pub roles: BTreeMap<String, Role>,
    /// Kind overrides, for when inference guessed wrong.
    pub kinds: BTreeMap<String, ColumnKind>,
    /// Cross-product features, each of 2 or 3 columns.
    pub crosses: Vec<Vec<String>>,
    /// Hash buckets per cross.
    pub hash_buckets: usize,
    /// Quantile buckets per numeric column (wide part and crosses).
    pub quantile_buckets: usize,
    /// Explicit bucket edges for some numeric columns (like ages 18, 25, …, 65).
    pub bucket_edges: BTreeMap<String, Vec<f64>>,
    /// One embedding size for every column instead of [`default_embedding_dim`](super::default_embedding_dim).
    pub embedding_dim: Option<usize>,
    /// Most tokens kept per multi-valued cell.
    pub max_tokens: usize,
}

impl Default for FeatureConfig {
    fn default() -> Self {
        Self {
            label: String::new(),
            label_rule: LabelRule::Auto,
            task: None,
            roles: BTreeMap::new(),
            kinds: BTreeMap::new(),
            crosses: Vec::new(),
            hash_buckets: 1000,
            quantile_buckets: 10,
            bucket_edges: BTreeMap::new(),
            embedding_dim: None,
            max_tokens: 16,
        }
    }
}

impl FeatureConfig {
    /// Settings with everything default but the label.
    pub fn for_label(label: impl Into<String>) -> Self {
        Self { label: label.into(), ..Self::default() }
    }

    /// The kind a column is encoded as: the user's override, else the inferred one.
    pub fn kind_of(&self, info: &ColumnInfo) -> ColumnKind {
        self.kinds.get(&info.name).copied().unwrap_or(info.kind)
    }

    /// The crosses, each set of columns once: the same cross named twice (or in another order)
    /// would train the same buckets twice, at twice the cost.
    pub fn distinct_crosses(&self) -> Vec<&Vec<String>> {
        let mut seen = std::collections::HashSet::new();
        self.crosses
            .iter()
            .filter(|cross| {
                let mut set: Vec<&str> = cross.iter().map(String::as_str).collect();
                set.sort_unstable();
                seen.insert(set)
            })
            .collect()
    }

    /// The part a column feeds: the user's override, else [`Role::Ignore`] for columns the schema
    /// warns about (text, constants, row keys, leaks of the label) and [`Role::Both`] otherwise.
    pub fn role_of(&self, info: &ColumnInfo) -> Role {
        let ignorable = info.warning.is_some() || matches!(info.kind, ColumnKind::Text | ColumnKind::Constant);
        self.roles.get(&info.name).copied().unwrap_or(if ignorable { Role::Ignore } else { Role::Both })
    }
}
