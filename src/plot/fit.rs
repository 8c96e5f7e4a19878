//! How each model's test predictions fit the labels, in its task's picture: for a yes/no label
//! the reliability diagram (each model's mean predicted probability per bin against the rate
//! observed in it, the diagonal where they agree, each point sized by its rows; the expected
//! calibration error and the Brier score in the legend: does 0.8 mean 80%? Read it off); for a
//! number predicted against actual ([`super::scatter`]); for several classes the confusion
//! matrices ([`super::confusion`]).
//!
//! Laid out by hand, as the other pictures, so it draws in the browser's worker too.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use serde::{Deserialize, Serialize};

use super::confusion::draw_confusions;
use super::scatter::draw_scatters;
use super::{Theme, colour, failed, font};
use crate::metrics::{Calibration, Fit};
use crate::model::Mode;

/// One model's fit on the test rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelFit {
    /// Which model.
    pub mode: Mode,
    /// Its calibration, scatter or confusion matrix.
    pub fit: Fit,
    /// The class weights it trained with (positive, negative), when not 1 and 1: its
    /// probabilities lean toward the heavier class, and the reliability diagram says so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_weights: Option<[f64; 2]>,
}

impl ModelFit {
    /// The fit of `trainer`'s kept epoch, with its class weights; none before its first epoch.
    pub fn of(trainer: &crate::train::Trainer) -> Option<Self> {
        Some(Self { mode: trainer.mode(), fit: trainer.fit()?.clone(), class_weights: trainer.class_weights() })
    }
}

/// Draws the fit of `models` (all of one task: the first one's says which picture) on `root`.
pub fn draw_fit<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, models: &[ModelFit], theme: Theme) -> Result<(), String> {
    match models.first().map(|m| &m.fit) {
        Some(Fit::Scatter(_)) => draw_scatters(root, &pick(models, |f| if let Fit::Scatter(s) = f { Some(s) } else { None }), theme),
        Some(Fit::Confusion(_)) => draw_confusions(root, &pick(models, |f| if let Fit::Confusion(c) = f { Some(c) } else { None }), theme),
        _ => {
            let weighted = models.iter().find_map(|m| m.class_weights);
            draw_calibration(root, &pick(models, |f| if let Fit::Calibration(c) = f { Some(c) } else { None }), weighted, theme)
        }
    }
}

/// Each model's fit of one kind, with its mode.
fn pick<'a, T>(models: &'a [ModelFit], kind: impl Fn(&'a Fit) -> Option<&'a T>) -> Vec<(Mode, &'a T)> {
    models.iter().filter_map(|m| Some((m.mode, kind(&m.fit)?))).collect()
}

/// Ticks on each axis (0, 0.25, …, 1).
const TICKS: usize = 5;

/// Draws the reliability diagram of `models` on `root`.
fn draw_calibration<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    models: &[(Mode, &Calibration)],
    weighted: Option<[f64; 2]>,
    theme: Theme,
) -> Result<(), String> {
    root.fill(&WHITE).map_err(failed)?;
    let (width, height) = root.dim_in_pixel();
    let (width, height) = (width as i32, height as i32);
    let (label, title) = (theme.text(15) as i32, theme.text(20) as i32);
    let side = (height - title - label * 4 - 24).min(width / 2 - label * 4).max(40);
    let plot = (label * 4, title + 16, label * 4 + side, title + 16 + side);
    root.draw(&Text::new(
        "Calibration: predicted probability against the observed rate (test rows)",
        (width / 2, 6),
        font(title as u32, HPos::Center, VPos::Top),
    ))
    .map_err(failed)?;
    let at = |p: f64, q: f64| (plot.0 + (p * side as f64).round() as i32, plot.3 - (q * side as f64).round() as i32);
    let grid = RGBAColor(0, 0, 0, 0.12).stroke_width(1);
    for i in 0..TICKS {
        let v = i as f64 / (TICKS - 1) as f64;
        root.draw(&PathElement::new(vec![at(0.0, v), at(1.0, v)], grid)).map_err(failed)?;
        root.draw(&PathElement::new(vec![at(v, 0.0), at(v, 1.0)], grid)).map_err(failed)?;
        let (x, y) = at(0.0, v);
        root.draw(&Text::new(format!("{v:.2}"), (x - 6, y), font(label as u32, HPos::Right, VPos::Center))).map_err(failed)?;
        let (x, y) = at(v, 0.0);
        root.draw(&Text::new(format!("{v:.2}"), (x, y + 6), font(label as u32, HPos::Center, VPos::Top))).map_err(failed)?;
    }
    let (x, y) = at(0.5, 0.0);
    root.draw(&Text::new("predicted probability", (x, y + label + 12), font(label as u32, HPos::Center, VPos::Top))).map_err(failed)?;
    root.draw(&PathElement::new(vec![at(0.0, 0.0), at(1.0, 1.0)], BLACK.mix(0.5).stroke_width(theme.line(1)))).map_err(failed)?;
    let most = models.iter().flat_map(|(_, c)| c.bins.iter().map(|b| b.rows)).max().unwrap_or(1).max(1) as f64;
    for &(mode, calibration) in models {
        let style = colour(mode);
        let points: Vec<(f64, f64, usize)> =
            calibration.bins.iter().filter(|b| b.rows > 0 && b.predicted.is_finite()).map(|b| (b.predicted, b.observed, b.rows)).collect();
        let line: Vec<(i32, i32)> = points.iter().map(|&(p, q, _)| at(p, q)).collect();
        root.draw(&PathElement::new(line, style.stroke_width(theme.line(2)))).map_err(failed)?;
        for &(p, q, rows) in &points {
            let radius = (3.0 + 7.0 * (rows as f64 / most).sqrt()) as i32;
            root.draw(&Circle::new(at(p, q), radius, style.mix(0.7).filled())).map_err(failed)?;
        }
    }
    let legend_x = plot.2 + label * 2;
    for (i, &(mode, c)) in models.iter().enumerate() {
        let y = plot.1 + i as i32 * (label * 2 + 8);
        root.draw(&Rectangle::new([(legend_x, y), (legend_x + label, y + label)], colour(mode).filled())).map_err(failed)?;
        let text = format!("{}: ECE {:.3}, Brier {:.3}", mode.name(), c.ece, c.brier);
        root.draw(&Text::new(text, (legend_x + label + 8, y), font(label as u32, HPos::Left, VPos::Top))).map_err(failed)?;
    }
    let y = plot.1 + models.len() as i32 * (label * 2 + 8) + 8;
    let mut lines: Vec<String> = [
        "Up: the share of positives observed in the bin.",
        "On the diagonal: a probability means what it says.",
        "Point size: test rows in the bin.",
    ]
    .map(String::from)
    .to_vec();
    if let Some(words) = weighted.map(crate::train::class_weight_words) {
        lines.push(words);
    }
    for (i, line) in lines.into_iter().enumerate() {
        let at = (legend_x, y + i as i32 * (label + 6));
        root.draw(&Text::new(line, at, font(label as u32, HPos::Left, VPos::Top))).map_err(failed)?;
    }
    root.present().map_err(failed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::calibration;
    use crate::plot::to_svg;

    #[test]
    fn each_model_is_drawn_with_its_ece_and_brier() {
        let logits = [-2.0f32, -1.0, 0.0, 1.0, 2.0, 2.5];
        let targets = [0.0f32, 0.0, 1.0, 1.0, 1.0, 0.0];
        let models: Vec<ModelFit> = [Mode::Deep, Mode::Joint]
            .iter()
            .map(|&mode| ModelFit { mode, fit: Fit::Calibration(calibration(&logits, &targets)), class_weights: None })
            .collect();
        let svg = to_svg(900, 420, |root| draw_fit(root, &models, Theme::default())).unwrap();
        let c = calibration(&logits, &targets);
        for text in ["Calibration", &format!("deep: ECE {:.3}, Brier {:.3}", c.ece, c.brier), "joint: ECE", "predicted probability"] {
            assert!(svg.contains(text), "{text}");
        }
        let filled = c.bins.iter().filter(|b| b.rows > 0).count();
        assert!(!svg.contains("Class weights"), "no weights, no word of them");
        let weighted: Vec<ModelFit> = models.iter().map(|m| ModelFit { class_weights: Some([10.0, 1.0]), ..m.clone() }).collect();
        let svg_weighted = to_svg(900, 420, |root| draw_fit(root, &weighted, Theme::default())).unwrap();
        assert!(svg_weighted.contains("Class weights (10.0:1) shift the probabilities above the rates."));
        assert_eq!(svg.matches("<circle").count(), 2 * filled, "one point per filled bin and model");
    }
}
