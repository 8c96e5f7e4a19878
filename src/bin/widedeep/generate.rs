//! `widedeep generate`: the synthetic data sets, as CSV.

use std::io::{BufWriter, Write};

use crate::args::{Dataset, GenerateArgs};

pub fn run(args: &GenerateArgs) -> Result<(), String> {
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
    };
    written.and_then(|()| out.flush()).map_err(|e| format!("cannot write the data: {e}"))
}
