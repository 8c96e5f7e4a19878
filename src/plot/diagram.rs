//! The model diagram: input columns on the left, the wide part above and the deep part below,
//! both meeting at the output, with how much each part moves the logit once trained.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use serde::Serialize;

use super::{Theme, clipped, failed, font, outline, text_width};
use crate::insight::Diagram;
use crate::model::Mode;

/// Pixels between a box's edge and its text.
const PAD: i32 = 8;
/// Pixels between the wide box and the deep one below it.
const GAP: i32 = 24;

/// The text metrics of one theme: the font size and the height of a line.
#[derive(Clone, Copy)]
struct Lines {
    size: i32,
    height: i32,
}

impl Lines {
    fn of(theme: Theme) -> Self {
        let size = theme.text(14) as i32;
        Self { size, height: size + 4 }
    }

    /// How tall a box of `count` lines is.
    fn box_height(self, count: usize) -> i32 {
        count as i32 * self.height + 10
    }

    /// How many lines a box at most `height` tall holds (at least one).
    fn within(self, height: i32) -> usize {
        ((height - 10) / self.height).max(1) as usize
    }

    /// Whether `text` fits a box `width` wide.
    fn fits(self, text: &str, width: i32) -> bool {
        text_width(text, self.size as u32) <= width - 2 * PAD
    }
}

/// `line` broken at spaces into lines that fit a box `width` wide (a word too long for a line is
/// cut to fit one).
fn wrap(line: &str, width: i32, lines: Lines) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for word in line.split(' ') {
        match out.last_mut() {
            Some(last) if lines.fits(&format!("{last} {word}"), width) => {
                last.push(' ');
                last.push_str(word);
            }
            _ => out.push(clipped(word, width - 2 * PAD, lines.size as u32)),
        }
    }
    out
}

/// `items` after `lead`, comma-separated and wrapped to a box `width` wide, in at most `max`
/// lines: the items that do not fit are counted at the end ("… and 5 more").
fn packed(lead: &str, items: &[String], width: i32, max: usize, lines: Lines) -> Vec<String> {
    let text = |shown: usize| {
        let mut words: Vec<String> = items[..shown].iter().map(|item| format!("{item},")).collect();
        match (shown < items.len(), words.last_mut()) {
            // No-break spaces: the count stays on one line.
            (true, _) => words.push(format!("…\u{a0}and\u{a0}{}\u{a0}more", items.len() - shown)),
            (false, Some(last)) => _ = last.pop(),
            (false, None) => words.push("none".into()),
        }
        wrap(&format!("{lead} {}", words.join(" ")), width, lines)
    };
    (0..=items.len()).rev().map(text).find(|wrapped| wrapped.len() <= max).unwrap_or_else(|| text(0))
}

/// `lines`, at most `max` of them (one at least): past that, the last one counts those left out
/// (`more(count)`).
fn capped(mut lines: Vec<String>, max: usize, more: impl Fn(usize) -> String) -> Vec<String> {
    let max = max.max(1);
    if lines.len() > max {
        let left = lines.len() - max + 1;
        lines.truncate(max - 1);
        lines.push(more(left));
    }
    lines
}

/// A box of text lines at `at` (top-left), `width` wide, outlined in `ink`.
fn boxed<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    at: (i32, i32),
    width: i32,
    text: &[String],
    ink: RGBColor,
    theme: Theme,
) -> Result<(i32, i32, i32, i32), String> {
    let lines = Lines::of(theme);
    let (x, y) = at;
    let bottom = y + lines.box_height(text.len());
    root.draw(&Rectangle::new([(x, y), (x + width, bottom)], ink.mix(0.12).filled())).map_err(failed)?;
    outline(root, (x, y), (x + width, bottom), ink.stroke_width(theme.line(2)))?;
    for (i, line) in text.iter().enumerate() {
        let style = font(lines.size as u32, HPos::Left, VPos::Top);
        root.draw(&Text::new(line.clone(), (x + PAD, y + 6 + i as i32 * lines.height), style)).map_err(failed)?;
    }
    Ok((x, y, x + width, bottom))
}

fn arrow<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, from: (i32, i32), to: (i32, i32), theme: Theme) -> Result<(), String> {
    let ink = RGBColor(0x4A, 0x55, 0x60).stroke_width(theme.line(2));
    root.draw(&PathElement::new(vec![from, to], ink)).map_err(failed)?;
    let head = [(to.0 - 8, to.1 - 5), to, (to.0 - 8, to.1 + 5)];
    root.draw(&PathElement::new(head.to_vec(), ink)).map_err(failed)
}

/// The input columns' box: a count, then the columns (long names cut to the box `width`), as
/// many as the picture's height holds.
fn input_lines(diagram: &Diagram, width: i32, max: usize, lines: Lines) -> Vec<String> {
    let count = diagram.inputs.len();
    let names = diagram.inputs.iter().map(|i| clipped(&i.column, width - 2 * PAD, lines.size as u32));
    capped(std::iter::once(format!("{count} input columns")).chain(names).collect(), max, |left| format!("… and {left} more"))
}

/// The wide box's lines: its ids, then its crosses, each wrapped to `width`, as many as fit in
/// `max` lines (the rest counted); and each cross shown, by its index in the diagram, with the
/// lines it takes.
fn wide_lines(diagram: &Diagram, width: i32, max: usize, lines: Lines) -> (Vec<String>, Vec<(usize, std::ops::Range<usize>)>) {
    let columns = diagram.inputs.iter().filter(|i| i.wide_ids.is_some()).count();
    let mut text = vec!["Wide part (memorizes)".to_string(), format!("{} ids: {columns} columns", diagram.wide_ids)];
    if !diagram.classes.is_empty() {
        text.push(format!("{} weights per id, one per class", diagram.classes.len()));
    }
    let crosses: Vec<Vec<String>> =
        diagram.crosses.iter().map(|(name, buckets)| wrap(&format!("× {name} ({buckets} buckets)"), width, lines)).collect();
    let room = max.saturating_sub(text.len());
    let mut shown = crosses.len();
    if crosses.iter().map(Vec::len).sum::<usize>() > room {
        // One line is kept for the count of the crosses left out.
        let mut used = 0;
        shown = crosses
            .iter()
            .take_while(|c| {
                used += c.len();
                used < room
            })
            .count();
    }
    let mut spans = Vec::with_capacity(shown);
    for (index, cross) in crosses[..shown].iter().enumerate() {
        spans.push((index, text.len()..text.len() + cross.len()));
        text.extend(cross.iter().cloned());
    }
    if shown < crosses.len() {
        text.push(format!("… and {} more crosses", crosses.len() - shown));
    }
    (text, spans)
}

/// The wide box of a diagram drawn `width × height`: its top-left corner, its width, its lines
/// and where its crosses lie among them (none without a wide part).
struct WideBox {
    at: (i32, i32),
    width: i32,
    text: Vec<String>,
    spans: Vec<(usize, std::ops::Range<usize>)>,
}

impl WideBox {
    fn of(diagram: &Diagram, (width, height): (i32, i32), lines: Lines) -> Option<Self> {
        let column = (width - 40) / 4;
        let room = if diagram.deep_inputs > 0 { (height - 20 - GAP) / 2 } else { height - 20 };
        let (text, spans) = wide_lines(diagram, column * 2 - 30, lines.within(room), lines);
        (diagram.wide_ids > 0).then_some(Self { at: (10 + column, 10), width: column * 2 - 30, text, spans })
    }
}

/// Where a cross the wide box lists lies in the picture: what lets the page switch it by a click.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CrossSpot {
    /// The cross, by its place in [`Diagram::crosses`] (the configuration's order).
    pub cross: usize,
    /// Its name there (its columns joined by ` x `): what the page finds its cross by.
    pub name: String,
    /// Its lines' rectangle in the picture's pixels: left, top, width, height.
    pub at: [i32; 4],
}

/// Each cross the diagram drawn `width × height` in `theme` shows, and where (a cross counted in
/// "… and 3 more" has none).
pub fn cross_spots(diagram: &Diagram, width: u32, height: u32, theme: Theme) -> Vec<CrossSpot> {
    let lines = Lines::of(theme);
    let Some(wide) = WideBox::of(diagram, (width as i32, height as i32), lines) else { return Vec::new() };
    let top = |line: usize| wide.at.1 + 6 + line as i32 * lines.height;
    let spot = |(cross, span): &(usize, std::ops::Range<usize>)| CrossSpot {
        cross: *cross,
        name: diagram.crosses[*cross].0.clone(),
        at: [wide.at.0, top(span.start) - 2, wide.width, top(span.end) - top(span.start)],
    };
    wide.spans.iter().map(spot).collect()
}

/// The output box's words (the diagram's, as the page says them), a multiclass label's classes
/// listed as far as two lines hold them.
fn output_lines(diagram: &Diagram, width: i32, lines: Lines) -> Vec<String> {
    let mut text: Vec<String> =
        diagram.output.iter().enumerate().map(|(i, w)| if i == 0 { format!("Output: {w}") } else { w.clone() }).collect();
    if !diagram.classes.is_empty() {
        text.extend(packed("one each:", &diagram.classes, width, 2, lines));
    }
    text
}

/// The deep box: its embeddings, as many as fit in `max` lines, and its numbers.
fn deep_lines(diagram: &Diagram, width: i32, max: usize, lines: Lines) -> Vec<String> {
    let embedded: Vec<String> = diagram.inputs.iter().filter_map(|i| i.embedding.map(|d| format!("{}→{d}", i.column))).collect();
    let numbers = diagram.inputs.iter().filter(|i| i.numeric).count();
    let mut text = vec!["Deep part (generalizes)".to_string()];
    text.extend(packed("embeddings:", &embedded, width, max.saturating_sub(2).max(1), lines));
    text.push(format!("{numbers} numbers; {} inputs", diagram.deep_inputs));
    text
}

/// Draws `diagram` on `root`, every box's text inside its box and every box inside the picture
/// (what does not fit is counted: "… and 5 more"; the page lists it all in words).
pub fn draw_diagram<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, diagram: &Diagram, theme: Theme) -> Result<(), String> {
    root.fill(&WHITE).map_err(failed)?;
    let (width, height) = root.dim_in_pixel();
    let (width, height) = (width as i32, height as i32);
    let lines = Lines::of(theme);
    let column = (width - 40) / 4;
    let inputs = boxed(root, (10, 10), column - 30, &input_lines(diagram, column - 30, lines.within(height - 20), lines), BLACK, theme)?;
    let mid_x = 10 + column;
    let mut right_of: Vec<(i32, i32)> = Vec::new();
    let mut y = 10;
    if let Some(wide) = WideBox::of(diagram, (width, height), lines) {
        let b = boxed(root, wide.at, wide.width, &wide.text, super::colour(Mode::Wide), theme)?;
        arrow(root, (inputs.2, (inputs.1 + inputs.3) / 2), (b.0, (b.1 + b.3) / 2), theme)?;
        right_of.push((b.2, (b.1 + b.3) / 2));
        y = b.3 + GAP;
    }
    if diagram.deep_inputs > 0 {
        let max = lines.within(height - 10 - y);
        let b = boxed(root, (mid_x, y), column - 20, &deep_lines(diagram, column - 20, max, lines), super::colour(Mode::Deep), theme)?;
        arrow(root, (inputs.2, (inputs.1 + inputs.3) / 2), (b.0, (b.1 + b.3) / 2), theme)?;
        let layers =
            std::iter::once("hidden layers".to_string()).chain(diagram.hidden.iter().map(|h| format!("{h} units, ReLU"))).collect();
        let layers = capped(layers, max, |left| format!("… and {left} more"));
        let h = boxed(root, (mid_x + column, y), column - 30, &layers, super::colour(Mode::Deep), theme)?;
        arrow(root, (b.2, (b.1 + b.3) / 2), (h.0, (h.1 + h.3) / 2), theme)?;
        right_of.push((h.2, (h.1 + h.3) / 2));
    }
    let mut text = output_lines(diagram, column - 20, lines);
    if let Some(split) = diagram.split {
        text.push(format!("mean |wide logit| {:.2}", split.wide));
        text.push(format!("mean |deep logit| {:.2}", split.deep));
        text.push(format!("(test rows, epoch {})", split.epoch));
    }
    let out = boxed(root, (10 + column * 3, 10), column - 20, &text, super::colour(Mode::Joint), theme)?;
    for from in right_of {
        arrow(root, from, (out.0, (out.1 + out.3) / 2), theme)?;
    }
    if let Some(split) = diagram.split {
        let total = (split.wide + split.deep).max(1e-9);
        let (x, y, w) = (out.0, out.3 + 12, out.2 - out.0);
        let wide = (w as f64 * split.wide / total).round() as i32;
        root.draw(&Rectangle::new([(x, y), (x + wide, y + 14)], super::colour(Mode::Wide).filled())).map_err(failed)?;
        root.draw(&Rectangle::new([(x + wide, y), (x + w, y + 14)], super::colour(Mode::Deep).filled())).map_err(failed)?;
        // The bar's numbers, so its proportion is read, not guessed.
        let size = theme.text(13);
        let (left, right) = (format!("wide {:.2}", split.wide), format!("deep {:.2}", split.deep));
        root.draw(&Text::new(left, (x, y + 18), font(size, HPos::Left, VPos::Top))).map_err(failed)?;
        root.draw(&Text::new(right, (x + w, y + 18), font(size, HPos::Right, VPos::Top))).map_err(failed)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Task;
    use crate::insight::{DiagramInput, LogitSplit};
    use crate::plot::tests::svg_number;
    use crate::plot::to_svg;
    use crate::plot::width_in;

    #[test]
    fn boxes_name_the_parts_and_the_split() {
        crate::plot::tests::fonts();
        let input = |column: &str, wide_ids, embedding| DiagramInput { column: column.into(), wide_ids, embedding, numeric: false };
        let diagram = Diagram {
            inputs: vec![input("city", Some(25), Some(8)), input("product", Some(25), Some(8))],
            crosses: vec![("city x product".into(), 1000)],
            wide_ids: 1050,
            deep_inputs: 16,
            hidden: vec![16, 8],
            split: Some(LogitSplit { wide: 1.25, deep: 0.5, epoch: 4 }),
            task: Task::Binary,
            classes: Vec::new(),
            output: vec!["the probability".into(), "σ(wide + deep + bias)".into()],
        };
        let svg = to_svg(1000, 320, |root| draw_diagram(root, &diagram, Theme::default())).unwrap();
        for text in [
            "2 input columns",
            "1050 ids: 2 columns",
            "× city x product (1000 buckets)",
            "embeddings: city→8, product→8",
            "16 units, ReLU",
            "mean |wide logit| 1.25",
            "epoch 4",
            "wide 1.25",
            "deep 0.50",
        ] {
            assert!(svg.contains(text), "{text} in the diagram");
        }
        assert!(svg.contains("σ(wide + deep + bias)"));
        let classes: Vec<String> = ["romance", "travel", "mystery", "science"].map(String::from).to_vec();
        let output = vec!["4 classes".into(), "softmax(wide + deep + bias)".into()];
        let four = Diagram { task: Task::Multiclass, classes, output, ..diagram.clone() };
        let svg = to_svg(1000, 320, |root| draw_diagram(root, &four, Theme::default())).unwrap();
        for text in ["Output: 4 classes", "softmax(wide + deep + bias)", "one each: romance, travel", "4 weights per id, one per class"] {
            assert!(svg.contains(text), "{text} in a multiclass diagram");
        }
        let output = vec!["a number".into(), "wide + deep + bias,".into(), "in the label's units".into()];
        let number = Diagram { task: Task::Regression, output, ..diagram.clone() };
        let svg = to_svg(1000, 320, |root| draw_diagram(root, &number, Theme::default())).unwrap();
        assert!(svg.contains("Output: a number") && svg.contains("in the label") && !svg.contains("σ("));
        let wide_only = Diagram { deep_inputs: 0, hidden: Vec::new(), split: None, ..diagram };
        let svg = to_svg(1000, 320, |root| draw_diagram(root, &wide_only, Theme::default())).unwrap();
        assert!(!svg.contains("Deep part") && svg.contains("Wide part"));
    }

    /// Every `element` of `svg`: its tag and what it holds.
    fn elements<'a>(svg: &'a str, element: &str) -> Vec<(&'a str, &'a str)> {
        svg.split(&format!("<{element} ")).skip(1).map(|part| part.split_once('>').expect("a tag closes")).collect()
    }

    /// Every text of `svg`: its left, top (plotters anchors these at the top-left), its SVG font
    /// size (the em in pixels) and text.
    fn texts(svg: &str) -> Vec<(f64, f64, f64, String)> {
        let number = |tag, name| svg_number(tag, name).unwrap_or_else(|| panic!("a text has {name}"));
        elements(svg, "text")
            .into_iter()
            .map(|(tag, rest)| {
                (number(tag, "x"), number(tag, "y"), number(tag, "font-size"), rest.split("</text>").next().unwrap().trim().into())
            })
            .collect()
    }

    /// Every rectangle of `svg`: left, top, right, bottom.
    fn rectangles(svg: &str) -> Vec<(f64, f64, f64, f64)> {
        let number = |tag, name| svg_number(tag, name).unwrap_or_else(|| panic!("a rectangle has {name}"));
        elements(svg, "rect")
            .into_iter()
            .map(|(tag, _)| {
                let (x, y) = (number(tag, "x"), number(tag, "y"));
                (x, y, x + number(tag, "width"), y + number(tag, "height"))
            })
            .collect()
    }

    #[test]
    fn lines_wrap_at_spaces_and_lists_count_what_does_not_fit() {
        // At size 62 a character is estimated at 30 px: a box `chars(n)` wide holds n characters.
        let lines = Lines { size: 62, height: 66 };
        let chars = |n: i32| n * 30 + 2 * PAD;
        assert_eq!(text_width("abc", 62), 90);
        assert_eq!(wrap("one two three four", chars(10), lines), ["one two", "three four"]);
        assert_eq!(wrap("unbreakablelongword ok", chars(10), lines), ["unbreakab…", "ok"]);
        let items: Vec<String> = ["a→8", "b→8", "c→8", "d→8", "e→8"].map(String::from).to_vec();
        assert_eq!(packed("emb:", &items, chars(64), 1, lines), ["emb: a→8, b→8, c→8, d→8, e→8"]);
        assert_eq!(packed("emb:", &items, chars(20), 2, lines), ["emb: a→8, b→8, c→8,", "d→8, e→8"]);
        assert_eq!(packed("emb:", &items, chars(22), 1, lines), ["emb: a→8, …\u{a0}and\u{a0}4\u{a0}more"]);
        assert_eq!(packed("emb:", &items, chars(20), 1, lines), ["emb: …\u{a0}and\u{a0}5\u{a0}more"]);
        assert_eq!(packed("emb:", &[], chars(20), 1, lines), ["emb: none"]);
        let listed: Vec<String> = (1..=6).map(|i| format!("c{i}")).collect();
        assert_eq!(capped(listed.clone(), 4, |left| format!("+{left}")), ["c1", "c2", "c3", "+3"]);
        assert_eq!(capped(listed, 6, |left| format!("+{left}")).len(), 6);
    }

    #[test]
    fn a_big_model_stays_inside_its_boxes_and_the_picture() {
        crate::plot::tests::fonts();
        let name = |i: usize| {
            if i == 1 { "a-column-name-far-too-long-for-any-box-in-the-picture".to_string() } else { format!("column-number-{i}") }
        };
        let inputs =
            (0..20).map(|i| DiagramInput { column: name(i), wide_ids: Some(10), embedding: Some(16), numeric: i % 5 == 0 }).collect();
        let crosses = (0..6).map(|i| (format!("column-number-{i} x column-number-{} x column-number-{}", i + 1, i + 2), 1000)).collect();
        let diagram = Diagram {
            inputs,
            crosses,
            wide_ids: 6200,
            deep_inputs: 320,
            hidden: vec![64; 12],
            split: None,
            task: Task::Binary,
            classes: Vec::new(),
            output: vec!["the probability".into(), "σ(wide + deep + bias)".into()],
        };
        for theme in [Theme::default(), Theme { projector: true }] {
            let (width, height) = (1200.0, 330.0);
            let svg = to_svg(width as u32, height as u32, |root| draw_diagram(root, &diagram, theme)).unwrap();
            let texts = texts(&svg);
            // The boxes: the rectangles short of the whole picture.
            let boxes: Vec<_> = rectangles(&svg).into_iter().filter(|r| r.2 - r.0 < width).collect();
            for (left, top, em, text) in &texts {
                assert!(top + em <= height, "{text:?} at {top} + {em} px in a {height} px picture ({theme:?})");
                let inside = boxes.iter().filter(|b| b.0 <= *left && *left <= b.2 && b.1 <= *top && *top <= b.3);
                let right = inside.map(|b| b.2).reduce(f64::min).unwrap_or_else(|| panic!("{text:?} is in a box ({theme:?})"));
                assert!(left + width_in(text.chars().count(), *em) <= right, "{text:?} fits its box ({theme:?})");
            }
            let said = |needle: &str| texts.iter().any(|(_, _, _, t)| t.contains(needle));
            assert!(said("20 input columns") && said("more"), "the inputs and the count of those left out ({theme:?})");
            assert!(said("a-column-name-far") && said("…") && !said("in-the-picture"), "a long name is cut ({theme:?})");
            assert!(
                said("more crosses") && said("embeddings:") && said("column-number-0→16,"),
                "crosses and embeddings counted ({theme:?})"
            );
            assert!(said("numbers; 320 inputs") && said("hidden layers"), "the deep box keeps its last line ({theme:?})");
            // Each cross shown has a spot holding exactly its own lines; one counted has none.
            let spots = cross_spots(&diagram, width as u32, height as u32, theme);
            assert!(!spots.is_empty() && spots.len() < diagram.crosses.len(), "{} of 6 crosses shown ({theme:?})", spots.len());
            for (k, spot) in spots.iter().enumerate() {
                let [x, y, w, h] = spot.at.map(f64::from);
                let inside: Vec<&str> = texts
                    .iter()
                    .filter(|(left, top, ..)| x <= *left && *left <= x + w && y <= *top && *top < y + h)
                    .map(|(.., t)| t.as_str())
                    .collect();
                assert_eq!((spot.cross, &spot.name), (k, &diagram.crosses[k].0), "in the configuration's order");
                assert!(inside.first().is_some_and(|t| t.starts_with(&format!("× column-number-{k} x"))), "{inside:?} ({theme:?})");
                assert!(inside.iter().skip(1).all(|t| !t.starts_with('×')), "no other cross in its spot: {inside:?} ({theme:?})");
            }
        }
    }
}
