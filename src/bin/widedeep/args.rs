//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use widedeep::features::FeatureConfig;
use widedeep::train::{Ftrl, TrainConfig};

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
    /// Write a generated data set: MovieLens-shaped ratings, the memorize-vs-generalize story, or recommender-scale ids.
    Generate(GenerateArgs),
    /// Export a saved model for serving: an ONNX graph (inputs per column, outputs logit and probability).
    Export(ExportArgs),
    /// Encode a CSV's rows as an exported model's inputs (JSON), with this tool's probability for each row.
    Encode(EncodeArgs),
    /// Race configurations: vary settings (a cross on or off, the embedding size, ...) and rank
    /// the variants by validation AUC over several seeds, with the spread that says what is noise.
    Sweep(SweepArgs),
    /// Bring back a checkpoint trained elsewhere (safetensors, from the PyTorch bundle's train.py) as a saved model.
    Import(ImportArgs),
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Dataset {
    Movielens,
    Memorize,
    /// Recommender-scale user and item ids (see --users, --items).
    Ids,
    /// Home prices: a regression with a neighbourhood × kind interaction.
    Prices,
    /// Readers' genres: four classes, each learned by another part of the model.
    Readers,
}

#[derive(Args)]
pub struct GenerateArgs {
    /// Which data set.
    #[arg(value_enum)]
    pub dataset: Dataset,
    /// Number of rows.
    #[arg(long, default_value_t = 100_000)]
    pub rows: usize,
    /// For `ids`: distinct users.
    #[arg(long, default_value_t = 150_000)]
    pub users: usize,
    /// For `ids`: distinct items.
    #[arg(long, default_value_t = 50_000)]
    pub items: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Write here instead of standard output.
    #[arg(long, value_name = "OUT.csv")]
    pub out: Option<PathBuf>,
}

#[derive(Args)]
pub struct InspectArgs {
    /// The data: a CSV file (any encoding), a zip archive, or a folder of MovieLens files.
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

/// Defaults come from the core's configuration, the one place that holds them.
fn features() -> FeatureConfig {
    FeatureConfig::default()
}

fn training() -> TrainConfig {
    TrainConfig::default()
}

fn ftrl() -> Ftrl {
    Ftrl::default()
}

/// A value's name as the core's configuration spells it (`adam`, `random`).
fn name_of(value: impl serde::Serialize) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

fn joined(numbers: &[usize]) -> String {
    numbers.iter().map(usize::to_string).collect::<Vec<_>>().join(",")
}

#[derive(Args)]
pub struct TrainArgs {
    /// The data: a CSV file (any encoding), a zip archive (MovieLens 1M, 100K or latest as
    /// published), or a folder of MovieLens files.
    pub file: PathBuf,
    /// A study's whole setup: `seed` (the Wide & Deep seed study on MovieLens) or `ids` (the
    /// seed's columns plus user and movie ids and a user × genre cross). Only --epochs, --model,
    /// --table-updates, --wide-optimizer and the output flags combine with it.
    #[arg(long, conflicts_with_all = ["label", "task", "positive", "threshold", "crosses", "ignore", "roles", "kinds", "buckets", "embedding_dim", "lr", "optimizer", "hidden", "batch", "hash_buckets", "quantiles", "test_fraction", "split", "seed"])]
    pub setup: Option<String>,
    /// The label column (default: the inferred one).
    #[arg(long)]
    pub label: Option<String>,
    /// What to predict: binary (a yes/no label), multiclass (one of several classes), regression
    /// (the number itself); default: inferred from the label column (two values: binary; a few
    /// text values or whole numbers: multiclass; many numbers or fractions: regression).
    #[arg(long, value_name = "binary|multiclass|regression")]
    pub task: Option<String>,
    /// The label value counted as positive.
    #[arg(long, conflicts_with = "threshold")]
    pub positive: Option<String>,
    /// Numeric labels >= this are positive.
    #[arg(long)]
    pub threshold: Option<f64>,
    /// A cross of 2 or 3 columns, comma-separated (repeatable): `--cross education,occupation`.
    /// A name holding a comma goes in double quotes: `--cross '"city, state",product'`.
    #[arg(long = "cross", value_name = "A,B[,C]")]
    pub crosses: Vec<String>,
    /// Leave columns out entirely (comma-separated or repeated): `--ignore user_id,zip_code`.
    #[arg(long = "ignore", value_name = "COL[,COL...]")]
    pub ignore: Vec<String>,
    /// Set columns' roles: wide, deep, both or ignore (comma-separated or repeated): `--role age=deep,rating=both`.
    #[arg(long = "role", value_name = "COL=ROLE[,...]")]
    pub roles: Vec<String>,
    /// Override inferred kinds: numeric, categorical, multi_categorical, id (comma-separated or repeated).
    #[arg(long = "kind", value_name = "COL=KIND[,...]")]
    pub kinds: Vec<String>,
    /// Explicit bucket edges for a numeric column (repeatable): `--buckets age=18,25,30`.
    #[arg(long = "buckets", value_name = "COL=E1,E2,...")]
    pub buckets: Vec<String>,
    /// Hash buckets per cross.
    #[arg(long, default_value_t = features().hash_buckets)]
    pub hash_buckets: usize,
    /// Quantile buckets per numeric column.
    #[arg(long, default_value_t = features().quantile_buckets)]
    pub quantiles: usize,
    /// One embedding size for all columns (default: 6·n^¼ rounded up to a power of two, 4..32).
    #[arg(long)]
    pub embedding_dim: Option<usize>,
    /// Which model(s) to train (default: joint, or all three with a --setup, as a study races them).
    #[arg(long, value_enum)]
    pub model: Option<ModelChoice>,
    /// Passes over the training rows (default: the core's, or the setup's); auto: until it stops
    /// improving (patience 3 on a validation share of 0.1 unless given, up to 200 epochs).
    #[arg(long, value_name = "N|auto")]
    pub epochs: Option<Epochs>,
    /// Rows per step.
    #[arg(long, default_value_t = training().batch_size)]
    pub batch: usize,
    /// Learning rate (default: the optimizer's own, see `--optimizer`).
    #[arg(long)]
    pub lr: Option<f64>,
    /// adam, adagrad or sgd.
    #[arg(long, default_value_t = name_of(training().optimizer))]
    pub optimizer: String,
    /// The wide part's own optimizer: `ftrl` (FTRL-proximal with --l1 and --l2, as the paper
    /// trained it); by default the wide part uses --optimizer like the rest.
    #[arg(long, value_name = "ftrl")]
    pub wide_optimizer: Option<String>,
    /// How the classes weigh in the training loss: none, balanced (each class half the loss,
    /// for a rare positive class), or POS:NEG (like 10:1). Test metrics stay unweighted.
    #[arg(long, value_name = "none|balanced|POS:NEG")]
    pub class_weight: Option<String>,
    /// Hold back this share of the training rows (never the test rows) to find each model's best
    /// epoch: the saved model is that epoch's.
    #[arg(long, value_name = "F")]
    pub validation_fraction: Option<f64>,
    /// Stop a model after N epochs without a better validation AUC (with --validation-fraction).
    #[arg(long, value_name = "N")]
    pub patience: Option<usize>,
    /// How the learning rate moves: none, plateau (halved after each epoch without a better
    /// validation AUC; with --validation-fraction) or cosine (down to 0 over the epochs).
    #[arg(long, value_name = "none|plateau|cosine")]
    pub lr_schedule: Option<String>,
    /// What a regression trains on: squared (the mean) or huber (squared within one standard
    /// deviation, linear beyond: for heavy tails).
    #[arg(long, value_name = "squared|huber")]
    pub loss: Option<String>,
    /// FTRL's L1 penalty: wide weights whose accumulated gradient stays below it are exactly 0.
    #[arg(long, default_value_t = ftrl().l1)]
    pub l1: f64,
    /// FTRL's L2 penalty.
    #[arg(long, default_value_t = ftrl().l2)]
    pub l2: f64,
    /// FTRL's learning rate (α).
    #[arg(long, default_value_t = ftrl().learning_rate)]
    pub wide_lr: f64,
    /// auto, sparse (a step updates the table rows its batch looked up; Adam becomes lazy) or
    /// dense. auto: sparse for the tables far bigger than a batch's lookups in them (ids).
    #[arg(long, default_value_t = name_of(training().table_updates))]
    pub table_updates: String,
    /// Deep hidden layer sizes.
    #[arg(long, default_value_t = joined(&training().hidden))]
    pub hidden: String,
    /// Share of rows held out for testing.
    #[arg(long, default_value_t = training().test_fraction)]
    pub test_fraction: f64,
    /// random or ordered (the last rows are the test rows).
    #[arg(long, default_value_t = name_of(training().split))]
    pub split: String,
    #[arg(long, default_value_t = training().seed)]
    pub seed: u64,
    /// Write the per-epoch metrics as JSON.
    #[arg(long, value_name = "OUT.json")]
    pub json: Option<PathBuf>,
    /// Draw loss and AUC curves (.svg or .png; repeatable).
    #[arg(long, value_name = "OUT.svg|OUT.png")]
    pub plot: Vec<PathBuf>,
    /// Draw how each model's test predictions fit the labels (.svg or .png): a yes/no label's
    /// reliability diagram (predicted probability against the observed rate, with its ECE and
    /// Brier score), a number's predictions against the actual values with the residuals, or the
    /// confusion matrices of several classes.
    #[arg(long, value_name = "OUT.svg|OUT.png")]
    pub fit: Option<PathBuf>,
    /// Save the trained model (the joint one when several are trained).
    #[arg(long, value_name = "MODEL")]
    pub save: Option<PathBuf>,
    /// After training, print each model's N largest wide weights by name.
    #[arg(long, value_name = "N")]
    pub top_weights: Option<usize>,
    /// Hide the progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Args)]
pub struct SweepArgs {
    /// The base configuration: the data and every training flag (its model: the first of --model).
    #[command(flatten)]
    pub train: TrainArgs,
    /// A setting and its values, the first the base's (repeatable): cross=COL,COL:on,off,
    /// embedding-dim=4,8,auto, hidden=64,32/32/16 (layer lists split by /), lr=0.001,0.01,
    /// optimizer=adam,adagrad.
    #[arg(long = "vary", value_name = "SETTING=VALUES", required = true)]
    pub vary: Vec<String>,
    /// Seeds per variant (each also draws its own split and validation rows).
    #[arg(long, default_value_t = 3)]
    pub seeds: usize,
}

#[derive(Args)]
pub struct ExportArgs {
    /// The saved model (from `train --save` or the page's download).
    pub model: PathBuf,
    /// Write the ONNX graph here.
    #[arg(long, value_name = "OUT.onnx", required_unless_present_any = ["spec", "torch"])]
    pub onnx: Option<PathBuf>,
    /// Write the fitted encoder's portable spec here (JSON), with `encode.py`, the reference
    /// encoder in Python, beside it.
    #[arg(long, value_name = "OUT.json")]
    pub spec: Option<PathBuf>,
    /// Write a PyTorch bundle into this folder: the weights (safetensors), model.py, train.py
    /// (DistributedDataParallel), predict.py, the encoder spec and encode.py.
    #[arg(long, value_name = "DIR")]
    pub torch: Option<PathBuf>,
}

#[derive(Args)]
pub struct ImportArgs {
    /// The checkpoint (safetensors in this tool's parameter names, as train.py writes them).
    pub checkpoint: PathBuf,
    /// The saved model it was trained from (its encoder and shapes).
    #[arg(long)]
    pub model: PathBuf,
    /// Write the saved model with the checkpoint's parameters here.
    #[arg(long, value_name = "OUT.json")]
    pub out: PathBuf,
}

#[derive(Args)]
pub struct EncodeArgs {
    /// The saved model.
    pub model: PathBuf,
    /// The CSV whose rows to encode (the label column is not needed).
    pub file: PathBuf,
    /// Write the inputs here (JSON: `{rows, inputs: [{name, shape, dtype, values}], probabilities}`),
    /// or, with --shard-rows, into this folder as safetensors shards and a manifest.
    #[arg(long, value_name = "OUT.json|DIR")]
    pub out: PathBuf,
    /// Write shards of this many rows (safetensors: the inputs and the labels) for train.py.
    #[arg(long, value_name = "N")]
    pub shard_rows: Option<usize>,
    /// Encode only part I of N equal parts of the file (each machine its own), with --shard-rows.
    #[arg(long, value_name = "I/N", requires = "shard_rows")]
    pub part: Option<String>,
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

/// `--epochs`: a count, or `auto` (until it stops improving).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Epochs {
    /// This many passes.
    Count(usize),
    /// Until the validation score stops improving.
    Auto,
}

impl std::str::FromStr for Epochs {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "auto" => Ok(Self::Auto),
            n => n.parse().map(Self::Count).map_err(|_| format!("'{n}': give a whole number of epochs, or auto")),
        }
    }
}
