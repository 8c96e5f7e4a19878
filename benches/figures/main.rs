//! `cargo bench --bench figures [adult|products|pictures|movielens|memory|ids]`: prints the accuracy,
//! speed and memory figures that the README reports. Not a timed test: it only measures and prints.

mod ids;
mod products;

use std::path::{Path, PathBuf};
use std::process::Command;

use burn::tensor::Device;
use web_time::Instant;
use widedeep::data::{ColumnKind, LabelRule, Schema, Table, read_table};
use widedeep::features::{FeatureConfig, Role};
use widedeep::model::Mode;
use widedeep::train::{Comparison, Prepared, TrainConfig};
use widedeep::{Config, Setup};

fn main() {
    let which: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let wants = |name: &str| which.is_empty() || which.iter().any(|w| w == name);
    if which.iter().any(|w| w == "memory-child") {
        return memory_child(&std::env::args().next_back().expect("a file argument"));
    }
    if wants("adult") {
        adult();
    }
    if wants("products") {
        product_figures();
    }
    if wants("pictures") {
        picture_figures();
    }
    if wants("movielens") {
        movielens();
    }
    if wants("memory") {
        memory();
    }
    if wants("ids") {
        ids::ids();
    }
}

fn load(path: &Path) -> Table {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    read_table(&bytes).expect("the data set parses")
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// Trains every mode in `config` and prints each epoch; returns (best AUC, mean samples/s) per mode.
fn race(name: &str, table: &Table, config: &Config) -> Vec<(Mode, f64, f64)> {
    let schema = Schema::infer(table);
    let mut comparison =
        Comparison::new(table, &schema, &config.features, &config.train, &Device::flex()).expect("the benchmark config is valid");
    println!(
        "\n## {name}: {} train / {} test rows, batch {}",
        comparison.prepared.train.rows, comparison.prepared.test.rows, config.train.batch_size
    );
    comparison
        .trainers
        .iter_mut()
        .map(|t| {
            for _ in 0..config.train.epochs {
                let r = t.run_epoch(|_| {}).expect("training runs");
                println!(
                    "{:>5} epoch {:>2}: train loss {:.4}  test loss {:.4}  AUC {:.4}  accuracy {:.4}  {:>9.0} samples/s",
                    t.mode().name(),
                    r.epoch,
                    r.train_loss,
                    r.test_loss,
                    r.test_auc,
                    r.test_accuracy,
                    r.samples_per_second
                );
            }
            let h = t.history();
            let best = h.iter().map(|r| r.test_auc).fold(0.0, f64::max);
            let speed = h.iter().map(|r| r.samples_per_second).sum::<f64>() / h.len() as f64;
            (t.mode(), best, speed)
        })
        .collect()
}

fn summary(label: &str, results: &[(Mode, f64, f64)]) {
    for (mode, auc, speed) in results {
        println!("{label}: {:>5} best test AUC {auc:.4}, {speed:.0} samples/s", mode.name());
    }
}

/// The tutorial's MLP: two hidden layers of 100 and 50 units.
const TUTORIAL_HIDDEN: [usize; 2] = [100, 50];

fn adult_table() -> Table {
    load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("data/adult.csv"))
}

/// The TensorFlow wide & deep tutorial's features on Adult, as the peers used them.
fn adult_features() -> FeatureConfig {
    let categorical = ["workclass", "education", "marital-status", "occupation", "relationship", "race", "gender", "native-country"];
    let numeric = ["educational-num", "capital-gain", "capital-loss", "hours-per-week"];
    let mut roles: std::collections::BTreeMap<String, Role> = numeric.iter().map(|c| (c.to_string(), Role::Deep)).collect();
    roles.insert("fnlwgt".into(), Role::Ignore);
    roles.extend(categorical.iter().map(|c| (c.to_string(), Role::Both)));
    FeatureConfig {
        label_rule: LabelRule::Positive { value: ">50K".into() },
        roles,
        kinds: numeric.iter().map(|c| (c.to_string(), ColumnKind::Numeric)).collect(),
        crosses: vec![
            strings(&["education", "occupation"]),
            strings(&["native-country", "occupation"]),
            strings(&["age", "education", "occupation"]),
        ],
        hash_buckets: 1000,
        bucket_edges: [("age".to_string(), vec![18.0, 25.0, 30.0, 35.0, 40.0, 45.0, 50.0, 55.0, 60.0, 65.0])].into(),
        embedding_dim: Some(8),
        ..FeatureConfig::for_label("income")
    }
}

fn adult() {
    let (table, features) = (adult_table(), adult_features());
    let train =
        TrainConfig { modes: Mode::ALL.to_vec(), hidden: TUTORIAL_HIDDEN.to_vec(), epochs: 10, batch_size: 256, ..TrainConfig::default() };
    let results = race("Adult, TF-tutorial features, Adam 1e-3", &table, &Config { features: features.clone(), train: train.clone() });
    let big = TrainConfig { modes: vec![Mode::Joint], epochs: 3, batch_size: 1024, ..train };
    let big = race("Adult joint, batch 1024", &table, &Config { features, train: big });
    summary("adult batch 256", &results);
    summary("adult batch 1024", &big);
}

/// Speed of the matrix products in a training step of the Adult tutorial model: the part of a
/// step that SIMD width decides.
fn product_figures() {
    let table = adult_table();
    let prepared = Prepared::new(&table, &Schema::infer(&table), &adult_features(), &TrainConfig::default()).expect("encodes");
    let [first, second] = TUTORIAL_HIDDEN;
    let widths = [prepared.layout.deep_width(), first, second, 1];
    for batch in [256, 1024] {
        let speeds = products::product_speeds(&Device::flex(), batch, &widths);
        println!("\n## Matrix products of an Adult joint step, widths {widths:?}, batch {batch}, native CPU");
        for speed in &speeds {
            let [m, k, n] = speed.shape;
            println!("{:<24} {m:>5}×{k:>4}×{n:>4}  {:>6.1} GFLOP/s", speed.role, speed.gflops);
        }
        let micros: f64 = speeds.iter().map(|s| s.seconds_per_row(batch)).sum::<f64>() * 1e6;
        println!("products batch {batch}: {micros:.2} µs per training row");
    }
}

/// The cost of the live pictures on Adult (the playground's preset crosses, 3 models): after every
/// epoch the worker computes and draws the curves, the cross map, an embedding map, the diagram
/// and the named weights. Printed beside the epoch's training time, as a share of it.
fn picture_figures() {
    use widedeep::engine::Engine;
    use widedeep::plot::{Picture, Theme};
    let font: &'static [u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
    plotters::style::register_font("sans-serif", plotters::style::FontStyle::Normal, font)
        .unwrap_or_else(|_| panic!("the bundled font loads"));
    let bytes = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("data/adult.csv")).expect("the bundled Adult file");
    let mut engine = Engine::new();
    engine.load_csv("adult.csv", &bytes).expect("Adult parses");
    let epochs = 4;
    let mut config = engine.setup_config("adult").expect("Adult has the setup's columns");
    config.train.epochs = epochs;
    pollster::block_on(engine.configure(config)).expect("the preset's setup is valid");
    println!("\n## Pictures on Adult (preset crosses, wide + deep + joint, batch 256), per epoch");
    let svg = |picture: Picture| picture.svg(1200, 560, Theme::default()).expect("draws");
    for epoch in 1..=epochs {
        while engine.report().expect("a run").report.models.iter().any(|m| m.epochs.len() < epoch) {
            pollster::block_on(engine.train(64)).expect("trains");
        }
        let report = engine.report().expect("a run").report;
        let training: f64 = report.models.iter().filter_map(|m| m.epochs.get(epoch - 1)).map(|e| e.seconds).sum();
        let started = Instant::now();
        svg(Picture::Curves(report.models.clone()));
        let logits: Vec<_> = Mode::ALL.iter().map(|&m| engine.test_logits(m).expect("a trained model")).collect();
        svg(Picture::CrossMap(engine.cross_map(["education", "occupation"], &logits, None).expect("a cross map")));
        svg(Picture::Embedding(pollster::block_on(engine.embedding_maps("occupation", None)).expect("embedding maps")));
        let split = pollster::block_on(engine.logit_split()).expect("a split");
        svg(Picture::Diagram(engine.diagram(split).expect("a diagram")));
        pollster::block_on(engine.named_weights(Mode::Joint, 15)).expect("named weights");
        let pictures = started.elapsed().as_secs_f64();
        println!("pictures epoch {epoch}: {pictures:.3} s beside {training:.2} s of training ({:.1}%)", 100.0 * pictures / training);
    }
}

fn movielens() {
    let Some(path) = fetch_movielens() else { return };
    let table = load(&path);
    let schema = Schema::infer(&table);
    let seed = Setup::Seed.config(&schema).expect("the joined file has the seed's columns");
    let seed_results = race("MovieLens 100K, the seed project's setup (--setup seed), Adagrad 0.01", &table, &seed);
    let ids = Setup::Ids.config(&schema).expect("the joined file has user and movie ids");
    let id_results = race("MovieLens 100K with user and movie ids and a user x genre cross (--setup ids), Adam 1e-3", &table, &ids);
    summary("movielens seed setup", &seed_results);
    summary("movielens ids + crosses", &id_results);
}

/// Runs the shared fetch script once into a cache outside the repository (never commit the data).
fn fetch_movielens() -> Option<PathBuf> {
    let cache = PathBuf::from(std::env::var("HOME").unwrap_or_else(|_| "/tmp".into())).join(".cache/widedeep/data");
    let path = cache.join("ml100k.csv");
    if !path.exists() {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/datasets/fetch.sh");
        let ok = Command::new("bash").arg(&script).arg(&cache).status().is_ok_and(|s| s.success());
        if !ok {
            println!("\n## MovieLens: skipped, {} could not fetch the data", script.display());
            return None;
        }
    }
    Some(path)
}

/// Writes a 1M-row MovieLens-shaped file, then loads and encodes it in a fresh process so the
/// peak RSS belongs to loading alone.
fn memory() {
    let path = std::env::temp_dir().join("widedeep-bench-1m.csv");
    if !path.exists() {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&path).expect("temp file"));
        widedeep::synth::movielens(1_000_000, 7, &mut out).expect("write the synthetic file");
    }
    let exe = std::env::current_exe().expect("own path");
    let status = Command::new(exe).args(["memory-child", path.to_str().expect("utf-8 temp path")]).status().expect("child runs");
    assert!(status.success());
}

fn memory_child(path: &str) {
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let started = Instant::now();
    let table = load(Path::new(path));
    let parse = started.elapsed().as_secs_f64();
    let schema = Schema::infer(&table);
    let features =
        FeatureConfig { crosses: vec![strings(&["user_id", "genres"]), strings(&["gender", "age"])], ..FeatureConfig::for_label("liked") };
    let mut roles = features.roles.clone();
    roles.extend(["rating", "timestamp"].map(|c| (c.to_string(), Role::Ignore)));
    let features = FeatureConfig { roles, ..features };
    let prepared = Prepared::new(&table, &schema, &features, &TrainConfig::default()).expect("encodes");
    let total = started.elapsed().as_secs_f64();
    let peak = std::fs::read_to_string("/proc/self/status").ok().and_then(|s| {
        s.lines()
            .find(|l| l.starts_with("VmHWM"))
            .map(|l| l.split_whitespace().nth(1).unwrap_or("0").parse::<f64>().unwrap_or(0.0) / 1024.0)
    });
    println!("\n## Memory: {} rows, {:.0} MB file", table.rows(), size as f64 / 1e6);
    println!("memory: parsed in {parse:.2} s ({:.0} rows/s, {:.0} MB/s)", table.rows() as f64 / parse, size as f64 / 1e6 / parse);
    println!("memory: parsed, inferred and encoded ({} + {} rows) in {total:.2} s", prepared.train.rows, prepared.test.rows);
    match peak {
        Some(mb) => println!("memory: peak RSS {mb:.0} MB"),
        None => println!("memory: peak RSS unavailable (no /proc)"),
    }
}
