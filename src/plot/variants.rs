//! A race of variants: every run's validation score per epoch, one colour per variant, so a
//! difference between variants reads against the spread of each variant's own seeds.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::curves::bounds;
use super::{Theme, failed, font};
use crate::sweep::{PAGE_VARIANTS, Score};

/// Okabe-Ito colours for the page's variants (the base first), none of them a model's colour; a
/// sweep of more (the CLI's) cycles through them.
const INKS: [RGBColor; PAGE_VARIANTS] =
    [RGBColor(0, 0, 0), RGBColor(0xD5, 0x5E, 0x00), RGBColor(0x56, 0xB4, 0xE9), RGBColor(0xCC, 0x79, 0xA7)];

/// A variant's colour by its place in the sweep (the base: black).
pub fn ink(index: usize) -> RGBColor {
    INKS[index % INKS.len()]
}

/// Draws each run of each variant as a line of its validation score per epoch, its kept epoch
/// as a dot, with a legend of the variants' means and spreads.
pub fn draw_variants<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, scores: &[Score], theme: Theme) -> Result<(), String> {
    root.fill(&WHITE).map_err(failed)?;
    let (width, height) = root.dim_in_pixel();
    let (width, height) = (width as i32, height as i32);
    let (label, title) = (theme.text(15) as i32, theme.text(20) as i32);
    let (left, right, top, bottom) = (label * 4, 14, title + 16, label * 3 + 6);
    let plot = (left, top, (width - right).max(left + 10), (height - bottom).max(top + 10));
    let measure = scores.first().map_or("score", |s| s.measure.as_str());
    let heading = format!("Validation {measure} per epoch: each line one seed, each colour one variant");
    root.draw(&Text::new(heading, (width / 2, 6), font(title as u32, HPos::Center, VPos::Top))).map_err(failed)?;
    let curves = || scores.iter().flat_map(|s| s.curves.iter().map(move |c| (s, c)));
    let epochs = curves().map(|(_, c)| c.len()).max().unwrap_or(0).max(1);
    let values: Vec<f64> = curves().flat_map(|(_, c)| c.iter().copied()).collect();
    let y = bounds(&values, 0.5, 1.0);
    let x_at = |epoch: usize| plot.0 + ((epoch as f64 - 0.8) / (epochs as f64 + 0.2 - 0.8) * (plot.2 - plot.0) as f64).round() as i32;
    let y_at = |value: f64| plot.3 - ((value - y.start) / (y.end - y.start) * (plot.3 - plot.1) as f64).round() as i32;
    for i in 0..5 {
        let value = y.start + (y.end - y.start) * i as f64 / 4.0;
        root.draw(&PathElement::new(vec![(plot.0, y_at(value)), (plot.2, y_at(value))], RGBAColor(0, 0, 0, 0.12).stroke_width(1)))
            .map_err(failed)?;
        root.draw(&Text::new(format!("{value:.3}"), (plot.0 - 6, y_at(value)), font(label as u32, HPos::Right, VPos::Center)))
            .map_err(failed)?;
    }
    for epoch in (1..=epochs).filter(|e| (e - 1) % epochs.div_ceil(10) == 0 || *e == epochs) {
        root.draw(&Text::new(epoch.to_string(), (x_at(epoch), plot.3 + 8), font(label as u32, HPos::Center, VPos::Top))).map_err(failed)?;
    }
    root.draw(&PathElement::new(vec![(plot.0, plot.1), (plot.0, plot.3), (plot.2, plot.3)], BLACK.stroke_width(1))).map_err(failed)?;
    let axis = font(label as u32, HPos::Center, VPos::Top);
    root.draw(&Text::new("epoch", ((plot.0 + plot.2) / 2, plot.3 + label + 12), axis)).map_err(failed)?;
    for (score, curve) in curves() {
        let points: Vec<(i32, i32)> =
            curve.iter().enumerate().filter(|(_, v)| v.is_finite()).map(|(i, &v)| (x_at(i + 1), y_at(v))).collect();
        root.draw(&PathElement::new(points.clone(), ink(score.index).stroke_width(theme.line(2)))).map_err(failed)?;
        // The first best epoch, as the trainer keeps it (a later tie does not replace it).
        let kept = curve.iter().enumerate().filter(|(_, v)| v.is_finite()).max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(&a.0)));
        if let Some((i, &v)) = kept {
            root.draw(&Circle::new((x_at(i + 1), y_at(v)), theme.line(4), ink(score.index).filled())).map_err(failed)?;
        }
    }
    let mut legend: Vec<&Score> = scores.iter().collect();
    legend.sort_by_key(|s| s.index);
    for (row, score) in legend.iter().enumerate() {
        let at = (plot.0 + 12, plot.3 - 10 - (legend.len() - 1 - row) as i32 * (label + 8));
        root.draw(&Rectangle::new([(at.0, at.1 - 4), (at.0 + 22, at.1 + 4)], ink(score.index).filled())).map_err(failed)?;
        let words = format!("{}: {:.4} ± {:.4} ({})", score.variant, score.mean, score.spread, score.versus);
        root.draw(&Text::new(words, (at.0 + 28, at.1), font(theme.text(15), HPos::Left, VPos::Center))).map_err(failed)?;
    }
    root.present().map_err(failed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::to_svg;

    fn score(index: usize, name: &str, curves: Vec<Vec<f64>>, versus: &str) -> Score {
        let validation: Vec<f64> = curves.iter().map(|c| c.iter().copied().fold(f64::MIN, f64::max)).collect();
        let mean = validation.iter().sum::<f64>() / validation.len() as f64;
        Score {
            index,
            variant: name.into(),
            test: validation.clone(),
            test_mean: mean,
            diverged: 0,
            validation,
            curves,
            mean,
            spread: 0.01,
            difference: 0.0,
            measure: "AUC".into(),
            versus: versus.into(),
        }
    }

    #[test]
    fn a_line_per_seed_a_colour_per_variant_and_the_legend_in_the_sweeps_order() {
        let scores = [
            score(1, "cross a × b on", vec![vec![0.8, 0.9], vec![0.82, 0.91]], "+0.2000"),
            score(0, "cross a × b off", vec![vec![0.6, 0.7], vec![0.61, 0.69]], "base"),
        ];
        let svg = to_svg(1200, 380, |root| draw_variants(root, &scores, Theme::default())).unwrap();
        assert!(svg.contains("Validation AUC per epoch"));
        let lines = svg.lines().filter(|l| l.starts_with("<polyline") && l.contains("stroke-width=\"2\"")).count();
        assert_eq!(lines, 4, "one line per seed of each variant (grid and axes are thinner)");
        assert_eq!(svg.matches("<circle").count(), 4, "each run's kept epoch");
        assert!(svg.contains("cross a × b on: 0.9050 ± 0.0100 (+0.2000)") && svg.contains("(base)"));
        assert!(svg.find("cross a × b off").unwrap() < svg.find("cross a × b on").unwrap(), "the base's legend row first");
        assert!(svg.contains("stroke=\"#D55E00\""), "the second variant's colour");
    }
}
