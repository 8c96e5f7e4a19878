//! The embedding map: a column's learned deep embeddings projected to two dimensions by PCA, so a
//! class can watch similar values (occupations, products) drift together while the deep part
//! learns: the generalization half of the story.
//!
//! PCA here is exact and deterministic: the covariance matrix's eigenvectors by the cyclic Jacobi
//! method (embeddings have at most a few dozen dimensions), each axis's sign fixed so that its
//! largest loading is positive.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Shade;
use crate::features::{Encoded, Encoder, Layout, PAD};
use crate::model::Mode;

/// Values placed on the map at most: the most frequent ones (a 10,000-value id column would be
/// an unreadable cloud).
pub const MAX_POINTS: usize = 60;
/// Jacobi sweeps at most; each sweep zeroes every off-diagonal entry once, and a few suffice.
const MAX_SWEEPS: usize = 64;
/// Neighbours listed per value in the text alternative.
pub const NEIGHBOURS: usize = 3;

/// Eigenvalues (descending) and unit eigenvectors of the symmetric `n × n` matrix `a` (row-major).
pub fn symmetric_eigen(a: &[f64], n: usize) -> (Vec<f64>, Vec<Vec<f64>>) {
    let mut a = a.to_vec();
    let mut v: Vec<f64> = (0..n * n).map(|i| if i / n == i % n { 1.0 } else { 0.0 }).collect();
    for _ in 0..MAX_SWEEPS {
        let off: f64 = (0..n).flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j))).map(|(i, j)| a[i * n + j].powi(2)).sum();
        if off < 1e-22 {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                rotate(&mut a, &mut v, n, p, q);
            }
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&x, &y| a[y * n + y].total_cmp(&a[x * n + x]).then(x.cmp(&y)));
    let values = order.iter().map(|&k| a[k * n + k]).collect();
    let vectors = order
        .iter()
        .map(|&k| {
            let mut column: Vec<f64> = (0..n).map(|i| v[i * n + k]).collect();
            let largest = column.iter().copied().fold(0.0f64, |m, x| if x.abs() > m.abs() { x } else { m });
            if largest < 0.0 {
                column.iter_mut().for_each(|x| *x = -*x);
            }
            column
        })
        .collect();
    (values, vectors)
}

/// One Jacobi rotation zeroing `a[p][q]`, accumulated into the eigenvector matrix `v`.
fn rotate(a: &mut [f64], v: &mut [f64], n: usize, p: usize, q: usize) {
    let apq = a[p * n + q];
    if apq.abs() < 1e-300 {
        return;
    }
    let theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
    let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
    let t = if theta == 0.0 { 1.0 } else { t };
    let c = 1.0 / (t * t + 1.0).sqrt();
    let s = t * c;
    for k in 0..n {
        let (akp, akq) = (a[k * n + p], a[k * n + q]);
        a[k * n + p] = c * akp - s * akq;
        a[k * n + q] = s * akp + c * akq;
    }
    for k in 0..n {
        let (apk, aqk) = (a[p * n + k], a[q * n + k]);
        a[p * n + k] = c * apk - s * aqk;
        a[q * n + k] = s * apk + c * aqk;
    }
    for k in 0..n {
        let (vkp, vkq) = (v[k * n + p], v[k * n + q]);
        v[k * n + p] = c * vkp - s * vkq;
        v[k * n + q] = s * vkp + c * vkq;
    }
}

/// The first two principal components of `points` (each of the same dimension): one 2-D point
/// per input, and the share of the variance each axis explains. Fewer than two dimensions
/// give a zero second coordinate.
pub fn project_2d(points: &[Vec<f32>]) -> (Vec<[f64; 2]>, [f64; 2]) {
    let dim = points.first().map_or(0, Vec::len);
    if points.is_empty() || dim == 0 {
        return (vec![[0.0, 0.0]; points.len()], [0.0, 0.0]);
    }
    let count = points.len() as f64;
    let mean: Vec<f64> = (0..dim).map(|d| points.iter().map(|p| p[d] as f64).sum::<f64>() / count).collect();
    let centred: Vec<Vec<f64>> = points.iter().map(|p| p.iter().zip(&mean).map(|(&x, m)| x as f64 - m).collect()).collect();
    let mut covariance = vec![0.0; dim * dim];
    for p in &centred {
        for i in 0..dim {
            for j in 0..dim {
                covariance[i * dim + j] += p[i] * p[j] / count;
            }
        }
    }
    let (values, vectors) = symmetric_eigen(&covariance, dim);
    let total: f64 = values.iter().map(|v| v.max(0.0)).sum();
    let axis = |k: usize| vectors.get(k);
    let coordinate = |p: &[f64], k: usize| axis(k).map_or(0.0, |v| v.iter().zip(p).map(|(a, b)| a * b).sum());
    let projected = centred.iter().map(|p| [coordinate(p, 0), coordinate(p, 1)]).collect();
    let share = |k: usize| if total > 0.0 { values.get(k).map_or(0.0, |v| v.max(0.0) / total) } else { 0.0 };
    (projected, [share(0), share(1)])
}

/// For each point, the indices of its `k` nearest others by cosine similarity (most similar
/// first; ties by index).
pub fn nearest(points: &[Vec<f32>], k: usize) -> Vec<Vec<usize>> {
    let norm = |p: &[f32]| p.iter().map(|&x| (x as f64).powi(2)).sum::<f64>().sqrt().max(1e-12);
    let cosine = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(&x, &y)| x as f64 * y as f64).sum::<f64>() / (norm(a) * norm(b));
    (0..points.len())
        .map(|i| {
            let mut others: Vec<(usize, f64)> =
                (0..points.len()).filter(|&j| j != i).map(|j| (j, cosine(&points[i], &points[j]))).collect();
            others.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            others.into_iter().take(k).map(|(j, _)| j).collect()
        })
        .collect()
}

/// One value of the column on the map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MapPoint {
    /// The value, like `Exec-managerial`.
    pub value: String,
    /// Its position on the first two principal axes.
    pub x: f64,
    /// See `x`.
    pub y: f64,
    /// Training rows with this value (the point's size).
    pub rows: u32,
    /// Their mean target (the point's colour): the share of positives, of the class shown, or a
    /// number's mean in its units (see [`EmbeddingMap::shade`]).
    pub mean: f64,
    /// Its mean in words ([`Shade::says`]), for the page's list.
    #[serde(default)]
    pub said: String,
    /// The most similar values in the full embedding space (the text alternative).
    pub nearest: Vec<String>,
}

/// One model's embedding map of one column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmbeddingMap {
    /// The column.
    pub column: String,
    /// The model (deep or joint).
    pub mode: Mode,
    /// The epoch whose embeddings these are.
    pub epoch: usize,
    /// Share of the embeddings' variance the two axes show.
    pub explained: [f64; 2],
    /// One point per value seen in training.
    pub points: Vec<MapPoint>,
    /// How closely the first axis follows the points' mean target (Pearson's r over the points,
    /// weighted by their rows; ≥ 0 once [`EmbeddingMap::orient`] has pointed it rightward).
    #[serde(default)]
    pub rate_correlation: f64,
    /// What the points' means are: the positive rate, a class's share, or a number's mean.
    #[serde(default)]
    pub shade: Shade,
}

/// From this |r| on, the first axis is said to follow the mean target (the positive rate of a yes/no label), and is pointed so that
/// the rate grows rightward in every panel and every epoch.
pub const RATE_AXIS: f64 = 0.3;

impl EmbeddingMap {
    /// The map of `column` from a deep embedding table: `tables[g]` holds deep group `g`'s
    /// row-major values, as [`Layout::deep`] describes them. Sizes come from the training rows
    /// `train`, colours from the mean of `targets` (one per training row, read as `shade` says).
    /// `None` when the deep part does not embed the column.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        column: &str,
        mode: Mode,
        epoch: usize,
        encoder: &Encoder,
        layout: &Layout,
        train: &Encoded,
        tables: &[Vec<f32>],
        targets: &[f32],
        shade: Shade,
    ) -> Option<Self> {
        let field = encoder.fields.iter().position(|f| f.column == column)?;
        let (g, group) = layout.deep.iter().enumerate().find(|(_, g)| g.fields.iter().any(|&(f, _)| f == field))?;
        let (slot, offset) = group.fields.iter().enumerate().find(|(_, (f, _))| *f == field).map(|(slot, &(_, offset))| (slot, offset))?;
        let slots: Vec<usize> = if group.pooled { (0..group.slots).collect() } else { vec![slot] };
        let cardinality = encoder.fields[field].cardinality();
        let (mut rows, mut sums) = (vec![0u32; cardinality], vec![0.0f64; cardinality]);
        for (ids, &target) in train.deep[g].chunks(group.slots).zip(targets) {
            for id in slots.iter().map(|&s| ids[s]).filter(|&id| id != PAD) {
                let value = (id - offset) as usize;
                rows[value] += 1;
                sums[value] += f64::from(target);
            }
        }
        let mut values: Vec<usize> = (1..cardinality).filter(|&v| rows[v] > 0).collect();
        values.sort_by(|&a, &b| rows[b].cmp(&rows[a]).then(a.cmp(&b)));
        values.truncate(MAX_POINTS);
        let dim = group.dim;
        let vectors: Vec<Vec<f32>> =
            values.iter().map(|&v| tables[g][(offset as usize + v) * dim..(offset as usize + v + 1) * dim].to_vec()).collect();
        let (projected, explained) = project_2d(&vectors);
        let near = nearest(&vectors, NEIGHBOURS);
        let name = |v: usize| encoder.fields[field].value_name(v as u32);
        let points = values
            .iter()
            .zip(projected)
            .zip(near)
            .map(|((&v, [x, y]), near)| MapPoint {
                value: name(v),
                x,
                y,
                rows: rows[v],
                mean: sums[v] / rows[v] as f64,
                said: shade.says(sums[v] / rows[v] as f64),
                nearest: near.into_iter().map(|j| name(values[j])).collect(),
            })
            .collect();
        let mut map = Self { column: column.to_string(), mode, epoch, explained, points, rate_correlation: 0.0, shade };
        map.rate_correlation = map.correlation(|p| p.x);
        Some(map)
    }

    /// Turns the axes so that the same picture reads the same way in every panel and from epoch
    /// to epoch (a principal axis's sign is arbitrary; unturned, the deep and joint panels came
    /// out as mirror images). The first axis points where the mean target grows when it
    /// follows the rate (see [`RATE_AXIS`]); otherwise, like the second axis, it agrees with
    /// `previous` (this column's last map, from the same model) where there is one, and with
    /// the rate's direction where there is none.
    pub fn orient(&mut self, previous: Option<&EmbeddingMap>) {
        let agreement = |map: &Self, axis: fn(&MapPoint) -> f64| {
            let before = previous.map(|p| p.points.iter().map(|q| (q.value.as_str(), axis(q))).collect::<BTreeMap<_, _>>());
            before.map(|before| map.points.iter().filter_map(|q| before.get(q.value.as_str()).map(|b| b * axis(q))).sum::<f64>())
        };
        let x_rate = self.correlation(|p| p.x);
        let flip_x = if x_rate.abs() >= RATE_AXIS { x_rate < 0.0 } else { agreement(self, |p| p.x).map_or(x_rate < 0.0, |a| a < 0.0) };
        let flip_y = agreement(self, |p| p.y).map_or(self.correlation(|p| p.y) < 0.0, |a| a < 0.0);
        for point in &mut self.points {
            if flip_x {
                point.x = -point.x;
            }
            if flip_y {
                point.y = -point.y;
            }
        }
        self.rate_correlation = self.correlation(|p| p.x);
    }

    /// Pearson's r between `axis` and the mean target over the points, weighted by rows (0
    /// when either does not vary).
    fn correlation(&self, axis: fn(&MapPoint) -> f64) -> f64 {
        let total: f64 = self.points.iter().map(|p| p.rows as f64).sum();
        if total == 0.0 {
            return 0.0;
        }
        let mean = |f: &dyn Fn(&MapPoint) -> f64| self.points.iter().map(|p| p.rows as f64 * f(p)).sum::<f64>() / total;
        let (ma, mr) = (mean(&axis), mean(&|p| p.mean));
        let covariance = mean(&|p| (axis(p) - ma) * (p.mean - mr));
        let spread = (mean(&|p| (axis(p) - ma).powi(2)) * mean(&|p| (p.mean - mr).powi(2))).sqrt();
        if spread > 1e-12 { covariance / spread } else { 0.0 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eigen_of_a_hand_computed_matrix() {
        // [[2, 1], [1, 2]] has eigenvalues 3 and 1, eigenvectors (1, 1)/√2 and (1, -1)/√2.
        let (values, vectors) = symmetric_eigen(&[2.0, 1.0, 1.0, 2.0], 2);
        assert!((values[0] - 3.0).abs() < 1e-12 && (values[1] - 1.0).abs() < 1e-12, "{values:?}");
        let r = 1.0 / 2f64.sqrt();
        assert!((vectors[0][0] - r).abs() < 1e-12 && (vectors[0][1] - r).abs() < 1e-12, "{vectors:?}");
        assert!((vectors[1][0].abs() - r).abs() < 1e-12 && (vectors[1][0] + vectors[1][1]).abs() < 1e-12, "{vectors:?}");
    }

    #[test]
    fn points_on_a_line_project_onto_it() {
        // Points along (3, 4)/5 plus a small, uncorrelated spread along (-4, 3)/5: the first axis is the line.
        let points: Vec<Vec<f32>> = [(-2.0, 0.1), (-1.0, -0.2), (0.0, 0.2), (1.0, -0.2), (2.0, 0.1)]
            .iter()
            .map(|&(t, s): &(f32, f32)| vec![3.0 / 5.0 * t - 4.0 / 5.0 * s, 4.0 / 5.0 * t + 3.0 / 5.0 * s])
            .collect();
        let (projected, explained) = project_2d(&points);
        let expected_first = [-2.0, -1.0, 0.0, 1.0, 2.0];
        for (p, e) in projected.iter().zip(expected_first) {
            assert!((p[0] - e).abs() < 1e-6, "{projected:?}");
        }
        assert!((projected[0][1].abs() - 0.1).abs() < 1e-6, "{projected:?}");
        // Variances: 2.0 along the line, 0.028 across it.
        assert!((explained[0] - 2.0 / 2.028).abs() < 1e-6, "{explained:?}");
    }

    fn map(mode: Mode, points: &[(&str, f64, f64, f64)]) -> EmbeddingMap {
        let points = points
            .iter()
            .map(|&(value, x, y, rate)| MapPoint {
                value: value.into(),
                x,
                y,
                rows: 10,
                mean: rate,
                said: String::new(),
                nearest: Vec::new(),
            })
            .collect();
        EmbeddingMap { column: "job".into(), mode, epoch: 1, explained: [0.5, 0.3], points, rate_correlation: 0.0, shade: Shade::Rate }
    }

    fn xs(map: &EmbeddingMap) -> Vec<f64> {
        map.points.iter().map(|p| p.x).collect()
    }

    #[test]
    fn the_rate_axis_points_right_in_every_panel() {
        // The same embedding, mirrored, as PCA's arbitrary signs give it in two panels.
        let values = [("low", 2.0, 1.0, 0.05), ("mid", 0.0, -1.0, 0.2), ("high", -2.0, 0.5, 0.5)];
        let mirrored: Vec<_> = values.iter().map(|&(v, x, y, r)| (v, -x, -y, r)).collect();
        let (mut deep, mut joint) = (map(Mode::Deep, &values), map(Mode::Joint, &mirrored));
        assert!(deep.correlation(|p| p.x) < -0.9);
        deep.orient(None);
        joint.orient(None);
        assert_eq!(xs(&deep), [-2.0, 0.0, 2.0], "the rate grows rightward");
        assert_eq!(xs(&deep), xs(&joint), "both panels read the same way");
        assert_eq!(deep.points.iter().map(|p| p.y).collect::<Vec<_>>(), joint.points.iter().map(|p| p.y).collect::<Vec<_>>());
        assert!(deep.rate_correlation > 0.9, "{}", deep.rate_correlation);
    }

    #[test]
    fn an_axis_the_rate_does_not_follow_keeps_the_previous_epochs_direction() {
        // The rate is the same everywhere: no axis follows it.
        let before = map(Mode::Deep, &[("a", 1.0, 1.0, 0.2), ("b", -1.0, 0.5, 0.2), ("c", 0.0, -1.5, 0.2)]);
        let mut now = map(Mode::Deep, &[("a", -1.1, -0.9, 0.2), ("b", 0.9, -0.6, 0.2), ("c", 0.1, 1.4, 0.2)]);
        now.orient(Some(&before));
        assert_eq!(xs(&now), [1.1, -0.9, -0.1], "flipped to agree with the previous epoch");
        assert_eq!(now.points.iter().map(|p| p.y).collect::<Vec<_>>(), [0.9, 0.6, -1.4]);
        assert_eq!(now.rate_correlation, 0.0, "a constant rate follows no axis");
    }

    #[test]
    fn projections_and_neighbours_are_deterministic() {
        let points: Vec<Vec<f32>> = (0..12).map(|i| (0..8).map(|d| ((i * 7 + d * 3) % 11) as f32 - 5.0).collect()).collect();
        assert_eq!(project_2d(&points), project_2d(&points));
        let near = nearest(&points, NEIGHBOURS);
        assert_eq!(near, nearest(&points, NEIGHBOURS));
        assert!(near.iter().enumerate().all(|(i, n)| n.len() == 3 && !n.contains(&i)));
        let same = vec![vec![1.0f32, 0.0], vec![2.0, 0.0], vec![0.0, 1.0]];
        assert_eq!(nearest(&same, 1), [vec![1], vec![0], vec![0]], "the parallel vector is nearest; ties go to the lower index");
    }
}
