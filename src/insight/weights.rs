//! The wide part's largest weights, named: what the wide part memorized, in words.

use serde::{Deserialize, Serialize};

use crate::data::LabelRule;
use crate::features::{Encoded, Encoder, Layout, PAD};

/// How many named weights the page lists when it asks for none in particular: the largest by
/// magnitude that a panel shows at once (the CLI's `--top-weights N` asks for its own).
pub const WEIGHTS_SHOWN: usize = 15;

/// One learned wide weight with the feature behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WideWeight {
    /// Like `education=Doctorate` or `city=city_10 × product=product_03` (a cross bucket's most
    /// frequent combination).
    pub feature: String,
    /// Other frequent combinations in the same cross bucket, with their training rows.
    pub others: Vec<(String, u32)>,
    /// Combinations in the bucket beyond those named (hash collisions).
    pub more: u32,
    /// Training rows that have this feature (for a cross bucket: all its combinations).
    pub rows: u32,
    /// The weight: added to the logit of every row that has the feature (for a regression, to
    /// its prediction, in the label's units).
    pub weight: f64,
}

impl WideWeight {
    /// One line for a terminal: `city=city_10 × product=product_03 (+2 more) · 412 rows · +1.150`.
    pub fn line(&self) -> String {
        let more = self.others.len() as u32 + self.more;
        let more = if more > 0 { format!(" (+{more} more)") } else { String::new() };
        format!("{}{more} · {} rows · {:+.3}", self.feature, self.rows, self.weight)
    }
}

/// Training rows per wide id (each id counted once per row, however many slots it fills).
pub fn wide_rows(layout: &Layout, train: &Encoded) -> Vec<u32> {
    let mut rows = vec![0u32; layout.wide_size()];
    let slots = layout.wide_slots();
    for row in train.wide.chunks(slots.max(1)) {
        let mut seen: Vec<u32> = row.iter().copied().filter(|&id| id != PAD).collect();
        seen.sort_unstable();
        seen.dedup();
        seen.into_iter().for_each(|id| rows[id as usize] += 1);
    }
    rows
}

/// The `count` weights of largest magnitude among `weights` (one per wide id, or one per id and
/// class), named (`feature → class` for a class's weight).
pub fn top_wide_weights(encoder: &Encoder, layout: &Layout, rows: &[u32], weights: &[f32], count: usize) -> Vec<WideWeight> {
    // A regression's weights move its standard score: in the label's units they are `sd` times that.
    let scale = match layout.target {
        LabelRule::Number { sd, .. } => sd,
        _ => 1.0,
    };
    // A multiclass label's ids hold a weight per class (row-major): each names its class.
    let classes = layout.target.classes();
    let outputs = classes.len().max(1);
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| weights[b].abs().total_cmp(&weights[a].abs()).then(a.cmp(&b)));
    order
        .into_iter()
        .take(count)
        .map(|i| {
            let id = i / outputs;
            let name = encoder.name_wide_id(layout, id as u32);
            let feature = match classes.get(i % outputs) {
                Some(class) => format!("{} → {class}", name.feature),
                None => name.feature,
            };
            WideWeight { feature, others: name.others, more: name.more, rows: rows[id], weight: weights[i] as f64 * scale }
        })
        .collect()
}
