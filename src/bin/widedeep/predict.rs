//! `widedeep predict`: scores a CSV with a saved model and writes it back with a probability (or,
//! for a regression, the predicted number).

use std::io::Write;

use burn::tensor::Device;

use crate::args::PredictArgs;

pub fn run(args: &PredictArgs) -> Result<(), String> {
    let saved = crate::export::read_model(&args.model)?;
    let table = crate::load(&args.file)?;
    let scored = pollster::block_on(saved.score(&table, &Device::flex())).map_err(|e| format!("{}: {e}", args.file.display()))?;
    if scored.clipped > 0 {
        eprintln!(
            "note: {} numbers lay more than {:e} standard deviations from the training data's mean and were clipped to it",
            scored.clipped,
            widedeep::limits::MAX_STANDARDIZED
        );
    }
    if let Some(m) = scored.metrics {
        eprintln!("against the file's labels: AUC {:.4}, accuracy {:.4}, log-loss {:.4}", m.auc, m.accuracy, m.log_loss);
    }
    if let Some(m) = scored.regression {
        eprintln!("against the file's labels: RMSE {:.4}, MAE {:.4}, R² {:.4}", m.rmse, m.mae, m.r2);
    }
    let predictions = scored.cells(&saved.encoder.label_rule);
    let column = widedeep::data::prediction_column(saved.encoder.label_rule.task());
    let text = widedeep::data::csv_with_column(&table, column, &predictions);
    match &args.out {
        Some(path) => std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display())),
        None => std::io::stdout().write_all(text.as_bytes()).map_err(|e| format!("cannot write the scored rows: {e}")),
    }
}
