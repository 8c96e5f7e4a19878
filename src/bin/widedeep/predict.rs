//! `widedeep predict`: scores a CSV with a saved model and writes it back with a probability.

use std::io::Write;

use burn::tensor::Device;
use widedeep::model::SavedModel;

use crate::args::PredictArgs;

pub fn run(args: &PredictArgs) -> Result<(), String> {
    let text = std::fs::read_to_string(&args.model).map_err(|e| format!("cannot read {}: {e}", args.model.display()))?;
    let saved = SavedModel::from_json(&text).map_err(|e| format!("{}: {e}", args.model.display()))?;
    let table = crate::load(&args.file)?;
    let scored = pollster::block_on(saved.score(&table, &Device::flex())).map_err(|e| format!("{}: {e}", args.file.display()))?;
    if let Some(m) = scored.metrics {
        eprintln!("against the file's labels: AUC {:.4}, accuracy {:.4}, log-loss {:.4}", m.auc, m.accuracy, m.log_loss);
    }
    let sink: Box<dyn Write> = match &args.out {
        Some(path) => Box::new(std::fs::File::create(path).map_err(|e| format!("cannot write {}: {e}", path.display()))?),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut out = csv::WriterBuilder::new().delimiter(table.delimiter).from_writer(sink);
    let write_err = |e: csv::Error| format!("cannot write the scored rows: {e}");
    out.write_record(table.names().into_iter().chain(["probability"])).map_err(write_err)?;
    for (row, p) in scored.probabilities.iter().enumerate() {
        let fields = table.columns.iter().map(|c| c.get(row).unwrap_or("").to_string());
        out.write_record(fields.chain([format!("{p:.6}")])).map_err(write_err)?;
    }
    out.flush().map_err(|e| format!("cannot write the scored rows: {e}"))
}
