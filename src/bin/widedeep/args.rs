//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Wide & Deep learning on your own CSV.
#[derive(Parser)]
#[command(name = "widedeep", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Print the inferred schema: kind, distinct values, missing share and examples per column.
    Inspect(InspectArgs),
    /// Train wide, deep and/or joint models and report per-epoch test metrics.
    Train(TrainArgs),
    /// Score a CSV with a saved model (adds a `probability` column).
    Predict(PredictArgs),
    /// Write a generated data set: MovieLens-shaped ratings, or the memorize-vs-generalize story.
    Generate(GenerateArgs),
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Dataset {
    Movielens,
    Memorize,
}

#[derive(Args)]
pub struct GenerateArgs {
    /// Which data set.
    #[arg(value_enum)]
    pub dataset: Dataset,
    /// Number of rows.
    #[arg(long, default_value_t = 100_000)]
    pub rows: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Write here instead of standard output.
    #[arg(long, value_name = "OUT.csv")]
    pub out: Option<PathBuf>,
}

#[derive(Args)]
pub struct InspectArgs {
    /// The CSV file.
    pub file: PathBuf,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ModelChoice {
    Wide,
    Deep,
    Joint,
    All,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum OptimizerChoice {
    Adam,
    Adagrad,
    Sgd,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum SplitChoice {
    Random,
    Ordered,
}

#[derive(Args)]
pub struct TrainArgs {
    /// The CSV file.
    pub file: PathBuf,
    /// The label column (default: the inferred one).
    #[arg(long)]
    pub label: Option<String>,
    /// The label value counted as positive.
    #[arg(long, conflicts_with = "threshold")]
    pub positive: Option<String>,
    /// Numeric labels >= this are positive.
    #[arg(long)]
    pub threshold: Option<f64>,
    /// A cross of 2 or 3 columns, comma-separated (repeatable): `--cross education,occupation`.
    #[arg(long = "cross", value_name = "A,B[,C]")]
    pub crosses: Vec<String>,
    /// Leave a column out entirely (repeatable).
    #[arg(long = "ignore", value_name = "COL")]
    pub ignore: Vec<String>,
    /// Set a column's role: wide, deep, both or ignore (repeatable): `--role age=deep`.
    #[arg(long = "role", value_name = "COL=ROLE")]
    pub roles: Vec<String>,
    /// Override an inferred kind: numeric, categorical, multi_categorical, id (repeatable).
    #[arg(long = "kind", value_name = "COL=KIND")]
    pub kinds: Vec<String>,
    /// Explicit bucket edges for a numeric column (repeatable): `--buckets age=18,25,30`.
    #[arg(long = "buckets", value_name = "COL=E1,E2,...")]
    pub buckets: Vec<String>,
    /// Hash buckets per cross.
    #[arg(long, default_value_t = 1000)]
    pub hash_buckets: usize,
    /// Quantile buckets per numeric column.
    #[arg(long, default_value_t = 10)]
    pub quantiles: usize,
    /// One embedding size for all columns (default: 6·n^¼ rounded up to a power of two, 4..32).
    #[arg(long)]
    pub embedding_dim: Option<usize>,
    /// Which model(s) to train.
    #[arg(long, value_enum, default_value_t = ModelChoice::Joint)]
    pub model: ModelChoice,
    #[arg(long, default_value_t = 10)]
    pub epochs: usize,
    /// Rows per step.
    #[arg(long, default_value_t = 256)]
    pub batch: usize,
    /// Learning rate (default: 0.001 Adam, 0.01 Adagrad, 0.05 SGD).
    #[arg(long)]
    pub lr: Option<f64>,
    #[arg(long, value_enum, default_value_t = OptimizerChoice::Adam)]
    pub optimizer: OptimizerChoice,
    /// Deep hidden layer sizes.
    #[arg(long, default_value = "64,32,16")]
    pub hidden: String,
    /// Share of rows held out for testing.
    #[arg(long, default_value_t = 0.3)]
    pub test_fraction: f64,
    #[arg(long, value_enum, default_value_t = SplitChoice::Random)]
    pub split: SplitChoice,
    #[arg(long, default_value_t = 100)]
    pub seed: u64,
    /// Write the per-epoch metrics as JSON.
    #[arg(long, value_name = "OUT.json")]
    pub json: Option<PathBuf>,
    /// Draw loss and AUC curves (.svg or .png; repeatable).
    #[arg(long, value_name = "OUT.svg|OUT.png")]
    pub plot: Vec<PathBuf>,
    /// Save the trained model (the joint one when several are trained).
    #[arg(long, value_name = "MODEL")]
    pub save: Option<PathBuf>,
    /// Hide the progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Args)]
pub struct PredictArgs {
    /// The saved model.
    #[arg(long)]
    pub model: PathBuf,
    /// The CSV to score.
    pub file: PathBuf,
    /// Write the scored CSV here instead of standard output.
    #[arg(long, value_name = "OUT.csv")]
    pub out: Option<PathBuf>,
}
