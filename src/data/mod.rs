//! Data: a CSV file read into compact columns, and what can be inferred about each column.

mod archive;
mod csv;
mod label;
mod load;
mod movielens;
mod scan;
mod schema;
mod table;
mod text;
mod write;

pub use self::csv::{read_table, read_table_from};
pub use crate::limits::MAX_CLASSES;
pub use archive::{NamedBytes, is_zip, unzip, zip};
pub use label::{Groups, LabelRule, Labels, Task, prediction_column};
pub use load::{read_files, read_stream};
pub use movielens::MOVIELENS_GENRES;
pub use schema::{ColumnInfo, ColumnKind, Schema, guess_label, no_label_reason};
pub(crate) use schema::{parse_number, quantile_edges};
pub use table::{Column, MISSING, Table, is_missing_token};
pub use text::{Charset, decode};
pub use write::csv_with_column;
