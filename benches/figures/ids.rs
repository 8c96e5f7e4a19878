//! `figures ids`: training speed and AUC as the number of distinct ids grows from 1k to 1M
//! (`widedeep generate ids`), sparse (the default) beside dense table updates and beside the same
//! model without its id columns, and PyTorch with sparse embeddings on the same file when it is
//! installed (`benches/ids_torch.py`).

use std::path::PathBuf;
use std::process::Command;

use widedeep::Config;
use widedeep::features::{FeatureConfig, Role};
use widedeep::model::Mode;
use widedeep::train::{TableUpdates, TrainConfig};

use super::{load, race, summary};

/// Distinct users generated at each scale (items: a quarter as many).
const SCALES: [usize; 4] = [1_000, 10_000, 100_000, 1_000_000];
/// Dense updates are timed up to this many users (beyond, an epoch takes minutes).
const DENSE_UP_TO: usize = 100_000;

/// Prints the figures at every scale: sparse, dense (up to [`DENSE_UP_TO`]), without ids, PyTorch.
pub fn ids() {
    for users in SCALES {
        let path = file(users);
        let table = load(&path);
        let config = |updates: TableUpdates, epochs: usize, without_ids: bool| {
            let mut features = FeatureConfig::for_label("label");
            if without_ids {
                features.roles.extend(["user_id", "item_id"].map(|c| (c.to_string(), Role::Ignore)));
            }
            let train = TrainConfig { modes: vec![Mode::Joint], epochs, table_updates: updates, ..TrainConfig::default() };
            Config { features, train }
        };
        let name = format!("ids: {users} users, {} items, {} rows", users / 4, table.rows());
        let sparse = race(&format!("{name}, automatic (sparse) table updates"), &table, &config(TableUpdates::Auto, 2, false));
        summary(&format!("ids {users} sparse"), &sparse);
        if users <= DENSE_UP_TO {
            summary(
                &format!("ids {users} dense"),
                &race(&format!("{name}, dense table updates"), &table, &config(TableUpdates::Dense, 1, false)),
            );
        }
        summary(
            &format!("ids {users} without ids"),
            &race(&format!("{name}, without the id columns"), &table, &config(TableUpdates::Auto, 2, true)),
        );
        pytorch(&path);
    }
}

/// The generated file for `users` (cached in the temp folder, named as `benches/generated.mjs`
/// names it, so the browser benchmark trains on the same rows): at least two rows per user, so
/// most of them are in the vocabulary.
fn file(users: usize) -> PathBuf {
    let rows = (2 * users).max(200_000);
    let path = std::env::temp_dir().join(format!("widedeep-ids-{users}-{rows}.csv"));
    if !path.exists() {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&path).expect("temp file"));
        widedeep::synth::ids(users, (users / 4).max(1), rows, 1, &mut out).expect("write the ids file");
    }
    path
}

/// PyTorch with sparse embeddings on one thread (the Python in `$PYTHON`, else `python3`), or a
/// line saying why not.
fn pytorch(path: &std::path::Path) {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/ids_torch.py");
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    match Command::new(&python).args([script, path.to_str().expect("utf-8 temp path"), "2", "1"]).output() {
        Ok(out) if out.status.success() => print!("{}", String::from_utf8_lossy(&out.stdout)),
        Ok(out) => println!("pytorch: skipped ({})", String::from_utf8_lossy(&out.stderr).lines().last().unwrap_or("failed")),
        Err(e) => println!("pytorch: skipped ({python}: {e})"),
    }
}
