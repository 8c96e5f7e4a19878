//! One error type for the whole core, so the CLI and the browser show the same plain message.
//!
//! Messages never name a control of one surface (a CLI flag, a page field): each surface adds its
//! own hint from [`Error::kind`], a stable code, so a browser user never reads `--positive`.

use std::sync::Arc;

/// Everything that can go wrong between a CSV file and a trained model.
///
/// Messages name the row, line, column and what was expected, so a user can fix the file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// The file had no bytes (or only a byte-order mark and blank lines).
    #[error("the file is empty: expected a header line and at least one data row")]
    EmptyFile,
    /// The file has a header line but no data rows.
    #[error("the file has a header line but no data rows")]
    NoRows,
    /// A data row has a different number of fields from the header.
    #[error("row {row} (line {line}): expected {expected} fields like the header, found {found}")]
    FieldCount { row: u64, line: u64, expected: usize, found: usize },
    /// The header names one column twice.
    #[error("the header names column '{0}' twice: column names must be unique")]
    DuplicateColumn(String),
    /// Any other CSV syntax problem the parser reports.
    #[error("line {line}: {message}")]
    Csv { line: u64, message: String },
    /// A `.zip` archive is incomplete, damaged, or not a layout the playground knows.
    #[error("{0}")]
    Archive(String),
    /// Reading the bytes failed (a file natively); the system's error is kept as the source.
    #[error("could not read the file: {0}")]
    Io(#[source] IoError),
    /// A column named in the configuration does not exist.
    #[error("unknown column '{name}' (the columns are: {available})")]
    UnknownColumn { name: String, available: String },
    /// The label column cannot be turned into 0/1 targets.
    #[error("label column '{column}': {problem}")]
    Label { column: String, problem: LabelProblem },
    /// A setting is out of range or contradicts another.
    #[error("invalid setting: {0}")]
    Config(String),
    /// The data cannot serve what was asked (too few rows to hold out a test set, a study's
    /// columns missing from the file).
    #[error("{0}")]
    Data(String),
    /// Bytes passed between workers (prepared rows, a model handed over, an optimizer's state)
    /// are damaged or cut short.
    #[error("{0}")]
    Damaged(String),
    /// A request does not fit what the engine holds now (a model from another race, results of
    /// another run).
    #[error("{0}")]
    State(String),
    /// A saved model cannot be read.
    #[error("saved model: {0}")]
    ModelFile(String),
    /// Training diverged: the loss or the predictions stopped being finite numbers. `batch` is
    /// the batch at which it was seen (the loss is read every few batches, so it may have begun a
    /// few earlier).
    #[error(
        "the loss became {} at epoch {epoch}, batch {batch}: training diverged; lower the learning rate (now {})",
        non_finite_name(*.value),
        short_number(*.learning_rate)
    )]
    Diverged { epoch: usize, batch: usize, value: f64, learning_rate: f64 },
    /// A size a setting asks for (typed, or carried by a link) is past one of the bounds in
    /// [`crate::limits`]; the message names the size and the bound. (A file past a bound is a
    /// [`Error::Csv`] or [`Error::Archive`] error, naming the line or the entry.)
    #[error("{0}")]
    Limit(String),
    /// The compute backend failed (for example a lost GPU device).
    #[error("compute backend: {0}")]
    Backend(String),
    /// An engine call that needs data came before any file was loaded.
    #[error("load a CSV file first")]
    NoData,
    /// An engine call that needs trained models came before a run was configured.
    #[error("configure a run first")]
    NoRun,
    /// Scoring was asked for before a saved model was loaded.
    #[error("load a saved model first")]
    NoScorer,
    /// The run has no model of this mode (named as the model's mode names itself: `wide`, …).
    #[error("no {0} model in this run")]
    NoModel(&'static str),
    /// The model of this mode has no wide part to look into.
    #[error("the {0} model has no wide part")]
    NoWidePart(&'static str),
}

impl Error {
    /// A stable code for what went wrong, for surfaces that add their own hint (the CLI names a
    /// flag, the page a field): `label_not_binary`, `no_data`, `unknown_column`, …
    pub fn kind(&self) -> &'static str {
        match self {
            Self::EmptyFile | Self::NoRows | Self::FieldCount { .. } | Self::DuplicateColumn(_) | Self::Csv { .. } => "file",
            Self::Archive(_) => "archive",
            Self::Io(_) => "io",
            Self::UnknownColumn { .. } => "unknown_column",
            Self::Label { problem, .. } => problem.kind(),
            Self::Config(_) => "setting",
            Self::Data(_) => "data",
            Self::Damaged(_) => "damaged",
            Self::State(_) => "state",
            Self::ModelFile(_) => "model_file",
            Self::Diverged { .. } => "diverged",
            Self::Limit(_) => "limit",
            Self::Backend(_) => "backend",
            Self::NoData => "no_data",
            Self::NoRun => "no_run",
            Self::NoScorer => "no_scorer",
            Self::NoModel(_) => "no_model",
            Self::NoWidePart(_) => "no_wide_part",
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(error: std::io::Error) -> Self {
        Self::Io(IoError(Arc::new(error)))
    }
}

/// How a number that is not finite reads in a message: `NaN`, `infinite` or `-infinite`.
fn non_finite_name(value: f64) -> String {
    match value {
        v if v.is_nan() => "NaN".into(),
        v if v == f64::INFINITY => "infinite".into(),
        v if v == f64::NEG_INFINITY => "-infinite".into(),
        v => format!("{v}"),
    }
}

/// A setting's number as a person writes it: `10`, `0.001`, `1e30`.
fn short_number(value: f64) -> String {
    if value != 0.0 && !(1e-4..1e6).contains(&value.abs()) { format!("{value:e}") } else { format!("{value}") }
}

/// Why a label column cannot become 0/1 targets.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LabelProblem {
    /// No row has a value.
    #[error("every value is missing")]
    AllMissing,
    /// One value everywhere.
    #[error("it has a single value '{0}': nothing to learn")]
    SingleValue(String),
    /// More than two values and no rule saying which are positive.
    #[error("it has {0} distinct values, so it is not binary: choose a positive class or, for numbers, a threshold")]
    NotBinary(usize),
    /// The chosen positive class is not among the values.
    #[error("the positive class '{value}' never occurs (values include: {examples})")]
    PositiveNeverOccurs { value: String, examples: String },
    /// A threshold was chosen but a value is not a number.
    #[error("row {row}: '{value}' is not a number, so neither a threshold nor a regression can apply")]
    NotNumber { row: usize, value: String },
    /// Every labelled row falls on one side of the rule.
    #[error("every row is on the same side of '{0}': nothing to learn")]
    OneSided(String),
    /// The training rows hold no row of one class (it is rare and all of it fell in the test rows).
    #[error("the training rows hold no {0}: nothing to learn it from; use a smaller test share or another seed")]
    OneSidedTraining(String),
    /// More classes than a multiclass model takes ([`crate::limits::MAX_CLASSES`]).
    #[error("it has {0} distinct values, more than the {max} classes a model may have: choose a positive class or, for numbers, a threshold", max = crate::limits::MAX_CLASSES)]
    TooManyClasses(usize),
    /// A row holds a class the model was not trained on.
    #[error("row {row}: '{value}' is not one of the model's classes")]
    UnknownClass { row: usize, value: String },
    /// A regression's training rows all hold the same number.
    #[error("every training row has the value {0}: nothing to learn")]
    Constant(f64),
    /// A regression's numbers are too large for its mean and spread in 64-bit floating point.
    #[error("its numbers are too large for a regression (beyond about ±1e150)")]
    TooLarge,
}

impl LabelProblem {
    fn kind(&self) -> &'static str {
        match self {
            Self::AllMissing | Self::SingleValue(_) | Self::OneSided(_) | Self::Constant(_) | Self::TooLarge => "label_unusable",
            Self::TooManyClasses(_) => "label_not_binary",
            Self::UnknownClass { .. } => "label_positive_missing",
            Self::OneSidedTraining(_) => "label_rare",
            Self::NotBinary(_) => "label_not_binary",
            Self::PositiveNeverOccurs { .. } => "label_positive_missing",
            Self::NotNumber { .. } => "label_not_numeric",
        }
    }
}

/// A system I/O error, shared so that [`Error`] stays cheap to clone; two compare equal when
/// their kind and message do.
#[derive(Debug, Clone)]
pub struct IoError(pub Arc<std::io::Error>);

impl PartialEq for IoError {
    fn eq(&self, other: &Self) -> bool {
        self.0.kind() == other.0.kind() && self.0.to_string() == other.0.to_string()
    }
}

impl std::fmt::Display for IoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for IoError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.0)
    }
}

/// The core's result type.
pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn io_errors_keep_their_source() {
        let error = Error::from(std::io::Error::new(std::io::ErrorKind::PermissionDenied, "no access"));
        assert_eq!(error.to_string(), "could not read the file: no access");
        assert_eq!(error.kind(), "io");
        let source = error.source().expect("the I/O error is the source");
        assert_eq!(source.to_string(), "no access");
    }

    #[test]
    fn kinds_are_stable_codes() {
        let label = |problem| Error::Label { column: "y".into(), problem };
        assert_eq!(label(LabelProblem::NotBinary(3)).kind(), "label_not_binary");
        assert_eq!(Error::NoData.kind(), "no_data");
        assert_eq!(Error::NoWidePart("deep").to_string(), "the deep model has no wide part");
        let message = label(LabelProblem::NotBinary(3)).to_string();
        assert!(!message.contains("--"), "no CLI flag in a core message: {message}");
    }
}
