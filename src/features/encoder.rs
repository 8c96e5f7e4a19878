//! The fitted encoder: every field and cross, where their ids live, and row encoding.

use serde::{Deserialize, Serialize};

use super::encoded::{Encoded, PAD};
use super::field::{Field, FieldColumn, default_embedding_dim};
use super::names::{BucketNames, combinations, cross_ids, name_buckets};
use super::{FeatureConfig, Role};
use crate::data::{LabelRule, Schema, Table};
use crate::{Error, Result, limits};

/// A cross-product feature of 2 or 3 fields, hashed into `hash_buckets` ids.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cross {
    /// The crossed columns, as the user named them.
    pub columns: Vec<String>,
    /// Their indices in [`Encoder::fields`].
    pub fields: Vec<usize>,
    /// The value combinations behind each used bucket, counted on the training rows.
    #[serde(default)]
    pub names: Vec<BucketNames>,
}

/// A wide id in words, for showing what the wide part memorized.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WideName {
    /// The value (`education=Doctorate`) or the bucket's most frequent combination
    /// (`city=city_10 × product=product_03`).
    pub feature: String,
    /// The bucket's other frequent combinations, with their training rows.
    pub others: Vec<(String, u32)>,
    /// Combinations in the bucket beyond the named ones (hash collisions).
    pub more: u32,
}

impl Cross {
    /// A readable name like `education x occupation`.
    pub fn name(&self) -> String {
        self.columns.join(" x ")
    }
}

/// Everything needed to encode a file the way the model was trained: stored with a saved model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Encoder {
    /// The label column.
    pub label: String,
    /// The explicit rule for the label: which values are positive, or a regression's scale.
    pub label_rule: LabelRule,
    /// Every column the model reads, in header order.
    pub fields: Vec<Field>,
    /// The crosses.
    pub crosses: Vec<Cross>,
    /// Hash buckets per cross.
    pub hash_buckets: usize,
    /// A fixed embedding size, or `None` for [`default_embedding_dim`].
    pub embedding_dim: Option<usize>,
}

/// Where a wide feature's ids start in the single wide table.
#[derive(Debug, Clone, PartialEq)]
pub struct WideBlock {
    /// `column` or `a x b`.
    pub name: String,
    /// First id.
    pub offset: u32,
    /// Number of ids.
    pub size: usize,
    /// Slots per row.
    pub slots: usize,
    /// The field, or `None` for a cross.
    pub field: Option<usize>,
}

/// Deep fields that share one embedding table: single-valued fields of one size, or one
/// multi-valued field whose token embeddings are mean-pooled.
#[derive(Debug, Clone, PartialEq)]
pub struct DeepGroup {
    /// Embedding size.
    pub dim: usize,
    /// Rows in the table.
    pub size: usize,
    /// Id slots per row.
    pub slots: usize,
    /// Whether slots are tokens of one field, averaged (else one slot per field, concatenated).
    pub pooled: bool,
    /// The fields, with the offset of each one's ids in the table.
    pub fields: Vec<(usize, u32)>,
}

/// The shape of the model's input and what it predicts, derived from the encoder.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// The label's rule: the task, and a regression's scale (to read outputs in the target's units).
    pub target: LabelRule,
    /// Wide features in id order.
    pub wide: Vec<WideBlock>,
    /// Deep embedding tables.
    pub deep: Vec<DeepGroup>,
    /// Fields read as standardized numbers by the deep part.
    pub numeric: Vec<usize>,
}

impl Layout {
    /// Ids in the wide table.
    pub fn wide_size(&self) -> usize {
        self.wide.iter().map(|b| b.size).sum()
    }

    /// Wide slots per row.
    pub fn wide_slots(&self) -> usize {
        self.wide.iter().map(|b| b.slots).sum()
    }

    /// Width of the deep MLP's input.
    pub fn deep_width(&self) -> usize {
        let embedded: usize = self.deep.iter().map(|g| if g.pooled { g.dim } else { g.dim * g.slots }).sum();
        embedded + self.numeric.len()
    }
}

impl Encoder {
    /// Fits every field on `train_rows`, after checking the configuration against the table.
    pub fn fit(table: &Table, schema: &Schema, config: &FeatureConfig, label_rule: LabelRule, train_rows: &[usize]) -> Result<Self> {
        validate(table, config)?;
        let used = |name: &str| config.crosses.iter().flatten().any(|c| c == name);
        let mut fields = Vec::new();
        for (column, info) in table.columns.iter().zip(&schema.columns) {
            let role = config.role_of(info);
            if column.name == config.label || (role == Role::Ignore && !used(&column.name)) {
                continue;
            }
            let kind = config.kind_of(info);
            let edges = config.bucket_edges.get(&column.name).map(Vec::as_slice);
            fields.push(Field::fit(column, kind, role, train_rows, config.quantile_buckets, edges, config.max_tokens));
        }
        if !fields.iter().any(|f| f.role != Role::Ignore) && config.crosses.is_empty() {
            return Err(Error::Config("no feature columns: every column is ignored or is the label".into()));
        }
        let mut crosses: Vec<Cross> = config
            .distinct_crosses()
            .into_iter()
            .map(|columns| Cross {
                columns: columns.clone(),
                fields: columns.iter().map(|c| fields.iter().position(|f| &f.column == c).expect("cross columns are fitted")).collect(),
                names: Vec::new(),
            })
            .collect();
        for (index, cross) in crosses.iter_mut().enumerate() {
            let columns: Vec<FieldColumn> =
                cross.fields.iter().map(|&f| Ok(fields[f].map_column(table.column(&fields[f].column)?))).collect::<Result<_>>()?;
            let rows = train_rows.iter().map(|&row| columns.iter().map(|c| c.ids(row)).collect());
            cross.names = name_buckets(index, config.hash_buckets, rows);
        }
        Ok(Self {
            label: config.label.clone(),
            label_rule,
            fields,
            crosses,
            hash_buckets: config.hash_buckets,
            embedding_dim: config.embedding_dim,
        })
    }

    /// Checks an encoder read from a saved model before anything is sized or indexed by it: each
    /// field, each cross's columns, and the sizes against [`limits`].
    pub fn check(&self) -> Result<()> {
        let bad = |problem: String| Err(Error::ModelFile(problem));
        self.fields.iter().try_for_each(Field::check)?;
        for cross in &self.crosses {
            let known = cross.fields.iter().all(|&f| f < self.fields.len());
            let distinct = cross.fields.iter().enumerate().all(|(i, f)| !cross.fields[..i].contains(f));
            if !(2..=3).contains(&cross.fields.len()) || !known || !distinct {
                return bad(format!(
                    "the cross {} names fields {:?} of the {} the model has",
                    cross.name(),
                    cross.fields,
                    self.fields.len()
                ));
            }
        }
        if !(1..=limits::MAX_HASH_BUCKETS).contains(&self.hash_buckets) || self.crosses.len() > limits::MAX_CROSSES {
            return bad(format!(
                "{} crosses of {} hash buckets: the limits are {} crosses of 1 to {} buckets",
                self.crosses.len(),
                self.hash_buckets,
                limits::MAX_CROSSES,
                limits::MAX_HASH_BUCKETS
            ));
        }
        match self.embedding_dim {
            Some(dim) if !(1..=limits::MAX_EMBEDDING_DIM).contains(&dim) => {
                bad(format!("its embedding size {dim} is not between 1 and {}", limits::MAX_EMBEDDING_DIM))
            }
            _ => Ok(()),
        }
    }

    /// Where every feature's ids go.
    pub fn layout(&self) -> Layout {
        let mut wide = Vec::new();
        let mut offset = 0u32;
        for (i, f) in self.fields.iter().enumerate().filter(|(_, f)| f.role.wide()) {
            wide.push(WideBlock { name: f.column.clone(), offset, size: f.cardinality(), slots: f.slots(), field: Some(i) });
            offset += f.cardinality() as u32;
        }
        for cross in &self.crosses {
            let slots = cross.fields.iter().map(|&i| self.fields[i].slots()).product();
            wide.push(WideBlock { name: cross.name(), offset, size: self.hash_buckets, slots, field: None });
            offset += self.hash_buckets as u32;
        }
        let deep_fields = self.fields.iter().enumerate().filter(|(_, f)| f.role.deep());
        let mut deep: Vec<DeepGroup> = Vec::new();
        let mut numeric = Vec::new();
        for (i, f) in deep_fields {
            if !f.embedded() {
                numeric.push(i);
                continue;
            }
            let dim = self.embedding_dim.unwrap_or_else(|| default_embedding_dim(f.cardinality()));
            let pooled = f.slots() > 1;
            match deep.iter_mut().find(|g| !pooled && !g.pooled && g.dim == dim) {
                Some(g) => {
                    g.fields.push((i, g.size as u32));
                    g.size += f.cardinality();
                    g.slots += 1;
                }
                None => deep.push(DeepGroup { dim, size: f.cardinality(), slots: f.slots(), pooled, fields: vec![(i, 0)] }),
            }
        }
        Layout { target: self.label_rule.clone(), wide, deep, numeric }
    }

    /// Encodes `rows` of `table` (which must have every field's column; the label is optional).
    pub fn encode(&self, table: &Table, rows: &[usize], targets: Option<&[Option<f64>]>) -> Result<Encoded> {
        let layout = self.layout();
        let columns: Vec<FieldColumn> = self.fields.iter().map(|f| Ok(f.map_column(table.column(&f.column)?))).collect::<Result<_>>()?;
        let mut out = Encoded {
            rows: rows.len(),
            wide: Vec::with_capacity(rows.len() * layout.wide_slots()),
            deep: layout.deep.iter().map(|g| Vec::with_capacity(rows.len() * g.slots)).collect(),
            numeric: Vec::with_capacity(rows.len() * layout.numeric.len()),
            targets: Vec::new(),
            source_rows: rows.to_vec(),
        };
        for &row in rows {
            self.encode_wide(&layout, &columns, row, &mut out.wide);
            for (group, ids) in layout.deep.iter().zip(&mut out.deep) {
                for &(field, offset) in &group.fields {
                    push_padded(ids, columns[field].ids(row).iter().map(|&id| offset + id), self.fields[field].slots());
                }
            }
            out.numeric.extend(layout.numeric.iter().map(|&f| columns[f].value(row)));
        }
        if let Some(targets) = targets {
            out.targets = rows.iter().map(|&r| self.label_rule.target(targets[r].unwrap_or(0.0))).collect();
        }
        Ok(out)
    }

    fn encode_wide(&self, layout: &Layout, columns: &[FieldColumn], row: usize, wide: &mut Vec<u32>) {
        let mut crosses = self.crosses.iter().enumerate();
        for block in &layout.wide {
            match block.field {
                Some(f) => push_padded(wide, columns[f].ids(row).iter().map(|&id| block.offset + id), block.slots),
                None => {
                    let (index, cross) = crosses.next().expect("one block per cross");
                    let parts: Vec<&[u32]> = cross.fields.iter().map(|&f| columns[f].ids(row)).collect();
                    let ids = cross_ids(index, &parts, self.hash_buckets).into_iter().map(|h| block.offset + h);
                    push_padded(wide, ids, block.slots);
                }
            }
        }
    }

    /// The readable name of wide id `id` (for showing learned weights): a value, or the named
    /// combinations of a cross bucket.
    pub fn name_wide_id(&self, layout: &Layout, id: u32) -> WideName {
        let block = layout.wide.iter().rev().find(|b| b.offset <= id).expect("ids start at 0");
        let bucket = id - block.offset;
        let cross = match block.field {
            Some(f) => return WideName { feature: self.fields[f].describe_id(bucket), others: Vec::new(), more: 0 },
            None => {
                &self.crosses
                    [layout.wide.iter().filter(|b| b.field.is_none()).position(|b| b.offset == block.offset).expect("a cross block")]
            }
        };
        let unnamed = || WideName { feature: format!("{} (bucket {bucket}: no training row)", block.name), others: Vec::new(), more: 0 };
        let Ok(found) = cross.names.binary_search_by_key(&bucket, |b| b.bucket) else { return unnamed() };
        let names = &cross.names[found];
        let mut named = names.top.iter().map(|combo| (self.name_combo(cross, &combo.ids), combo.rows));
        let Some((feature, _)) = named.next() else { return unnamed() };
        WideName { feature, others: named.collect(), more: names.more }
    }

    /// Every wide id that `row` of `table` fires, each named by the row's own values (a cross
    /// by the row's combination, not by its bucket's most frequent one): for explaining a score.
    pub fn fired(&self, layout: &Layout, table: &Table, row: usize) -> Result<Vec<(u32, String)>> {
        let columns: Vec<FieldColumn> = self.fields.iter().map(|f| Ok(f.map_column(table.column(&f.column)?))).collect::<Result<_>>()?;
        let mut crosses = self.crosses.iter().enumerate();
        let mut fired = Vec::new();
        for block in &layout.wide {
            match block.field {
                Some(f) => fired.extend(columns[f].ids(row).iter().map(|&id| (block.offset + id, self.fields[f].describe_id(id)))),
                None => {
                    let (index, cross) = crosses.next().expect("one block per cross");
                    let parts: Vec<&[u32]> = cross.fields.iter().map(|&f| columns[f].ids(row)).collect();
                    let ids = cross_ids(index, &parts, self.hash_buckets);
                    fired.extend(
                        ids.into_iter().zip(combinations(&parts)).map(|(h, combo)| (block.offset + h, self.name_combo(cross, &combo))),
                    );
                }
            }
        }
        Ok(fired)
    }

    /// `city=city_10 × product=product_03` for one combination of a cross's field ids.
    fn name_combo(&self, cross: &Cross, ids: &[u32]) -> String {
        cross.fields.iter().zip(ids).map(|(&f, &id)| self.fields[f].describe_id(id)).collect::<Vec<_>>().join(" × ")
    }
}

fn push_padded(out: &mut Vec<u32>, ids: impl Iterator<Item = u32>, slots: usize) {
    let start = out.len();
    out.extend(ids.take(slots));
    out.resize(start + slots, PAD);
}

fn validate(table: &Table, config: &FeatureConfig) -> Result<()> {
    table.column(&config.label)?;
    // A set of the names, so a configuration naming every one of 100,000 columns is checked in
    // linear time; the table's own lookup words the error.
    let names: std::collections::HashSet<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
    for name in config.roles.keys().chain(config.kinds.keys()).chain(config.bucket_edges.keys()) {
        if !names.contains(name.as_str()) {
            table.column(name)?;
        }
    }
    for cross in &config.crosses {
        if !(2..=3).contains(&cross.len()) {
            return Err(Error::Config(format!("a cross needs 2 or 3 columns, got {}: {}", cross.len(), cross.join(", "))));
        }
        for (i, name) in cross.iter().enumerate() {
            table.column(name)?;
            if *name == config.label {
                return Err(Error::Config(format!("the cross {} uses the label column '{name}'", cross.join(" x "))));
            }
            if cross[..i].contains(name) {
                return Err(Error::Config(format!("the cross {} names '{name}' twice", cross.join(" x "))));
            }
        }
    }
    for (name, edges) in &config.bucket_edges {
        if edges.is_empty() || edges.windows(2).any(|w| w[0] >= w[1]) || edges.iter().any(|e| !e.is_finite()) {
            return Err(Error::Config(format!("bucket edges for '{name}' must be finite and strictly increasing")));
        }
    }
    let within = |name: &str, value: usize, max: usize| match value {
        0 => Err(Error::Config(format!("{name} must be at least 1"))),
        v if v > max => Err(Error::Limit(format!("{name} is {v}, over the limit of {max}"))),
        _ => Ok(()),
    };
    within("the number of hash buckets", config.hash_buckets, limits::MAX_HASH_BUCKETS)?;
    within("the number of quantile buckets", config.quantile_buckets, limits::MAX_QUANTILE_BUCKETS)?;
    within("the most tokens per cell", config.max_tokens, limits::MAX_TOKENS)?;
    let crosses = config.distinct_crosses().len();
    if crosses > limits::MAX_CROSSES {
        return Err(Error::Limit(format!("{crosses} different crosses, over the limit of {}", limits::MAX_CROSSES)));
    }
    if let Some(dim) = config.embedding_dim
        && !(1..=limits::MAX_EMBEDDING_DIM).contains(&dim)
    {
        return Err(Error::Config(format!("the embedding size must be between 1 and {}, got {dim}", limits::MAX_EMBEDDING_DIM)));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::read_table;

    const CSV: &str = "color,size,genres,score,y\nred,S,a|b,1.5,1\nblue,M,b,2.5,0\nred,L,a|c|b,NA,1\ngreen,S,,4.0,0\n";

    fn fitted(config: FeatureConfig) -> (Table, Encoder) {
        let table = read_table(CSV.as_bytes()).unwrap();
        let schema = Schema::infer(&table);
        let encoder = Encoder::fit(&table, &schema, &config, LabelRule::Positive { value: "1".into() }, &[0, 1, 2, 3]).unwrap();
        (table, encoder)
    }

    fn config() -> FeatureConfig {
        FeatureConfig {
            crosses: vec![vec!["color".into(), "genres".into()]],
            hash_buckets: 7,
            quantile_buckets: 2,
            ..FeatureConfig::for_label("y")
        }
    }

    #[test]
    fn layout_places_fields_then_crosses() {
        let (_, e) = fitted(config());
        let layout = e.layout();
        let names: Vec<_> = layout.wide.iter().map(|b| (b.name.as_str(), b.offset, b.size, b.slots)).collect();
        assert_eq!(names, [("color", 0, 4, 1), ("size", 4, 4, 1), ("genres", 8, 4, 3), ("score", 12, 3, 1), ("color x genres", 15, 7, 3)]);
        assert_eq!(layout.wide_size(), 22);
        assert_eq!(layout.wide_slots(), 9);
        assert_eq!(layout.deep.len(), 2, "color and size share a table; genres is pooled");
        assert_eq!(layout.deep[0].fields, [(0, 0), (1, 4)]);
        assert!(layout.deep[1].pooled);
        assert_eq!(layout.numeric, [3]);
        assert_eq!(layout.deep_width(), 16 * 2 + 16 + 1, "three 4-id tables of size 16, one number");
    }

    #[test]
    fn encodes_ids_padding_crosses_and_numbers() {
        let (table, e) = fitted(config());
        let targets: Vec<Option<f64>> = vec![Some(1.0), Some(0.0), Some(1.0), Some(0.0)];
        let enc = e.encode(&table, &[0, 3], Some(&targets)).unwrap();
        let row0 = &enc.wide[..9];
        assert_eq!(&row0[..2], [1, 4 + 1]);
        assert_eq!(row0[4], PAD, "genres has 2 tokens in 3 slots");
        assert!(row0[6..8].iter().all(|&h| (15..22).contains(&h)));
        assert_eq!(row0[8], PAD);
        let row1 = &enc.wide[9..];
        assert_eq!(row1[2], 8, "empty genres is the unknown token");
        assert_eq!(row1[6], cross_ids(0, &[&[3], &[0]], 7)[0] + 15);
        assert_eq!(enc.targets, [1.0, 0.0]);
        assert_eq!(enc.numeric.len(), 2);
        assert_eq!(enc.deep[1][..3], [2, 1, PAD], "a then b; b is the most frequent token");
    }

    #[test]
    fn cross_ids_are_stable_and_spread() {
        assert_eq!(cross_ids(0, &[&[1], &[2]], 1000), cross_ids(0, &[&[1], &[2]], 1000));
        assert_ne!(cross_ids(0, &[&[1], &[2]], 1000), cross_ids(1, &[&[1], &[2]], 1000));
        assert_eq!(cross_ids(0, &[&[1, 2], &[3, 4]], 1000).len(), 4);
        let mut seen: Vec<u32> = (0..100).flat_map(|a| cross_ids(0, &[&[a], &[a + 1]], 1 << 20)).collect();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 100);
    }

    #[test]
    fn configuration_errors() {
        let table = read_table(CSV.as_bytes()).unwrap();
        let schema = Schema::infer(&table);
        let fit = |c: FeatureConfig| Encoder::fit(&table, &schema, &c, LabelRule::Auto, &[0, 1]).unwrap_err().to_string();
        let cross =
            |cols: &[&str]| FeatureConfig { crosses: vec![cols.iter().map(|c| c.to_string()).collect()], ..FeatureConfig::for_label("y") };
        assert_eq!(fit(cross(&["color"])), "invalid setting: a cross needs 2 or 3 columns, got 1: color");
        assert_eq!(fit(cross(&["color", "nope"])), "unknown column 'nope' (the columns are: color, size, genres, score, y)");
        assert!(fit(cross(&["color", "y"])).contains("uses the label column 'y'"));
        assert!(fit(cross(&["color", "color"])).contains("names 'color' twice"));
        assert!(fit(FeatureConfig::for_label("nope")).starts_with("unknown column 'nope'"));
        let edges = FeatureConfig { bucket_edges: [("score".to_string(), vec![2.0, 1.0])].into(), ..FeatureConfig::for_label("y") };
        assert!(fit(edges).contains("strictly increasing"));
        let roles = ["color", "size", "genres", "score"].map(|c| (c.to_string(), Role::Ignore)).into();
        assert!(fit(FeatureConfig { roles, ..FeatureConfig::for_label("y") }).contains("no feature columns"));
        assert!(fit(FeatureConfig { hash_buckets: 0, ..FeatureConfig::for_label("y") }).contains("hash buckets must be at least 1"));
    }

    #[test]
    fn names_wide_ids_by_value_and_by_the_combinations_in_a_bucket() {
        let (_, e) = fitted(config());
        let layout = e.layout();
        let name = |id| e.name_wide_id(&layout, id).feature;
        assert_eq!(name(1), "color=red");
        assert_eq!(name(0), "color=(missing or unseen)");
        // The training rows' color × genres combinations, listed by hand from CSV:
        // red×a, red×b (row 0), blue×b (row 1), red×a, red×c, red×b (row 2), green×(missing) (row 3).
        let mut seen: Vec<(String, u32)> = Vec::new();
        for bucket in 0..7 {
            let named = e.name_wide_id(&layout, 15 + bucket);
            if named.feature.contains("no training row") {
                continue;
            }
            let total = 1 + named.others.len() + named.more as usize;
            assert!(named.more == 0 || named.others.len() == 2, "{named:?}");
            seen.push((named.feature.clone(), total as u32));
            seen.extend(named.others.iter().map(|(n, _)| (n.clone(), 0)));
        }
        let mut names: Vec<&str> = seen.iter().map(|(n, _)| n.as_str()).collect();
        names.sort();
        assert_eq!(
            names,
            [
                "color=blue × genres=b",
                "color=green × genres=(missing or unseen)",
                "color=red × genres=a",
                "color=red × genres=b",
                "color=red × genres=c"
            ]
        );
        let red_a = e.crosses[0].names.iter().flat_map(|b| &b.top).find(|c| c.ids == [1, 2]).expect("red × a is counted");
        assert_eq!(red_a.rows, 2, "rows 0 and 2");
    }
}
