//! `widedeep generate`: the synthetic data sets, as CSV.

use std::io::{BufWriter, Write};

use crate::args::{Dataset, GenerateArgs};

/// Most distinct users or items `generate ids` draws (each holds a bias in memory).
const MAX_IDS: usize = 100_000_000;

pub fn run(args: &GenerateArgs) -> Result<(), String> {
    let within = |n: usize| (1..=MAX_IDS).contains(&n);
    if matches!(args.dataset, Dataset::Ids) && !(within(args.users) && within(args.items)) {
        return Err(format!("--users and --items must be between 1 and {MAX_IDS}, got {} and {}", args.users, args.items));
    }
    let sink: Box<dyn Write> = match &args.out {
        Some(path) => Box::new(std::fs::File::create(path).map_err(|e| format!("cannot write {}: {e}", path.display()))?),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut out = BufWriter::new(sink);
    let written = match args.dataset {
        Dataset::Movielens => {
            eprintln!("note: the label 'liked' is 'rating' >= 4, so 'rating' is its source: training on 'liked' leaves it out");
            widedeep::synth::movielens(args.rows, args.seed, &mut out)
        }
        Dataset::Memorize => widedeep::synth::memorize_generalize(args.rows, args.seed, &mut out),
        Dataset::Ids => widedeep::synth::ids(args.users, args.items, args.rows, args.seed, &mut out),
        Dataset::Prices => widedeep::synth::prices(args.rows, args.seed, &mut out),
        Dataset::Readers => widedeep::synth::readers(args.rows, args.seed, &mut out),
    };
    written.and_then(|()| out.flush()).map_err(|e| format!("cannot write the data: {e}"))
}
