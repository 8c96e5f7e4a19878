//! The embedding map: each model's embeddings of one column on their first two principal axes,
//! one labelled point per value, sized by its training rows and coloured by their mean target
//! (the positive rate, a class's share or a number's mean: the map's [`crate::insight::Shade`]).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::{Theme, clipped, colour, failed, font, probability_colour, text_width};
use crate::insight::{EmbeddingMap, FOLLOWS_RATE};

/// Largest point radius, in pixels, for the most frequent value.
const MAX_RADIUS: f64 = 14.0;

/// Draws one panel per map, side by side.
pub fn draw_embedding_maps<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, maps: &[EmbeddingMap], theme: Theme) -> Result<(), String> {
    root.fill(&WHITE).map_err(failed)?;
    if maps.is_empty() {
        let message = "No embedding map: the deep part does not embed this column.";
        return root.draw(&Text::new(message, (10, 10), font(theme.text(16), HPos::Left, VPos::Top))).map_err(failed);
    }
    for (area, map) in root.split_evenly((1, maps.len())).iter().zip(maps) {
        draw_panel(area, map, theme)?;
    }
    Ok(())
}

fn draw_panel<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, map: &EmbeddingMap, theme: Theme) -> Result<(), String> {
    let (width, height) = area.dim_in_pixel();
    let (width, height) = (width as f64, height as f64);
    let title = format!("{} model, epoch {}: {}", map.mode.name(), map.epoch, map.column);
    let title_size = theme.text(17);
    area.draw(&Text::new(title, (10, 6), font(title_size, HPos::Left, VPos::Top).color(&colour(map.mode)))).map_err(failed)?;
    let note = theme.text(12);
    let axes = format!(
        "axes: first two principal components ({:.0}% + {:.0}% of the variance)",
        100.0 * map.explained[0],
        100.0 * map.explained[1]
    );
    area.draw(&Text::new(axes, (10, 6 + title_size as i32 + 4), font(note, HPos::Left, VPos::Top))).map_err(failed)?;
    let rates = Rates::of(map);
    let legend_top = 6 + title_size as i32 + note as i32 + 10;
    draw_legend(area, &rates, map, legend_top, theme)?;
    let top = legend_top as f64 + note as f64 + 12.0 + MAX_RADIUS;
    let margin = MAX_RADIUS + 8.0;
    let bound = |f: fn(&[f64; 2]) -> f64| {
        let values: Vec<f64> = map.points.iter().map(|p| f(&[p.x, p.y])).collect();
        let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if hi > lo { (lo, hi) } else { (lo - 1.0, lo + 1.0) }
    };
    let ((x_lo, x_hi), (y_lo, y_hi)) = (bound(|p| p[0]), bound(|p| p[1]));
    let place = |x: f64, y: f64| {
        let px = margin + (x - x_lo) / (x_hi - x_lo) * (width - 2.0 * margin - 60.0);
        let py = top + (y_hi - y) / (y_hi - y_lo) * (height - top - margin);
        (px.round() as i32, py.round() as i32)
    };
    let most = map.points.iter().map(|p| p.rows).max().unwrap_or(1).max(1) as f64;
    area.draw(&Rectangle::new(
        [(2, top as i32 - MAX_RADIUS as i32), (width as i32 - 2, height as i32 - 2)],
        RGBColor(0xC9, 0xD1, 0xD9).stroke_width(1),
    ))
    .map_err(failed)?;
    let discs: Vec<((i32, i32), u32)> =
        map.points.iter().map(|p| (place(p.x, p.y), (3.0 + (MAX_RADIUS - 3.0) * (p.rows as f64 / most).sqrt()).round() as u32)).collect();
    for (point, &(at, radius)) in map.points.iter().zip(&discs) {
        // The same discs in both looks: the margins keep room for MAX_RADIUS, and larger ones
        // on a projector hid each other.
        area.draw(&Circle::new(at, radius, probability_colour(rates.scaled(point.mean)).filled())).map_err(failed)?;
        area.draw(&Circle::new(at, radius, BLACK.stroke_width(theme.line(1)))).map_err(failed)?;
    }
    let size = theme.text(12);
    let room = (width as i32 - 4, height as i32 - 2);
    for label in place_labels(&map.points, &discs, size, room).into_iter().flatten() {
        area.draw(&Text::new(label.text, label.at, font(size, label.anchor, VPos::Center))).map_err(failed)?;
    }
    Ok(())
}

/// The points' means on the map: the colours span them (on Adult the positive rates run from 1%
/// to 48%, and a 0-to-1 scale left every point a shade of blue), and the legend says so.
struct Rates {
    lo: f64,
    hi: f64,
}

impl Rates {
    fn of(map: &EmbeddingMap) -> Self {
        let rates = map.points.iter().map(|p| p.mean).filter(|r| r.is_finite());
        let (lo, hi) = rates.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), r| (lo.min(r), hi.max(r)));
        if lo.is_finite() { Self { lo, hi } } else { Self { lo: 0.0, hi: 1.0 } }
    }

    /// Where `rate` falls between the lowest and highest rate: 0 blue, 0.5 white, 1 vermillion.
    fn scaled(&self, rate: f64) -> f64 {
        if self.hi > self.lo { (rate - self.lo) / (self.hi - self.lo) } else { 0.5 }
    }
}

/// Colour steps in the legend's bar.
const LEGEND_STEPS: i32 = 24;

/// The colour legend (lowest to highest mean on this map, in the shade's words) and, when the
/// first axis follows it, an arrow saying so.
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    rates: &Rates,
    map: &EmbeddingMap,
    top: i32,
    theme: Theme,
) -> Result<(), String> {
    let size = theme.text(12);
    let low = format!("{} {}", map.shade.name(), map.shade.format(rates.lo));
    let x = 10 + text_width(&low, size) + 6;
    area.draw(&Text::new(low, (10, top), font(size, HPos::Left, VPos::Top))).map_err(failed)?;
    let (step, bar) = (theme.line(4) as i32, size as i32);
    for i in 0..LEGEND_STEPS {
        let colour = probability_colour(i as f64 / (LEGEND_STEPS - 1) as f64);
        area.draw(&Rectangle::new([(x + i * step, top), (x + (i + 1) * step, top + bar)], colour.filled())).map_err(failed)?;
    }
    let end = x + LEGEND_STEPS * step + 6;
    let high = map.shade.format(rates.hi);
    area.draw(&Text::new(high.clone(), (end, top), font(size, HPos::Left, VPos::Top))).map_err(failed)?;
    if map.rate_correlation >= FOLLOWS_RATE {
        let arrow = format!("→ the first axis follows it (r = {:.2})", map.rate_correlation);
        area.draw(&Text::new(arrow, (end + text_width(&high, size) + 12, top), font(size, HPos::Left, VPos::Top))).map_err(failed)?;
    }
    Ok(())
}

/// A placed label: where it is anchored, how, its (possibly cut) text and its box.
#[derive(Clone)]
struct Label {
    at: (i32, i32),
    anchor: HPos,
    text: String,
    bounds: [i32; 4],
}

/// Whether two boxes (`[left, top, right, bottom]`) overlap.
fn overlap(a: &[i32; 4], b: &[i32; 4]) -> bool {
    a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]
}

/// Where each point's label goes: right of its disc, else left, else above or below, the first
/// place inside `room` that overlaps no other disc and no placed label. The two ends of the first
/// axis choose first (the lesson's sentence names them: "… sits far left, … far right"), then the
/// most frequent values; a label with no free place is left out (the text alternative lists every
/// value), so labels never cover each other.
fn place_labels(points: &[crate::insight::MapPoint], discs: &[((i32, i32), u32)], size: u32, room: (i32, i32)) -> Vec<Option<Label>> {
    let boxes: Vec<[i32; 4]> = discs.iter().map(|&((x, y), r)| [x - r as i32, y - r as i32, x + r as i32, y + r as i32]).collect();
    // The ends as the story finds them (`min_by`: the first of equals; `max_by`: the last).
    let end = |pick: fn(std::cmp::Ordering) -> bool| {
        (0..points.len()).reduce(|best, i| if pick(points[i].x.total_cmp(&points[best].x)) { i } else { best })
    };
    let mut ends: Vec<usize> = [end(|o| o.is_lt()), end(|o| o.is_ge())].into_iter().flatten().collect();
    ends.dedup();
    let mut rest: Vec<usize> = (0..points.len()).filter(|i| !ends.contains(i)).collect();
    rest.sort_by(|&a, &b| points[b].rows.cmp(&points[a].rows).then(a.cmp(&b)));
    let order = ends.into_iter().chain(rest);
    let mut labels: Vec<Option<Label>> = vec![None; points.len()];
    let half = size as i32 / 2 + 1;
    for i in order {
        let ((x, y), r) = discs[i];
        let gap = r as i32 + 3;
        let text = clipped(&points[i].value, room.0 / 2, size);
        let w = text_width(&text, size);
        let candidates = [
            ((x + gap, y), HPos::Left, [x + gap, y - half, x + gap + w, y + half]),
            ((x - gap, y), HPos::Right, [x - gap - w, y - half, x - gap, y + half]),
            ((x, y - gap - half), HPos::Center, [x - w / 2, y - gap - 2 * half, x + w / 2, y - gap]),
            ((x, y + gap + half), HPos::Center, [x - w / 2, y + gap, x + w / 2, y + gap + 2 * half]),
        ];
        let inside = |b: &[i32; 4]| b[0] >= 2 && b[1] >= 0 && b[2] <= room.0 && b[3] <= room.1;
        let clear = |b: &[i32; 4]| {
            boxes.iter().enumerate().all(|(j, d)| j == i || !overlap(b, d))
                && labels.iter().flatten().all(|l: &Label| !overlap(b, &l.bounds))
        };
        if let Some((at, anchor, bounds)) = candidates.into_iter().find(|(_, _, b)| inside(b) && clear(b)) {
            labels[i] = Some(Label { at, anchor, text, bounds });
        }
    }
    labels
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::insight::MapPoint;
    use crate::model::Mode;
    use crate::plot::tests::svg_number;
    use crate::plot::to_svg;

    #[test]
    fn points_are_placed_sized_coloured_and_named() {
        crate::plot::tests::fonts();
        let point = |value: &str, x, y, rows, rate| MapPoint {
            value: value.into(),
            x,
            y,
            rows,
            mean: rate,
            said: String::new(),
            nearest: Vec::new(),
        };
        let map = EmbeddingMap {
            column: "occupation".into(),
            mode: Mode::Deep,
            epoch: 2,
            explained: [0.6, 0.3],
            points: vec![point("Exec-managerial", 1.0, 0.0, 400, 0.48), point("Handlers-cleaners", -1.0, 0.5, 100, 0.06)],
            rate_correlation: 1.0,
            shade: crate::insight::Shade::Rate,
        };
        let svg = to_svg(600, 400, |root| {
            draw_embedding_maps(root, &[map.clone(), EmbeddingMap { mode: Mode::Joint, ..map.clone() }], Theme::default())
        })
        .unwrap();
        assert!(svg.contains("deep model, epoch 2: occupation") && svg.contains("joint model, epoch 2: occupation"));
        assert!(svg.contains("Exec-managerial") && svg.contains("Handlers-cleaners"));
        assert!(svg.contains("60% + 30%"));
        assert_eq!(svg.matches("<circle").count(), 8, "two points, each a disc and a ring, in two panels");
        let label = |name: &str| svg.split("<text").find(|t| t.contains(name)).map(|t| t.split('>').next().unwrap().to_string()).unwrap();
        assert!(label("Handlers-cleaners").contains("text-anchor=\"start\""), "a label on the left side goes right of its point");
        assert!(label("Exec-managerial").contains("text-anchor=\"end\""), "the rightmost point's label goes on its left");
        let projector = to_svg(600, 400, |root| draw_embedding_maps(root, std::slice::from_ref(&map), Theme { projector: true })).unwrap();
        let number = |tag: &str, name: &str| svg_number(tag, name).unwrap();
        for circle in projector.split("<circle").skip(1) {
            let (x, y, r) = (number(circle, "cx"), number(circle, "cy"), number(circle, "r"));
            assert!(r <= MAX_RADIUS, "a projector's discs are no larger: {r}");
            assert!(x - r >= 0.0 && x + r <= 600.0 && y + r <= 400.0, "the disc at ({x}, {y}) is inside the picture");
        }
        let long = "a-value-name-far-too-long-for-either-side-of-its-point";
        let crowded = EmbeddingMap {
            points: vec![point("a", -1.0, 0.0, 9, 0.5), point(long, 0.0, 0.0, 9, 0.5), point("b", 1.0, 1.0, 9, 0.5)],
            ..map
        };
        let cut = to_svg(300, 300, |root| draw_embedding_maps(root, &[crowded], Theme::default())).unwrap();
        assert!(cut.contains("a-value-name") && !cut.contains(long), "a label with no room on either side is cut");
        assert!(svg.contains("positive rate 6%") && svg.contains("48%"), "the legend spans this map's rates");
        assert!(svg.contains("the first axis follows it (r = 1.00)"));
        let empty = to_svg(600, 200, |root| draw_embedding_maps(root, &[], Theme::default())).unwrap();
        assert!(empty.contains("does not embed this column"));
    }

    #[test]
    fn labels_never_cover_each_other_or_another_disc() {
        crate::plot::tests::fonts();
        // Sixty values crowded into a small square, as a column's rare values gather.
        let points: Vec<MapPoint> = (0..60)
            .map(|i| MapPoint {
                value: format!("value-{i}"),
                x: (i % 8) as f64,
                y: (i / 8) as f64,
                rows: 60 - i,
                mean: 0.5,
                said: String::new(),
                nearest: Vec::new(),
            })
            .collect();
        let discs: Vec<((i32, i32), u32)> = points.iter().map(|p| ((60 + 45 * p.x as i32, 40 + 30 * p.y as i32), 6)).collect();
        let labels = place_labels(&points, &discs, 12, (400, 300));
        let placed: Vec<&Label> = labels.iter().flatten().collect();
        assert!(placed.len() >= 10 && placed.len() < 60, "some fit, some are left out: {}", placed.len());
        assert!(labels[0].is_some(), "the most frequent value (and the first axis's left end) is labelled first");
        assert!(labels[55].is_some(), "the first axis's right end is labelled though it is among the rarest: the lesson names it");
        for (i, a) in placed.iter().enumerate() {
            assert!(placed[i + 1..].iter().all(|b| !overlap(&a.bounds, &b.bounds)), "{} covers another label", a.text);
            let covered =
                discs.iter().filter(|&&((x, y), r)| overlap(&a.bounds, &[x - r as i32, y - r as i32, x + r as i32, y + r as i32]));
            assert_eq!(covered.count(), 0, "{} covers a disc", a.text);
        }
    }
}
