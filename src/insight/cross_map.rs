//! The cross map: for two columns, a grid of their values with, in each cell, the observed mean
//! target on the test rows (the positive rate, one class's share, or a number's mean: see
//! [`Shade`]) and each model's mean prediction there. Cells where the data departs from the deep
//! model's prediction are the exceptions the deep part smooths away, which only a cross lets the
//! wide part memorize: the picture shows where joint beats deep, and why.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::Shade;
use crate::data::quantile_edges;
use crate::data::{Column, ColumnKind, MISSING, parse_number};
use crate::model::Mode;

/// Values shown per axis at most; less frequent values are pooled as "(other)".
pub const MAX_VALUES: usize = 30;
/// Numbers are cut into this many quantile ranges.
const NUMBER_BINS: usize = 10;
/// Cells with fewer test rows are greyed: their observed mean is mostly noise.
pub const MIN_CELL_ROWS: u32 = 5;
/// A cell is an exception when its observed mean is at least [`Shade::gap`] from the deep
/// model's prediction and the gap is this many standard errors of that mean or more (strict: a
/// map has hundreds of cells, and a few of them would pass a looser test by chance).
const EXCEPTION_SIGMAS: f64 = 4.0;

/// One cell of the grid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    /// Test rows in the cell.
    pub rows: u32,
    /// Their mean target (see [`CrossMap::shade`]; NaN when empty).
    pub observed: f64,
    /// Each model's mean prediction there, in [`CrossMap::models`] order.
    pub predicted: Vec<f64>,
    /// Whether the data departs from the deep model's prediction (see [`Shade::gap`]).
    pub exception: bool,
}

/// The grid of two columns' values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrossMap {
    /// The column down the side and the column across the top.
    pub columns: [String; 2],
    /// Labels of the rows, most frequent value first (the last may be "(other)").
    pub row_values: Vec<String>,
    /// Labels of the columns.
    pub col_values: Vec<String>,
    /// Row-major cells.
    pub cells: Vec<Cell>,
    /// The models whose predictions the cells hold.
    pub models: Vec<Mode>,
    /// The epoch each model's predictions come from (in the order of `models`): the last
    /// finished, or once training ended the one the validation rows kept.
    pub epochs: Vec<usize>,
    /// Those epochs in words, for a caption: `epoch 6`, or each model's where they differ
    /// (`epochs 9 (wide), 4 (deep), 6 (joint)`); empty before any.
    pub when: String,
    /// What the cells hold: the share of positives, of a chosen class, or a number's mean.
    #[serde(default)]
    pub shade: Shade,
}

/// The epochs of `predictions` in words (see [`CrossMap::when`]).
fn epoch_words(predictions: &[(Mode, usize, &[f32])]) -> String {
    let epochs: Vec<usize> = predictions.iter().map(|(_, epoch, _)| *epoch).collect();
    match epochs.first() {
        None | Some(0) if epochs.iter().all(|&e| e == 0) => String::new(),
        Some(first) if epochs.iter().all(|e| e == first) => format!("epoch {first}"),
        _ => {
            let each: Vec<String> = predictions.iter().map(|(mode, epoch, _)| format!("{epoch} ({})", mode.name())).collect();
            format!("epochs {}", each.join(", "))
        }
    }
}

/// Which bin each of `rows` falls in along one axis, and the bins' labels.
struct Axis {
    labels: Vec<String>,
    bins: Vec<usize>,
}

impl Axis {
    fn new(column: &Column, kind: ColumnKind, rows: &[usize]) -> Self {
        if kind == ColumnKind::Numeric { Self::numeric(column, rows) } else { Self::categorical(column, rows) }
    }

    /// The most frequent values each get a bin; the rest share "(other)", missing cells "(missing)".
    fn categorical(column: &Column, rows: &[usize]) -> Self {
        let mut counts: FxHashMap<u32, usize> = FxHashMap::default();
        rows.iter().for_each(|&r| *counts.entry(column.codes[r]).or_default() += 1);
        let mut codes: Vec<(u32, usize)> = counts.into_iter().collect();
        codes.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let keep = if codes.len() > MAX_VALUES { MAX_VALUES - 1 } else { codes.len() };
        let index: FxHashMap<u32, usize> = codes[..keep].iter().enumerate().map(|(i, &(code, _))| (code, i)).collect();
        let mut labels: Vec<String> = codes[..keep]
            .iter()
            .map(|&(code, _)| if code == MISSING { "(missing)".into() } else { column.values[code as usize].to_string() })
            .collect();
        if keep < codes.len() {
            labels.push("(other)".into());
        }
        let bins = rows.iter().map(|r| index.get(&column.codes[*r]).copied().unwrap_or(keep)).collect();
        Self { labels, bins }
    }

    /// Quantile ranges of the numbers, in increasing order; missing values get their own bin.
    fn numeric(column: &Column, rows: &[usize]) -> Self {
        let values: Vec<Option<f64>> = rows.iter().map(|&r| column.get(r).and_then(parse_number)).collect();
        let mut sorted: Vec<f64> = values.iter().flatten().copied().collect();
        sorted.sort_by(f64::total_cmp);
        let edges = quantile_edges(&sorted, NUMBER_BINS);
        let mut labels: Vec<String> = (0..=edges.len())
            .map(|b| match (b.checked_sub(1).map(|i| edges[i]), edges.get(b)) {
                (None, Some(hi)) => format!("<{hi}"),
                (Some(lo), Some(hi)) => format!("[{lo},{hi})"),
                (Some(lo), None) => format!(">={lo}"),
                (None, None) => "any".into(),
            })
            .collect();
        let missing = labels.len();
        if values.iter().any(Option::is_none) {
            labels.push("(missing)".into());
        }
        let bins = values.iter().map(|v| v.map_or(missing, |x| edges.partition_point(|&e| e <= x))).collect();
        Self { labels, bins }
    }
}

impl CrossMap {
    /// The grid of `columns` (with their kinds) over `rows` (the test rows, in the order of
    /// `targets` and of each model's `predictions`, both read as `shade` says: 0/1 targets and
    /// probabilities, or numbers in the label's units).
    pub fn new(
        columns: [(&Column, ColumnKind); 2],
        rows: &[usize],
        targets: &[f32],
        predictions: &[(Mode, usize, &[f32])],
        shade: Shade,
    ) -> Self {
        let [down, across] = columns.map(|(column, kind)| Axis::new(column, kind, rows));
        let width = across.labels.len();
        let mut sums = vec![(0u32, 0.0f64, 0.0f64, vec![0.0f64; predictions.len()]); down.labels.len() * width];
        for (i, (&d, &a)) in down.bins.iter().zip(&across.bins).enumerate() {
            let cell = &mut sums[d * width + a];
            cell.0 += 1;
            cell.1 += targets[i] as f64;
            cell.2 += (targets[i] as f64).powi(2);
            for (sum, (_, _, p)) in cell.3.iter_mut().zip(predictions) {
                *sum += p[i] as f64;
            }
        }
        let deep = predictions.iter().position(|(mode, _, _)| *mode == Mode::Deep);
        let cells = sums
            .into_iter()
            .map(|(rows, sum, squares, predicted)| {
                let n = rows as f64;
                let observed = if rows == 0 { f64::NAN } else { sum / n };
                let predicted: Vec<f64> = predicted.iter().map(|p| if rows == 0 { f64::NAN } else { p / n }).collect();
                let exception = deep.is_some_and(|d| match shade {
                    Shade::Number { .. } => {
                        let error = ((squares / n - observed * observed).max(0.0) / n).sqrt();
                        departs(observed, predicted[d], rows, shade.gap(), error)
                    }
                    _ => is_exception(observed, predicted[d], rows),
                });
                Cell { rows, observed, predicted, exception }
            })
            .collect();
        Self {
            columns: columns.map(|(c, _)| c.name.clone()),
            row_values: down.labels,
            col_values: across.labels,
            cells,
            models: predictions.iter().map(|(mode, _, _)| *mode).collect(),
            epochs: predictions.iter().map(|(_, epoch, _)| *epoch).collect(),
            when: epoch_words(predictions),
            shade,
        }
    }

    /// The cell at `row`, `col`.
    pub fn cell(&self, row: usize, col: usize) -> &Cell {
        &self.cells[row * self.col_values.len() + col]
    }
}

/// A rate far from the deep model's prediction: by [`Shade::gap`] and by [`EXCEPTION_SIGMAS`]
/// standard errors of a rate on `rows` rows, with enough rows to tell.
fn is_exception(observed: f64, deep: f64, rows: u32) -> bool {
    let p = deep.clamp(0.02, 0.98);
    departs(observed, deep, rows, Shade::Rate.gap(), (p * (1.0 - p) / rows as f64).sqrt())
}

/// A mean on `rows` rows at least `gap` and [`EXCEPTION_SIGMAS`] standard `error`s from the
/// deep model's prediction, with enough rows to tell.
fn departs(observed: f64, deep: f64, rows: u32, gap: f64, error: f64) -> bool {
    if rows < MIN_CELL_ROWS || !observed.is_finite() || !deep.is_finite() {
        return false;
    }
    let distance = (observed - deep).abs();
    distance >= gap && distance >= EXCEPTION_SIGMAS * error
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(name: &str, values: &[&str]) -> Column {
        let mut c = Column::new(name);
        values.iter().for_each(|v| c.push(v));
        c.seal();
        c
    }

    #[test]
    fn cells_hold_observed_rates_and_mean_predictions() {
        let a = column("a", &["x", "x", "y", "y", "x", "z"]);
        let b = column("b", &["p", "q", "p", "p", "p", "q"]);
        let rows = [0, 1, 2, 3, 4, 5];
        let targets = [1.0, 0.0, 0.0, 1.0, 1.0, 0.0];
        let deep = [0.6, 0.2, 0.4, 0.4, 0.8, 0.1];
        let map = CrossMap::new(
            [(&a, ColumnKind::Categorical), (&b, ColumnKind::Categorical)],
            &rows,
            &targets,
            &[(Mode::Deep, 2, &deep)],
            Shade::Rate,
        );
        assert_eq!(map.row_values, ["x", "y", "z"], "most frequent first");
        assert_eq!(map.col_values, ["p", "q"]);
        let xp = map.cell(0, 0);
        assert_eq!((xp.rows, xp.observed), (2, 1.0), "rows 0 and 4");
        assert!((xp.predicted[0] - 0.7).abs() < 1e-6);
        let yp = map.cell(1, 0);
        assert_eq!((yp.rows, yp.observed), (2, 0.5));
        assert_eq!(map.cell(1, 1).rows, 0);
        assert!(map.cell(1, 1).observed.is_nan());
        assert!(!xp.exception, "two rows are too few to call anything an exception");
        assert_eq!((map.epochs.as_slice(), map.when.as_str()), ([2].as_slice(), "epoch 2"));
        let both = [(Mode::Deep, 4, &deep[..]), (Mode::Joint, 6, &deep[..])];
        let map = CrossMap::new([(&a, ColumnKind::Categorical), (&b, ColumnKind::Categorical)], &rows, &targets, &both, Shade::Rate);
        assert_eq!(map.when, "epochs 4 (deep), 6 (joint)", "each model's kept epoch where they differ");
    }

    #[test]
    fn a_number_departs_by_half_a_standard_deviation_beyond_its_noise() {
        // Prices with sd 100: cell (x, p) averages 300 against the deep model's 200 on 6 rows
        // spread ±5; cell (y, p) is as far off but spread ±200, so within its noise.
        let a = column("a", &["x"; 6].iter().chain(&["y"; 6]).copied().collect::<Vec<_>>());
        let b = column("b", &["p"; 12]);
        let rows: Vec<usize> = (0..12).collect();
        let targets = [295.0, 305.0, 295.0, 305.0, 295.0, 305.0, 100.0, 500.0, 100.0, 500.0, 100.0, 500.0];
        let deep = [200.0; 12];
        let shade = Shade::Number { label: "price".into(), mean: 250.0, sd: 100.0 };
        let map = CrossMap::new(
            [(&a, ColumnKind::Categorical), (&b, ColumnKind::Categorical)],
            &rows,
            &targets,
            &[(Mode::Deep, 1, &deep)],
            shade,
        );
        let (x, y) = (map.cell(0, 0), map.cell(1, 0));
        assert_eq!((x.observed, x.predicted[0], y.observed), (300.0, 200.0, 300.0));
        assert!(x.exception, "100 off, 50 needed, its standard error 2");
        assert!(!y.exception, "100 off, but its standard error is 82: four of them are 327");
    }

    #[test]
    fn exceptions_need_a_large_and_certain_gap() {
        assert!(is_exception(0.95, 0.4, 40));
        assert!(is_exception(0.9, 0.3, 12));
        assert!(!is_exception(0.95, 0.4, 4), "too few rows");
        assert!(!is_exception(0.6, 0.45, 400), "a gap below 0.25");
        assert!(!is_exception(0.8, 0.5, 6), "0.3 on 6 rows is within 4 standard errors");
        assert!(!is_exception(1.0, 0.3, 5), "5 positive rows of 5 against 0.3 happen by chance among hundreds of cells");
    }

    #[test]
    fn rare_values_are_pooled_and_numbers_binned() {
        let values: Vec<String> = (0..40).map(|i| format!("v{i}")).chain((0..40).map(|_| "v0".to_string())).collect();
        let many = column("many", &values.iter().map(String::as_str).collect::<Vec<_>>());
        let numbers: Vec<String> = (0..80).map(|i| if i == 3 { "NA".to_string() } else { format!("{i}") }).collect();
        let number = column("n", &numbers.iter().map(String::as_str).collect::<Vec<_>>());
        let rows: Vec<usize> = (0..80).collect();
        let targets = vec![0.0; 80];
        let map = CrossMap::new([(&many, ColumnKind::Categorical), (&number, ColumnKind::Numeric)], &rows, &targets, &[], Shade::Rate);
        assert_eq!(map.row_values.len(), MAX_VALUES);
        assert_eq!(map.row_values[0], "v0");
        assert_eq!(map.row_values.last().unwrap(), "(other)");
        assert_eq!(map.col_values.len(), NUMBER_BINS + 1, "ten ranges and (missing)");
        assert_eq!(map.col_values.last().unwrap(), "(missing)");
        let total: u32 = map.cells.iter().map(|c| c.rows).sum();
        assert_eq!(total, 80);
    }
}
