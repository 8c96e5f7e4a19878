//! `widedeep inspect`: the inferred schema as a table or JSON.

use widedeep::data::{Schema, Table, no_label_reason};
use widedeep::features::FeatureConfig;
use widedeep::train::{Split, TrainConfig};

use crate::args::InspectArgs;
use crate::printable;

pub fn run(args: &InspectArgs) -> Result<(), String> {
    let table = crate::load(&args.file)?;
    let schema = screened(&table, Schema::infer(&table));
    if args.json {
        println!("{}", serde_json::to_string_pretty(&schema).expect("schemas serialize"));
        return Ok(());
    }
    let delimiter = match table.delimiter {
        b'\t' => "tab".to_string(),
        d => format!("'{}'", d as char),
    };
    println!("{}: {} rows, {} columns, delimiter {delimiter}", args.file.display(), schema.rows, schema.columns.len());
    match &schema.label {
        Some(label) => println!("label: {}\n", printable(label)),
        None => println!("label: none guessed ({}: use --label)\n", printable(&no_label_reason(&schema.columns))),
    }
    println!("{:<24} {:<18} {:>9} {:>8}  examples", "column", "kind", "distinct", "missing");
    for c in &schema.columns {
        let kind = serde_json::to_value(c.kind).expect("kinds serialize");
        let examples = c.examples.iter().map(|e| shorten(e)).collect::<Vec<_>>().join(", ");
        println!(
            "{:<24} {:<18} {:>9} {:>7.1}%  {examples}",
            shorten(&c.name),
            kind.as_str().unwrap_or(""),
            c.distinct,
            100.0 * c.missing_share
        );
        if let Some(w) = &c.warning {
            println!("{:<24} ({})", "", printable(w));
        }
    }
    Ok(())
}

/// At most 24 characters of `text` made printable (escaped first, so a cut never halves an
/// escape sequence into one the terminal would act on).
fn shorten(text: &str) -> String {
    let text = printable(text);
    if text.chars().count() > 24 { format!("{}…", text.chars().take(23).collect::<String>()) } else { text }
}

/// The schema with the columns that give the guessed label away flagged, judged on the rows
/// `train` would fit on by default; unchanged when there is no usable label.
fn screened(table: &Table, schema: Schema) -> Schema {
    let Some(label) = schema.label.clone() else { return schema };
    let features = FeatureConfig::for_label(label);
    match Split::new(table, &features, &TrainConfig::default()) {
        Ok(split) => split.screen(table, &schema, &features).1,
        Err(_) => schema,
    }
}
