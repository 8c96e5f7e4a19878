//! How a model's test predictions fit the labels, in the picture each task reads best: the
//! reliability diagram of a yes/no label (does 0.8 mean 80%?), predicted against actual for a
//! number (with the residuals: is it off everywhere or at one end?), the confusion matrix of
//! several classes (which ones does it mix up?).

use serde::{Deserialize, Serialize};

use super::{Calibration, RegressionMetrics, ReliabilityBin, binned, regression};

/// One model's fit on the test rows, by task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fit {
    /// A yes/no label: probabilities against observed rates.
    Calibration(Calibration),
    /// A number: predictions against the actual values, in the label's units.
    Scatter(Scatter),
    /// Several classes: which class each class's rows were given.
    Confusion(Confusion),
}

/// Test rows a scatter shows at most: enough to see the shape, few enough for an SVG on a phone.
pub const SCATTER_POINTS: usize = 500;
/// Bars of the residuals' histogram: a quarter of the label's standard deviation wide, out to
/// three of them on either side (a residual beyond falls in the end bar).
const RESIDUAL_BARS: usize = 24;

/// A regression's predictions against the actual values of its test rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scatter {
    /// `(predicted, actual)` of up to [`SCATTER_POINTS`] test rows, evenly spaced in the test
    /// rows' order (so every model shows the same rows).
    pub points: Vec<(f64, f64)>,
    /// All test rows in ten equal ranges of the prediction over the actual values' range, each
    /// with its mean prediction and its mean actual value (`observed`): the regression's
    /// reliability diagram, and the table behind the picture.
    pub bins: Vec<ReliabilityBin>,
    /// The residuals (actual − predicted) of all test rows.
    pub residuals: Histogram,
    /// RMSE, MAE and R² of all test rows.
    pub metrics: RegressionMetrics,
}

/// Counts in equal-width bars from `low`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    /// Where the first bar starts.
    pub low: f64,
    /// Each bar's width.
    pub width: f64,
    /// Rows per bar, lowest first.
    pub counts: Vec<usize>,
}

/// A multiclass model's confusion matrix with its classes' names, so it can be drawn alone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Confusion {
    /// The classes, in the label's order.
    pub classes: Vec<String>,
    /// `[actual][predicted]` test rows.
    pub counts: Vec<Vec<usize>>,
}

/// The scatter of `predicted` against `actual` (the label's units); `spread` (the label's
/// standard deviation on the training rows) sizes the residuals' bars, the same for every model.
pub fn scatter(predicted: &[f64], actual: &[f64], spread: f64) -> Scatter {
    let step = actual.len().div_ceil(SCATTER_POINTS).max(1);
    let points = predicted.iter().zip(actual).step_by(step).map(|(&p, &a)| (p, a)).collect();
    let finite = || actual.iter().copied().filter(|a| a.is_finite());
    let (low, high) = (finite().fold(f64::INFINITY, f64::min), finite().fold(f64::NEG_INFINITY, f64::max));
    let pairs: Vec<(f64, f64)> = predicted.iter().copied().zip(actual.iter().copied()).collect();
    let bins = if low <= high { binned(&pairs, low, high) } else { Vec::new() };
    let width = if spread.is_finite() && spread > 0.0 { spread / 4.0 } else { 1.0 };
    let low = -width * RESIDUAL_BARS as f64 / 2.0;
    let mut counts = vec![0; RESIDUAL_BARS];
    for residual in pairs.iter().map(|(p, a)| a - p).filter(|r| !r.is_nan()) {
        counts[((residual - low) / width).clamp(0.0, (RESIDUAL_BARS - 1) as f64) as usize] += 1;
    }
    Scatter { points, bins, residuals: Histogram { low, width, counts }, metrics: regression(predicted, actual) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scatter_by_hand() {
        // Actual 0..=10 (11 rows), predictions off by +1 on every row: residual −1 each.
        let actual: Vec<f64> = (0..=10).map(f64::from).collect();
        let predicted: Vec<f64> = actual.iter().map(|a| a + 1.0).collect();
        let s = scatter(&predicted, &actual, 2.0);
        assert_eq!(s.points.len(), 11);
        assert_eq!(s.points[3], (4.0, 3.0));
        // Ten ranges of width 1 over 0..10: prediction 1 is in [1, 2); 9 in the last, with 10
        // and 11 beyond it.
        assert_eq!(s.bins.len(), 10);
        assert_eq!((s.bins[0].rows, s.bins[1].rows, s.bins[9].rows), (0, 1, 3));
        assert_eq!((s.bins[9].predicted, s.bins[9].observed), (10.0, 9.0));
        // Bars half a unit wide from −6: a residual of −1 falls in bar 10 ([−1, −0.5)).
        assert_eq!((s.residuals.low, s.residuals.width), (-6.0, 0.5));
        assert_eq!(s.residuals.counts[10], 11);
        assert_eq!(s.residuals.counts.iter().sum::<usize>(), 11);
        assert!((s.metrics.rmse - 1.0).abs() < 1e-12 && (s.metrics.mae - 1.0).abs() < 1e-12);
    }

    #[test]
    fn a_long_test_set_shows_evenly_spaced_rows_and_outliers_stay_in_the_end_bars() {
        let actual: Vec<f64> = (0..2000).map(|i| f64::from(i % 7)).collect();
        let mut predicted = actual.clone();
        predicted[0] = 1e9;
        let s = scatter(&predicted, &actual, 1.0);
        assert_eq!(s.points.len(), 500, "every 4th row of 2,000");
        assert_eq!(s.points[1], (actual[4], actual[4]));
        assert_eq!((s.residuals.counts[0], s.residuals.counts[12]), (1, 1999), "−1e9 in the first bar, zeros in the middle one");
        assert_eq!(s.bins.iter().map(|b| b.rows).sum::<usize>(), 2000, "1e9 in the last bin");
    }
}
