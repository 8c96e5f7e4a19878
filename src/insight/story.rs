//! What a lesson may say about the pictures on screen: sentences written from the run's own
//! numbers (the cross map's outlined cells, the named weights, the logit split, the embedding
//! map), so a lesson never claims what this run does not show. Where the expected finding is not
//! there ("no cell departs from the deep model"), the sentence says what is there instead.

use serde::{Deserialize, Serialize};

use super::{CrossMap, EmbeddingMap, LogitSplit, MIN_CELL_ROWS, WideWeight};
use crate::model::Mode;

/// From this |r| on, a sentence says the first axis follows the map's mean target (the positive
/// rate, a class's share or a number's mean).
pub const FOLLOWS_RATE: f64 = 0.5;
/// Within this ratio the two parts are said to move the logit about as much.
const ABOUT_AS_MUCH: f64 = 1.5;

/// What a lesson may say about a cross map and the named weights listed beside it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrossStory {
    /// Outlined cells: where the data departs from the deep model.
    pub exceptions: usize,
    /// The outlined cell furthest from the deep model, if any.
    pub largest: Option<Exception>,
    /// Per listed weight, whether its combination is an outlined cell (the page marks them).
    pub outlined: Vec<bool>,
    /// The sentences, true of this map and these weights.
    pub text: String,
}

/// One outlined cell, as a lesson names it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exception {
    /// Like `city_06 × product_13`.
    pub cell: String,
    /// Test rows in the cell.
    pub rows: u32,
    /// The observed mean target (the positive rate of a yes/no label).
    pub observed: f64,
    /// The deep model's mean prediction there.
    pub deep: f64,
    /// The joint model's, when the map has it.
    pub joint: Option<f64>,
    /// Its wide weight and rank (1 = largest) among the weights listed, when listed.
    pub weight: Option<(usize, f64)>,
}

/// What a lesson may say about how much each part moves the joint model's logit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SplitStory {
    /// How many times as much the larger part moves the logit as the smaller.
    pub ratio: f64,
    /// The sentence.
    pub text: String,
}

/// What a lesson may say about an embedding map's panels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmbeddingStory {
    /// The sentences.
    pub text: String,
}

/// The pictures a lesson step shows, as the engine returned them; each is optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Shown {
    /// The cross map on screen.
    pub cross_map: Option<CrossMap>,
    /// The named weights listed beside it, largest first.
    pub weights: Vec<WideWeight>,
    /// The diagram's wide/deep split.
    pub split: Option<LogitSplit>,
    /// The embedding map's panels.
    pub embedding: Option<Vec<EmbeddingMap>>,
}

/// What a lesson may say about each picture in [`Shown`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Told {
    /// About the cross map and the weights.
    pub cross_map: Option<CrossStory>,
    /// About the diagram's split.
    pub split: Option<SplitStory>,
    /// About the embedding map.
    pub embedding: Option<EmbeddingStory>,
}

/// Every sentence the pictures in `shown` allow.
pub fn tell(shown: &Shown) -> Told {
    Told {
        cross_map: shown.cross_map.as_ref().map(|map| cross_story(map, &shown.weights)),
        split: shown.split.as_ref().map(split_story),
        embedding: shown.embedding.as_deref().map(embedding_story),
    }
}

/// The feature names a weight may carry for a cell, in either column order.
fn cell_features(map: &CrossMap, row: usize, col: usize) -> [String; 2] {
    let [a, b] = &map.columns;
    let (x, y) = (&map.row_values[row], &map.col_values[col]);
    [format!("{a}={x} × {b}={y}"), format!("{b}={y} × {a}={x}")]
}

/// The sentences for a cross map (from the models it holds) and the weights listed with it
/// (largest first, as [`super::top_wide_weights`] gives them; empty when none are shown).
pub fn cross_story(map: &CrossMap, weights: &[WideWeight]) -> CrossStory {
    let position = |mode| map.models.iter().position(|&m| m == mode);
    let Some(deep) = position(Mode::Deep) else {
        let text = "The map holds no deep model, so no cell is outlined: race the deep or joint model to compare.".into();
        return CrossStory { exceptions: 0, largest: None, outlined: vec![false; weights.len()], text };
    };
    let joint = position(Mode::Joint);
    let width = map.col_values.len();
    let outlined_cells: Vec<usize> = (0..map.cells.len()).filter(|&i| map.cells[i].exception).collect();
    let names: Vec<[String; 2]> = outlined_cells.iter().map(|&i| cell_features(map, i / width, i % width)).collect();
    let outlined: Vec<bool> = weights.iter().map(|w| names.iter().any(|n| n.contains(&w.feature))).collect();
    let gap = |i: usize| (map.cells[i].observed - map.cells[i].predicted[deep]).abs();
    let largest = outlined_cells.iter().copied().max_by(|&a, &b| gap(a).total_cmp(&gap(b)).then(b.cmp(&a))).map(|i| {
        let cell = &map.cells[i];
        let features = cell_features(map, i / width, i % width);
        let weight = weights.iter().position(|w| features.contains(&w.feature)).map(|r| (r + 1, weights[r].weight));
        Exception {
            cell: format!("{} × {}", map.row_values[i / width], map.col_values[i % width]),
            rows: cell.rows,
            observed: cell.observed,
            deep: cell.predicted[deep],
            joint: joint.map(|j| cell.predicted[j]),
            weight,
        }
    });
    let text = match &largest {
        Some(e) => exceptions_text(map, &outlined_cells, e, &outlined, deep, joint),
        None => no_exceptions_text(map, deep, joint),
    };
    CrossStory { exceptions: outlined_cells.len(), largest, outlined, text }
}

/// "16 cells depart from the deep model; the largest, …" and what the weights listed show.
fn exceptions_text(map: &CrossMap, cells: &[usize], e: &Exception, outlined: &[bool], deep: usize, joint: Option<usize>) -> String {
    let count = cells.len();
    let plural = if count == 1 { "cell departs" } else { "cells depart" };
    let joint_there = e.joint.map_or(String::new(), |j| format!(", joint {j:.2}"));
    let mut text = format!(
        "{count} {plural} from the deep model (outlined); the largest, {} ({} test rows): observed {:.2}, deep {:.2}{joint_there}.",
        e.cell, e.rows, e.observed, e.deep
    );
    if let Some(j) = joint {
        let error = |model: usize| mean_error(map, cells, model);
        text += &format!(" On the outlined cells joint errs {:.3} on average, deep {:.3}.", error(j), error(deep));
    }
    if !outlined.is_empty() {
        text += &match e.weight {
            Some((rank, w)) => format!(" Its wide weight, {w:+.2}, is the {} largest listed.", ordinal(rank)),
            None => " Its combination is not among the weights listed.".into(),
        };
        let marked = outlined.iter().filter(|&&o| o).count();
        text += &format!(" {marked} of the {} weights listed are outlined cells.", outlined.len());
    }
    text
}

/// What a map with no outlined cell shows instead: how close joint and deep are on its cells.
fn no_exceptions_text(map: &CrossMap, deep: usize, joint: Option<usize>) -> String {
    let cells: Vec<usize> = (0..map.cells.len()).filter(|&i| map.cells[i].rows >= MIN_CELL_ROWS).collect();
    let mut text = "No cell departs from the deep model here: nothing is outlined.".to_string();
    if let Some(j) = joint {
        text += &format!(
            " Over the {} cells with {MIN_CELL_ROWS} or more test rows, joint errs {:.3} on average and deep {:.3}.",
            cells.len(),
            mean_error(map, &cells, j),
            mean_error(map, &cells, deep)
        );
    }
    text
}

/// The mean |observed − predicted| of `model` over `cells`, weighted by their test rows.
fn mean_error(map: &CrossMap, cells: &[usize], model: usize) -> f64 {
    let rows: f64 = cells.iter().map(|&i| map.cells[i].rows as f64).sum();
    let sum: f64 = cells.iter().map(|&i| map.cells[i].rows as f64 * (map.cells[i].observed - map.cells[i].predicted[model]).abs()).sum();
    if rows > 0.0 { sum / rows } else { f64::NAN }
}

/// 1st, 2nd, 3rd, 4th … 11th, 12th, 13th … 21st.
fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// The sentence for the diagram's wide/deep bar.
pub fn split_story(split: &LogitSplit) -> SplitStory {
    let (wide, deep) = (split.wide, split.deep);
    let (large, small, larger) = if deep >= wide { (deep, wide, "deep") } else { (wide, deep, "wide") };
    let ratio = if small > 0.0 { large / small } else { f64::INFINITY };
    let numbers = format!("the wide part moves the joint model's logit by {wide:.2} on average, the deep part by {deep:.2}");
    let text = if ratio < ABOUT_AS_MUCH {
        format!("At epoch {}, {numbers}: both do about as much of the work.", split.epoch)
    } else if ratio.is_finite() {
        format!("At epoch {}, {numbers}: the {larger} part does {ratio:.1} times as much.", split.epoch)
    } else {
        format!("At epoch {}, {numbers}: only the {larger} part moves it.", split.epoch)
    };
    SplitStory { ratio, text }
}

/// The sentences for an embedding map's panels: whether the first axis follows the positive rate
/// (r, and the values at either end) or, where it does not, which values sit closest.
pub fn embedding_story(maps: &[EmbeddingMap]) -> EmbeddingStory {
    let text = maps.iter().map(panel_text).collect::<Vec<_>>().join(" ");
    let text = if text.is_empty() { "No model here embeds this column.".into() } else { text };
    EmbeddingStory { text }
}

fn panel_text(map: &EmbeddingMap) -> String {
    let ends = (map.points.iter().min_by(|a, b| a.x.total_cmp(&b.x)), map.points.iter().max_by(|a, b| a.x.total_cmp(&b.x)));
    let (Some(left), Some(right)) = ends else {
        return format!("The {} model places no {} value.", map.mode.name(), map.column);
    };
    let what = map.shade.name();
    let rate = |p: &super::MapPoint| format!("{} ({})", p.value, map.shade.says(p.mean));
    if map.rate_correlation >= FOLLOWS_RATE {
        format!(
            "In the {} model, {}'s first axis follows the {what} (r = {:.2}): {} sits far left, {} far right.",
            map.mode.name(),
            map.column,
            map.rate_correlation,
            rate(left),
            rate(right)
        )
    } else {
        let first = &map.points[0];
        let near = if first.nearest.is_empty() { "no other value".into() } else { first.nearest.join(", ") };
        format!(
            "In the {} model, {}'s first axis does not follow the {what} (r = {:.2}); {} sits nearest to {near}.",
            map.mode.name(),
            map.column,
            map.rate_correlation,
            first.value
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::insight::{Cell, MapPoint, Shade};

    /// A 2 × 2 map of city × product with wide, deep and joint predictions.
    fn map(cells: [(u32, f64, [f64; 3]); 4]) -> CrossMap {
        let cells = cells
            .into_iter()
            .map(|(rows, observed, predicted)| {
                let exception = (observed - predicted[1]).abs() >= 0.25 && rows >= 20;
                Cell { rows, observed, predicted: predicted.to_vec(), exception }
            })
            .collect();
        CrossMap {
            columns: ["city".into(), "product".into()],
            row_values: vec!["c1".into(), "c2".into()],
            col_values: vec!["p1".into(), "p2".into()],
            cells,
            models: vec![Mode::Wide, Mode::Deep, Mode::Joint],
            epochs: vec![3; 3],
            when: "epoch 3".into(),
            shade: Shade::Rate,
        }
    }

    fn weight(feature: &str, weight: f64) -> WideWeight {
        WideWeight { feature: feature.into(), others: Vec::new(), more: 0, rows: 50, weight }
    }

    #[test]
    fn the_story_names_the_largest_outlined_cell_and_its_weight() {
        let map = map([
            (40, 0.80, [0.7, 0.35, 0.75]),
            (30, 0.10, [0.2, 0.50, 0.15]),
            (40, 0.40, [0.4, 0.45, 0.40]),
            (40, 0.50, [0.5, 0.50, 0.50]),
        ]);
        let weights = [weight("product=p2 × city=c1", -0.9), weight("city=c1 × product=p1", 2.17), weight("city=c2", 0.3)];
        let story = cross_story(&map, &weights);
        assert_eq!(story.exceptions, 2);
        assert_eq!(story.outlined, [true, true, false], "either column order names a cell");
        let largest = story.largest.as_ref().unwrap();
        assert_eq!((largest.cell.as_str(), largest.rows, largest.weight), ("c1 × p1", 40, Some((2, 2.17))));
        // Joint's error on the outlined cells: (40 × 0.05 + 30 × 0.05) / 70; deep's: (40 × 0.45 + 30 × 0.40) / 70.
        assert_eq!(
            story.text,
            "2 cells depart from the deep model (outlined); the largest, c1 × p1 (40 test rows): observed 0.80, deep 0.35, \
             joint 0.75. On the outlined cells joint errs 0.050 on average, deep 0.429. Its wide weight, +2.17, is the 2nd \
             largest listed. 2 of the 3 weights listed are outlined cells."
        );
    }

    #[test]
    fn a_map_without_exceptions_says_what_is_there_instead() {
        let map = map([
            (40, 0.50, [0.5, 0.45, 0.50]),
            (3, 1.00, [0.5, 0.10, 0.50]),
            (40, 0.40, [0.4, 0.40, 0.44]),
            (40, 0.20, [0.3, 0.30, 0.20]),
        ]);
        let story = cross_story(&map, &[weight("city=c2 × product=p1", 1.0)]);
        assert_eq!((story.exceptions, story.largest.is_none(), story.outlined.as_slice()), (0, true, &[false][..]));
        assert_eq!(
            story.text,
            "No cell departs from the deep model here: nothing is outlined. Over the 3 cells with 5 or more test rows, joint \
             errs 0.013 on average and deep 0.050."
        );
        let wide_only = CrossMap {
            models: vec![Mode::Wide],
            cells: map.cells.iter().map(|c| Cell { predicted: vec![0.5], ..c.clone() }).collect(),
            ..map
        };
        assert!(cross_story(&wide_only, &[]).text.starts_with("The map holds no deep model"));
    }

    #[test]
    fn the_split_says_which_part_does_more_and_by_how_much() {
        let story = split_story(&LogitSplit { wide: 0.38, deep: 2.41, epoch: 5 });
        assert!((story.ratio - 2.41 / 0.38).abs() < 1e-12);
        assert_eq!(
            story.text,
            "At epoch 5, the wide part moves the joint model's logit by 0.38 on average, the deep part by 2.41: the deep part \
             does 6.3 times as much."
        );
        assert!(split_story(&LogitSplit { wide: 1.0, deep: 1.2, epoch: 1 }).text.ends_with("both do about as much of the work."));
        assert!(split_story(&LogitSplit { wide: 0.5, deep: 0.0, epoch: 1 }).text.ends_with("only the wide part moves it."));
    }

    #[test]
    fn the_embedding_story_reads_the_rate_axis_or_the_neighbours() {
        let point = |value: &str, x: f64, rate: f64, nearest: &[&str]| MapPoint {
            value: value.into(),
            x,
            y: 0.0,
            rows: 10,
            mean: rate,
            said: String::new(),
            nearest: nearest.iter().map(|s| s.to_string()).collect(),
        };
        let follows = EmbeddingMap {
            column: "occupation".into(),
            mode: Mode::Deep,
            epoch: 2,
            explained: [0.5, 0.2],
            points: vec![point("Exec", 1.0, 0.48, &["Prof"]), point("Cleaner", -1.0, 0.06, &[])],
            rate_correlation: 0.77,
            shade: Shade::Rate,
        };
        let not = EmbeddingMap { mode: Mode::Joint, rate_correlation: 0.12, ..follows.clone() };
        let price = Shade::Number { label: "price".into(), mean: 300.0, sd: 100.0 };
        let priced = EmbeddingMap { shade: price, points: vec![MapPoint { mean: 412.3, ..follows.points[0].clone() }], ..follows.clone() };
        assert_eq!(
            embedding_story(&[priced]).text,
            "In the deep model, occupation's first axis follows the mean price (r = 0.77): Exec (mean price 412) sits far left, \
             Exec (mean price 412) far right."
        );
        assert_eq!(
            embedding_story(&[follows, not]).text,
            "In the deep model, occupation's first axis follows the positive rate (r = 0.77): Cleaner (6% positive) sits far \
             left, Exec (48% positive) far right. In the joint model, occupation's first axis does not follow the positive \
             rate (r = 0.12); Exec sits nearest to Prof."
        );
        assert_eq!(ordinal(1) + &ordinal(2) + &ordinal(3) + &ordinal(11) + &ordinal(22), "1st2nd3rd11th22nd");
    }
}
