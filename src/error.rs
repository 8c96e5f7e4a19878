//! One error type for the whole core, so the CLI and the browser show the same plain message.

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
    /// A field's bytes are not UTF-8.
    #[error("row {row} (line {line}), column '{column}': the text is not valid UTF-8")]
    InvalidUtf8 { row: u64, line: u64, column: String },
    /// The header names one column twice.
    #[error("the header names column '{0}' twice: column names must be unique")]
    DuplicateColumn(String),
    /// Any other CSV syntax problem the parser reports.
    #[error("line {line}: {message}")]
    Csv { line: u64, message: String },
    /// A column named in the configuration does not exist.
    #[error("unknown column '{name}' (the columns are: {available})")]
    UnknownColumn { name: String, available: String },
    /// The label column cannot be turned into 0/1 targets.
    #[error("label column '{column}': {reason}")]
    Label { column: String, reason: String },
    /// A setting is out of range or contradicts another.
    #[error("invalid setting: {0}")]
    Config(String),
    /// A saved model cannot be read.
    #[error("saved model: {0}")]
    ModelFile(String),
    /// The compute backend failed (for example a lost GPU device).
    #[error("compute backend: {0}")]
    Backend(String),
}

/// The core's result type.
pub type Result<T> = std::result::Result<T, Error>;
