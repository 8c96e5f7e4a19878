//! Data: a CSV file read into compact columns, and what can be inferred about each column.

mod csv;
mod label;
mod schema;
mod table;
mod write;

pub use self::csv::{read_table, read_table_with_progress};
pub use label::{LabelRule, Labels};
pub(crate) use schema::parse_number;
pub use schema::{ColumnInfo, ColumnKind, Schema, guess_label};
pub use table::{Column, MISSING, Table, is_missing_token};
pub use write::csv_with_column;
