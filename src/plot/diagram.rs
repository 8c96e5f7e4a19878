//! The model diagram: input columns on the left, the wide part above and the deep part below,
//! both meeting at the output, with how much each part moves the logit once trained.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::{Look, failed, font, outline};
use crate::insight::Diagram;
use crate::model::Mode;

/// Input columns listed at most; the rest are counted.
const MAX_LISTED: usize = 14;

/// A box of text lines at `at` (top-left), `width` wide, outlined in `ink`.
fn boxed<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    at: (i32, i32),
    width: i32,
    lines: &[String],
    ink: RGBColor,
    look: Look,
) -> Result<(i32, i32, i32, i32), String> {
    let size = look.text(14) as i32;
    let height = lines.len() as i32 * (size + 4) + 10;
    let (x, y) = at;
    root.draw(&Rectangle::new([(x, y), (x + width, y + height)], ink.mix(0.12).filled())).map_err(failed)?;
    outline(root, (x, y), (x + width, y + height), ink.stroke_width(look.line(2)))?;
    for (i, line) in lines.iter().enumerate() {
        let style = font(size as u32, HPos::Left, VPos::Top);
        root.draw(&Text::new(line.clone(), (x + 8, y + 6 + i as i32 * (size + 4)), style)).map_err(failed)?;
    }
    Ok((x, y, x + width, y + height))
}

fn arrow<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, from: (i32, i32), to: (i32, i32), look: Look) -> Result<(), String> {
    let ink = RGBColor(0x4A, 0x55, 0x60).stroke_width(look.line(2));
    root.draw(&PathElement::new(vec![from, to], ink)).map_err(failed)?;
    let head = [(to.0 - 8, to.1 - 5), to, (to.0 - 8, to.1 + 5)];
    root.draw(&PathElement::new(head.to_vec(), ink)).map_err(failed)
}

/// Draws `diagram` on `root`.
pub fn draw_diagram<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, diagram: &Diagram, look: Look) -> Result<(), String> {
    root.fill(&WHITE).map_err(failed)?;
    let (width, height) = root.dim_in_pixel();
    let (width, _height) = (width as i32, height as i32);
    let column = (width - 40) / 4;
    let mut inputs: Vec<String> = diagram.inputs.iter().take(MAX_LISTED).map(|i| i.column.clone()).collect();
    if diagram.inputs.len() > MAX_LISTED {
        inputs.push(format!("… and {} more", diagram.inputs.len() - MAX_LISTED));
    }
    let inputs =
        boxed(root, (10, 10), column - 30, &[vec![format!("{} input columns", diagram.inputs.len())], inputs].concat(), BLACK, look)?;
    let mid_x = 10 + column;
    let mut right_of: Vec<(i32, i32)> = Vec::new();
    let mut y = 10;
    if diagram.wide_ids > 0 {
        let columns = diagram.inputs.iter().filter(|i| i.wide_ids.is_some()).count();
        let mut lines = vec!["Wide part (memorizes)".to_string(), format!("{} ids: {columns} columns", diagram.wide_ids)];
        lines.extend(diagram.crosses.iter().map(|(name, buckets)| format!("× {name} ({buckets} buckets)")));
        let b = boxed(root, (mid_x, y), column * 2 - 30, &lines, super::colour(Mode::Wide), look)?;
        arrow(root, (inputs.2, (inputs.1 + inputs.3) / 2), (b.0, (b.1 + b.3) / 2), look)?;
        right_of.push((b.2, (b.1 + b.3) / 2));
        y = b.3 + 24;
    }
    if diagram.deep_inputs > 0 {
        let embedded: Vec<String> =
            diagram.inputs.iter().filter_map(|i| i.embedding.map(|d| format!("{}→{d}", i.column))).take(MAX_LISTED).collect();
        let numbers = diagram.inputs.iter().filter(|i| i.numeric).count();
        let lines = vec![
            "Deep part (generalizes)".to_string(),
            format!("embeddings: {}", if embedded.is_empty() { "none".into() } else { embedded.join(", ") }),
            format!("{numbers} numbers; {} inputs", diagram.deep_inputs),
        ];
        let b = boxed(root, (mid_x, y), column - 20, &lines, super::colour(Mode::Deep), look)?;
        arrow(root, (inputs.2, (inputs.1 + inputs.3) / 2), (b.0, (b.1 + b.3) / 2), look)?;
        let layers: Vec<String> =
            std::iter::once("hidden layers".to_string()).chain(diagram.hidden.iter().map(|h| format!("{h} units, ReLU"))).collect();
        let h = boxed(root, (mid_x + column, y), column - 30, &layers, super::colour(Mode::Deep), look)?;
        arrow(root, (b.2, (b.1 + b.3) / 2), (h.0, (h.1 + h.3) / 2), look)?;
        right_of.push((h.2, (h.1 + h.3) / 2));
    }
    let mut lines = vec!["Output".to_string(), "σ(wide + deep + bias)".to_string()];
    if let Some(split) = diagram.split {
        lines.push(format!("mean |wide logit| {:.2}", split.wide));
        lines.push(format!("mean |deep logit| {:.2}", split.deep));
        lines.push(format!("(test rows, epoch {})", split.epoch));
    }
    let out = boxed(root, (10 + column * 3, 10), column - 20, &lines, super::colour(Mode::Joint), look)?;
    for from in right_of {
        arrow(root, from, (out.0, (out.1 + out.3) / 2), look)?;
    }
    if let Some(split) = diagram.split {
        let total = (split.wide + split.deep).max(1e-9);
        let (x, y, w) = (out.0, out.3 + 12, out.2 - out.0);
        let wide = (w as f64 * split.wide / total).round() as i32;
        root.draw(&Rectangle::new([(x, y), (x + wide, y + 14)], super::colour(Mode::Wide).filled())).map_err(failed)?;
        root.draw(&Rectangle::new([(x + wide, y), (x + w, y + 14)], super::colour(Mode::Deep).filled())).map_err(failed)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::insight::{DiagramInput, LogitSplit};
    use crate::plot::to_svg;

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
        };
        let svg = to_svg(1000, 320, |root| draw_diagram(root, &diagram, Look::default())).unwrap();
        for text in [
            "2 input columns",
            "1050 ids: 2 columns",
            "× city x product (1000 buckets)",
            "city→8, product→8",
            "16 units, ReLU",
            "mean |wide logit| 1.25",
            "epoch 4",
        ] {
            assert!(svg.contains(text), "{text} in the diagram");
        }
        let wide_only = Diagram { deep_inputs: 0, hidden: Vec::new(), split: None, ..diagram };
        let svg = to_svg(1000, 320, |root| draw_diagram(root, &wide_only, Look::default())).unwrap();
        assert!(!svg.contains("Deep part") && svg.contains("Wide part"));
    }
}
