//! Exact evaluation metrics, computed on the host in f64 from the model's logits.

use serde::{Deserialize, Serialize};

mod fit;

pub use fit::{Confusion, Fit, Histogram, SCATTER_POINTS, Scatter, scatter};

/// Test-set quality of a model.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Mean binary cross-entropy (natural log).
    pub log_loss: f64,
    /// Share of rows where `p >= 0.5` matches the target.
    pub accuracy: f64,
    /// Area under the ROC curve, ties counted as half; NaN when only one class is present or a
    /// score is NaN (rows that cannot be ranked).
    pub auc: f64,
}

/// All metrics for `logits` against 0/1 `targets`.
pub fn evaluate(logits: &[f32], targets: &[f32]) -> Metrics {
    Metrics { log_loss: log_loss(logits, targets), accuracy: accuracy(logits, targets), auc: roc_auc(logits, targets) }
}

/// Mean cross-entropy computed from logits as `softplus(z) - y·z`: exact even for confident
/// predictions, where going through probabilities would round to log(0).
pub fn log_loss(logits: &[f32], targets: &[f32]) -> f64 {
    let total: f64 = logits.iter().zip(targets).map(|(&z, &y)| softplus(z as f64) - y as f64 * z as f64).sum();
    total / logits.len().max(1) as f64
}

/// Share of rows classified correctly at probability 0.5 (logit 0).
pub fn accuracy(logits: &[f32], targets: &[f32]) -> f64 {
    let right = logits.iter().zip(targets).filter(|&(&z, &y)| (z >= 0.0) == (y >= 0.5)).count();
    right as f64 / logits.len().max(1) as f64
}

/// Exact ROC AUC by the rank-sum (Mann-Whitney) formula with average ranks for tied scores, so
/// ties count half as they should. NaN when a class is absent or a score is NaN (a NaN has no
/// rank); ±infinity ranks as the largest or smallest score.
pub fn roc_auc(scores: &[f32], targets: &[f32]) -> f64 {
    let positives = targets.iter().filter(|&&y| y >= 0.5).count() as f64;
    let negatives = scores.len() as f64 - positives;
    if positives == 0.0 || negatives == 0.0 || scores.iter().any(|s| s.is_nan()) {
        return f64::NAN;
    }
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let mut positive_rank_sum = 0.0;
    let mut start = 0;
    while start < order.len() {
        // Ties end at the first score after `start` that differs; the group is never empty, so
        // the loop always advances.
        let tied = |i: &usize| scores[order[*i]] == scores[order[start]];
        let end = (start + 1..order.len()).find(|i| !tied(i)).unwrap_or(order.len());
        let average_rank = (start + 1 + end) as f64 / 2.0;
        let tied_positives = order[start..end].iter().filter(|&&i| targets[i] >= 0.5).count();
        positive_rank_sum += average_rank * tied_positives as f64;
        start = end;
    }
    (positive_rank_sum - positives * (positives + 1.0) / 2.0) / (positives * negatives)
}

/// Bins of a reliability diagram: equal-width ranges of the prediction (a probability, or a
/// regression's number over its actual range), so "0.8 means 80%" can be read off the bin that
/// holds 0.8.
pub const RELIABILITY_BINS: usize = 10;

/// One range of predictions in a reliability diagram (see [`binned`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ReliabilityBin {
    /// The range `[low, high)` (the last bin includes `high`, and predictions beyond).
    pub low: f64,
    /// See `low`.
    pub high: f64,
    /// Rows whose prediction falls in the range.
    pub rows: usize,
    /// Their mean prediction (NaN for an empty bin).
    pub predicted: f64,
    /// Their mean target: the share of positives, or a number's mean (NaN for an empty bin).
    pub observed: f64,
}

/// How well a model's probabilities match the rates they predict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// The reliability diagram's bins, lowest first.
    pub bins: Vec<ReliabilityBin>,
    /// Expected calibration error: the rows-weighted mean of |observed − predicted| over the bins.
    pub ece: f64,
    /// Brier score: the mean squared difference between probability and outcome.
    pub brier: f64,
}

/// The calibration of `logits` against 0/1 `targets`, over [`RELIABILITY_BINS`] bins. A NaN
/// logit makes every figure NaN (it has no bin).
pub fn calibration(logits: &[f32], targets: &[f32]) -> Calibration {
    let n = logits.len().max(1) as f64;
    let pairs: Vec<(f64, f64)> = logits.iter().zip(targets).map(|(&z, &y)| (sigmoid(z as f64), y as f64)).collect();
    let brier = pairs.iter().map(|(p, y)| (p - y).powi(2)).sum::<f64>();
    let bins = binned(&pairs, 0.0, 1.0);
    let counted: usize = bins.iter().map(|b| b.rows).sum();
    let ece = if counted < logits.len() {
        f64::NAN
    } else {
        bins.iter().filter(|b| b.rows > 0).map(|b| b.rows as f64 / n * (b.observed - b.predicted).abs()).sum()
    };
    Calibration { bins, ece, brier: brier / n }
}

/// `(predicted, observed)` pairs in [`RELIABILITY_BINS`] equal ranges of the prediction from `low`
/// to `high` (a prediction outside falls in the end bin; a NaN in none), with each bin's means:
/// the reliability diagram of a probability, or of a regression's number.
pub(crate) fn binned(pairs: &[(f64, f64)], low: f64, high: f64) -> Vec<ReliabilityBin> {
    let width = (high - low) / RELIABILITY_BINS as f64;
    let mut sums = vec![(0usize, 0.0f64, 0.0f64); RELIABILITY_BINS];
    for &(p, y) in pairs.iter().filter(|(p, _)| !p.is_nan()) {
        let bin = if width > 0.0 { ((p - low) / width).clamp(0.0, (RELIABILITY_BINS - 1) as f64) as usize } else { 0 };
        sums[bin].0 += 1;
        sums[bin].1 += p;
        sums[bin].2 += y;
    }
    sums.iter()
        .enumerate()
        .map(|(i, &(rows, p, y))| ReliabilityBin {
            low: low + i as f64 * width,
            high: low + (i + 1) as f64 * width,
            rows,
            predicted: p / rows as f64,
            observed: y / rows as f64,
        })
        .collect()
}

/// A multiclass model's quality from row-major `[rows, classes]` logits against class indices:
/// the mean cross-entropy, the share of rows whose most probable class is theirs, and the macro
/// one-vs-rest AUC (each class's probability ranking its rows against the rest, averaged over
/// the classes present with rows of both kinds; NaN when none is); and the confusion matrix,
/// `[actual][predicted]` row counts, from the same probabilities.
pub fn multiclass(logits: &[f32], targets: &[f32], classes: usize) -> (Metrics, Vec<Vec<usize>>) {
    let rows = targets.len();
    let probabilities = softmax_rows(logits, classes);
    let mut log_loss = 0.0;
    let mut confusion = vec![vec![0; classes]; classes];
    for (row, (z, &y)) in logits.chunks_exact(classes).zip(targets).enumerate() {
        let most = z.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v)) as f64;
        let log_sum = most + z.iter().map(|&v| (v as f64 - most).exp()).sum::<f64>().ln();
        log_loss += log_sum - z[y as usize] as f64;
        confusion[y as usize][predicted_class(&probabilities[row * classes..(row + 1) * classes])] += 1;
    }
    let right: usize = (0..classes).map(|k| confusion[k][k]).sum();
    let aucs: Vec<f64> = (0..classes)
        .map(|k| {
            let scores: Vec<f32> = (0..rows).map(|r| probabilities[r * classes + k] as f32).collect();
            let is_k: Vec<f32> = targets.iter().map(|&y| f32::from(u8::from(y as usize == k))).collect();
            roc_auc(&scores, &is_k)
        })
        .filter(|auc| !auc.is_nan() || logits.iter().any(|z| z.is_nan()))
        .collect();
    let auc = if aucs.is_empty() { f64::NAN } else { aucs.iter().sum::<f64>() / aucs.len() as f64 };
    let metrics = Metrics { log_loss: log_loss / rows.max(1) as f64, accuracy: right as f64 / rows.max(1) as f64, auc };
    (metrics, confusion)
}

/// Softmax probabilities of row-major `[rows, classes]` logits (each row's shifted by its largest,
/// so none overflows).
pub fn softmax_rows(logits: &[f32], classes: usize) -> Vec<f64> {
    logits
        .chunks_exact(classes)
        .flat_map(|z| {
            let most = z.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v)) as f64;
            let e: Vec<f64> = z.iter().map(|&v| (v as f64 - most).exp()).collect();
            let sum: f64 = e.iter().sum();
            e.into_iter().map(move |v| v / sum)
        })
        .collect()
}

/// The most probable class of one row's probabilities (the first on a tie).
pub fn predicted_class(probabilities: &[f64]) -> usize {
    probabilities.iter().enumerate().fold(0, |best, (k, &p)| if p > probabilities[best] { k } else { best })
}

/// A regression's test quality, in the target's own units (R² has none).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RegressionMetrics {
    /// Root mean squared error.
    pub rmse: f64,
    /// Mean absolute error.
    pub mae: f64,
    /// Coefficient of determination: 1 − SSE / SST, the share of the target's variance on these
    /// rows the predictions explain (0 for predicting their mean; negative when worse).
    pub r2: f64,
}

/// RMSE, MAE and R² of `predicted` against `actual` (both in the target's units).
pub fn regression(predicted: &[f64], actual: &[f64]) -> RegressionMetrics {
    let n = actual.len().max(1) as f64;
    let mean = actual.iter().sum::<f64>() / n;
    let sse: f64 = predicted.iter().zip(actual).map(|(p, a)| (p - a).powi(2)).sum();
    let sst: f64 = actual.iter().map(|a| (a - mean).powi(2)).sum();
    let mae = predicted.iter().zip(actual).map(|(p, a)| (p - a).abs()).sum::<f64>() / n;
    RegressionMetrics { rmse: (sse / n).sqrt(), mae, r2: 1.0 - sse / sst }
}

/// The logistic function.
pub fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

fn softplus(z: f64) -> f64 {
    z.max(0.0) + (-z.abs()).exp().ln_1p()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_hand_computed() {
        // Pairs (pos, neg): 0.9>0.2, 0.9>0.4, 0.3>0.2, 0.3<0.4 → 3 of 4.
        assert_eq!(roc_auc(&[0.9, 0.3, 0.2, 0.4], &[1.0, 1.0, 0.0, 0.0]), 0.75);
        assert_eq!(roc_auc(&[0.1, 0.2, 0.3], &[0.0, 0.0, 1.0]), 1.0);
        assert_eq!(roc_auc(&[0.1, 0.2, 0.3], &[1.0, 0.0, 0.0]), 0.0);
    }

    #[test]
    fn auc_counts_ties_as_half() {
        assert_eq!(roc_auc(&[0.5, 0.5, 0.5, 0.5], &[1.0, 0.0, 1.0, 0.0]), 0.5);
        // pos {0.8, 0.5}, neg {0.5, 0.1}: 0.8>0.5, 0.8>0.1, 0.5=0.5 (half), 0.5>0.1 → 3.5/4.
        assert_eq!(roc_auc(&[0.8, 0.5, 0.5, 0.1], &[1.0, 1.0, 0.0, 0.0]), 0.875);
        // pos {2, 2, 1}, neg {2, 0}: vs 2: 0.5+0.5+0; vs 0: 1+1+1 → 4/6.
        assert!((roc_auc(&[2.0, 2.0, 1.0, 2.0, 0.0], &[1.0, 1.0, 1.0, 0.0, 0.0]) - 4.0 / 6.0).abs() < 1e-12);
    }

    #[test]
    fn auc_of_one_class_is_nan() {
        assert!(roc_auc(&[0.1, 0.2], &[1.0, 1.0]).is_nan());
    }

    #[test]
    fn auc_of_nan_scores_is_nan_and_infinities_rank() {
        // A NaN score once made the tie loop stand still forever.
        assert!(roc_auc(&[f32::NAN, 0.2, f32::NAN, 0.1], &[1.0, 0.0, 0.0, 1.0]).is_nan());
        assert!(roc_auc(&[f32::NAN; 3], &[1.0, 0.0, 1.0]).is_nan());
        assert_eq!(roc_auc(&[f32::INFINITY, f32::NEG_INFINITY, 0.0], &[1.0, 0.0, 0.0]), 1.0);
        assert_eq!(roc_auc(&[f32::INFINITY, f32::INFINITY, 0.0, 1.0], &[1.0, 0.0, 0.0, 1.0]), 0.625);
        let metrics = evaluate(&[f32::NAN, 1.0], &[1.0, 0.0]);
        assert!(metrics.auc.is_nan() && metrics.log_loss.is_nan());
    }

    #[test]
    fn calibration_by_hand() {
        // Probabilities 0.25 (twice), 0.75 (three times) via their logits; outcomes 0,1 | 1,1,0.
        let logit = |p: f64| (p / (1.0 - p)).ln() as f32;
        let z = [logit(0.25), logit(0.25), logit(0.75), logit(0.75), logit(0.75)];
        let y = [0.0, 1.0, 1.0, 1.0, 0.0];
        let c = calibration(&z, &y);
        let filled: Vec<(usize, f64, f64)> = c.bins.iter().filter(|b| b.rows > 0).map(|b| (b.rows, b.predicted, b.observed)).collect();
        assert_eq!(filled.len(), 2);
        assert_eq!((filled[0].0, filled[1].0), (2, 3));
        assert!((filled[0].1 - 0.25).abs() < 1e-6 && (filled[0].2 - 0.5).abs() < 1e-12);
        assert!((filled[1].1 - 0.75).abs() < 1e-6 && (filled[1].2 - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(c.bins[2].rows + c.bins[7].rows, 5, "0.25 falls in [0.2, 0.3), 0.75 in [0.7, 0.8)");
        // ECE: 2/5·|0.5−0.25| + 3/5·|2/3−0.75| = 0.1 + 0.05.
        assert!((c.ece - 0.15).abs() < 1e-6, "{}", c.ece);
        // Brier: (0.0625 + 0.5625 + 0.0625 + 0.0625 + 0.5625) / 5.
        assert!((c.brier - 1.3125 / 5.0).abs() < 1e-6, "{}", c.brier);
        let certain = calibration(&[100.0, -100.0], &[1.0, 0.0]);
        assert_eq!((certain.bins[9].rows, certain.bins[0].rows), (1, 1), "p = 1 is in the last bin");
        assert!(certain.ece < 1e-12 && certain.brier < 1e-12);
        assert!(calibration(&[f32::NAN, 0.0], &[1.0, 0.0]).ece.is_nan());
    }

    #[test]
    fn multiclass_metrics_by_hand() {
        // Three classes, four rows: logits favour classes 0, 1, 2, 0; the classes are 0, 1, 1, 2.
        let z = [2.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 3.0, 1.0, 0.0, 0.0];
        let y = [0.0, 1.0, 1.0, 2.0];
        let (m, confusion) = multiclass(&z, &y, 3);
        assert_eq!(m.accuracy, 0.5, "rows 1 and 2 right");
        let lse = |a: f64, b: f64, c: f64| (a.exp() + b.exp() + c.exp()).ln();
        let expected =
            ((lse(2.0, 0.0, 0.0) - 2.0) + (lse(0.0, 1.0, 0.0) - 1.0) + (lse(0.0, 0.0, 3.0) - 0.0) + (lse(1.0, 0.0, 0.0) - 0.0)) / 4.0;
        assert!((m.log_loss - expected).abs() < 1e-9, "{} vs {expected}", m.log_loss);
        // One-vs-rest AUCs by hand. Class 0: p0 = [0.787, 0.212, 0.045, 0.576], row 0 beats all
        // three others: 1. Class 1:
        // p1 = [0.106, 0.576, 0.045, 0.212], rows 1, 2 against 0, 3: 0.576 beats both, 0.045 none: 0.5.
        // Class 2: p2 = [0.106, 0.212, 0.909, 0.212], row 3 against 0, 1, 2: beats 0.106, ties
        // 0.212 (half), loses to 0.909: 1.5 / 3.
        assert!((m.auc - (1.0 + 0.5 + 0.5) / 3.0).abs() < 1e-9, "{}", m.auc);
        assert_eq!(confusion, [[1, 0, 0], [0, 1, 1], [1, 0, 0]]);
        let p = softmax_rows(&[1000.0, 0.0], 2);
        assert!((p[0] - 1.0).abs() < 1e-12 && p[1] >= 0.0, "no overflow: {p:?}");
    }

    #[test]
    fn regression_metrics_by_hand() {
        // Errors 1, -1, 0, 2 on actuals with mean 2.5: SSE 6, SST 5, RMSE √1.5, MAE 1.
        let m = regression(&[2.0, 1.0, 3.0, 6.0], &[1.0, 2.0, 3.0, 4.0]);
        assert!((m.rmse - 1.5f64.sqrt()).abs() < 1e-12 && (m.mae - 1.0).abs() < 1e-12, "{m:?}");
        assert!((m.r2 - (1.0 - 6.0 / 5.0)).abs() < 1e-12, "worse than the mean: negative R², {m:?}");
        assert_eq!(regression(&[1.0, 2.0], &[1.0, 2.0]).r2, 1.0);
        assert_eq!(regression(&[1.5, 1.5], &[1.0, 2.0]).r2, 0.0, "the mean explains nothing");
    }

    #[test]
    fn log_loss_and_accuracy_known_values() {
        let z = [0.0f32, 2.0, -1.0];
        let y = [1.0f32, 0.0, 0.0];
        let expected = ((2.0f64).ln() + (1.0 + 2f64.exp()).ln() + (1.0 + (-1f64).exp()).ln()) / 3.0;
        assert!((log_loss(&z, &y) - expected).abs() < 1e-12);
        assert!((accuracy(&z, &y) - 2.0 / 3.0).abs() < 1e-12);
        assert!(log_loss(&[100.0], &[0.0]) > 99.0, "no overflow or log(0)");
        assert!((sigmoid(0.0) - 0.5).abs() < 1e-15);
    }
}
