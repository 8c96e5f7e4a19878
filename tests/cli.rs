//! The `widedeep` command line, run as a user would.
#![cfg(not(target_family = "wasm"))]

use std::path::{Path, PathBuf};

#[path = "common/cli.rs"]
mod common;
use common::{fails_with, sample, scratch, widedeep, write, zip};

#[test]
fn inspect_prints_the_schema_as_json() {
    let dir = scratch("inspect");
    let file = write(&dir, "s.csv", &sample(40));
    let out = widedeep(&["inspect", &file, "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(schema["rows"], 40);
    assert_eq!(schema["label"], "bought");
    assert_eq!(schema["columns"][0]["kind"], "categorical");
    assert_eq!(schema["columns"][2]["kind"], "numeric");
    let table = String::from_utf8(widedeep(&["inspect", &file]).stdout).unwrap();
    assert!(table.contains("delimiter ';'") && table.contains("city") && table.contains("Oslo"), "{table}");
}

#[test]
fn train_all_writes_json_plots_and_a_model_that_predicts() {
    let dir = scratch("train");
    let file = write(&dir, "s.csv", &sample(800));
    let (json, svg, png, model) = (dir.join("r.json"), dir.join("c.svg"), dir.join("c.png"), dir.join("m.json"));
    let out = widedeep(&[
        "train",
        &file,
        "--label",
        "bought",
        "--positive",
        "yes",
        "--cross",
        "city,kind",
        "--model",
        "all",
        "--epochs",
        "3",
        "--lr",
        "0.01",
        "--json",
        json.to_str().unwrap(),
        "--plot",
        svg.to_str().unwrap(),
        "--plot",
        png.to_str().unwrap(),
        "--save",
        model.to_str().unwrap(),
        "--quiet",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("model") && stdout.contains("samples/s"), "comparison table: {stdout}");
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let models = report["models"].as_array().unwrap();
    assert_eq!(models.iter().map(|m| m["mode"].as_str().unwrap()).collect::<Vec<_>>(), ["wide", "deep", "joint"]);
    for m in models {
        let epochs = m["epochs"].as_array().unwrap();
        assert_eq!(epochs.len(), 3);
        for key in ["train_loss", "test_loss", "test_auc", "test_accuracy", "seconds", "samples_per_second"] {
            assert!(epochs[2][key].as_f64().unwrap().is_finite(), "{key}");
        }
        assert!(epochs[2]["test_auc"].as_f64().unwrap() > 0.9, "the cross makes this learnable: {m}");
    }
    assert_eq!(report["dataset"]["label"], "bought = yes");
    assert_eq!(report["config"]["features"]["crosses"][0][1], "kind");
    let svg_text = std::fs::read_to_string(&svg).unwrap();
    assert!(svg_text.starts_with("<svg") && svg_text.contains("Test ROC AUC") && svg_text.contains("joint"));
    assert_eq!(&std::fs::read(&png).unwrap()[1..4], b"PNG");

    let new = write(&dir, "new.csv", "city;kind;score\nOslo;a;1\nAtlantis;zz;NA\n");
    let scored_path = dir.join("scored.csv");
    let out = widedeep(&["predict", "--model", model.to_str().unwrap(), &new, "--out", scored_path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let scored = std::fs::read_to_string(&scored_path).unwrap();
    let lines: Vec<&str> = scored.lines().collect();
    assert_eq!(lines[0], "city;kind;score;probability");
    assert!(lines[1].starts_with("Oslo;a;1;"));
    let p: f64 = lines[2].rsplit(';').next().unwrap().parse().unwrap();
    assert!((0.0..=1.0).contains(&p));
}

#[test]
fn bad_input_fails_with_a_specific_message() {
    let dir = scratch("bad");
    let many = many_values(70);
    let cases = [
        ("empty.csv", "", "the file is empty"),
        ("header.csv", "a,b\n", "header line but no data rows"),
        ("ragged.csv", "a,b,c\n1,2,3\n4,5\n", "row 2 (line 3): expected 3 fields like the header, found 2"),
        ("multi.csv", many.as_str(), "label column 'y': it has 70 distinct values"),
    ];
    for (name, text, message) in cases {
        fails_with(&["train", &write(&dir, name, text), "--label", "y", "--quiet"], message);
    }
    let file = write(&dir, "latin1.csv", "");
    std::fs::write(&file, b"city,y\nZ\xfcrich,0\nS\xe3o Paulo,1\n").unwrap();
    let out = widedeep(&["inspect", &file, "--json"]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(stderr.contains("not valid UTF-8: read as Latin-1 / Windows-1252"), "a note, not a refusal: {stderr}");
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(schema["columns"][0]["examples"], serde_json::json!(["Zürich", "São Paulo"]));
    let good = write(&dir, "good.csv", &sample(50));
    fails_with(&["train", &good, "--cross", "city,nowhere", "--quiet"], "unknown column 'nowhere'");
    fails_with(&["train", &good, "--plot", "x.gif", "--quiet"], "use a .svg or .png file name");
}

#[test]
fn a_column_that_gives_the_label_away_is_left_out_and_named() {
    let dir = scratch("leak");
    let file = dir.join("ratings.csv");
    let out = widedeep(&["generate", "movielens", "--rows", "6000", "--out", file.to_str().unwrap()]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("'rating' is its source"), "generate says where liked comes from");
    let json = dir.join("r.json");
    let common = ["train", file.to_str().unwrap(), "--epochs", "2", "--quiet", "--ignore", "zip_code,timestamp"];
    let out = widedeep(&[&common[..], &["--json", json.to_str().unwrap()]].concat());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("rating decides liked (AUC 1.000 alone): left out; use --role rating=both to keep it"), "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let auc = report["models"][0]["epochs"][1]["test_auc"].as_f64().unwrap();
    assert!(auc > 0.5 && auc < 0.9, "an honest AUC without the rating: {auc}");
    assert_eq!(report["dataset"]["leaks"][0]["column"], "rating");
    let roles = &report["config"]["features"]["roles"];
    assert!(["zip_code", "timestamp"].iter().all(|c| roles[c] == "ignore"), "a comma list: {roles}");

    let out = widedeep(&[&common[..], &["--role", "rating=both", "--json", json.to_str().unwrap()]].concat());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("rating decides liked (AUC 1.000 alone): kept, as --role asks"), "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert!(report["models"][0]["epochs"][1]["test_auc"].as_f64().unwrap() > 0.99, "kept, the rating decides the label");
}

#[test]
fn lists_labels_and_hints_speak_the_command_lines_language() {
    let dir = scratch("lists");
    let file = write(&dir, "s.csv", &sample(200));
    let json = dir.join("r.json");
    let out = widedeep(&[
        "train",
        &file,
        "--quiet",
        "--epochs",
        "1",
        "--role",
        "city=wide,kind=deep",
        "--kind",
        "score=categorical",
        "--json",
        json.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["config"]["features"]["roles"], serde_json::json!({"city": "wide", "kind": "deep"}));
    assert_eq!(report["config"]["features"]["kinds"], serde_json::json!({"score": "categorical"}));
    let labelled = write(&dir, "xyl.csv", "x,y,label\n1,2,0\n2,3,1\n3,1,0\n4,2,1\n");
    let schema: serde_json::Value = serde_json::from_slice(&widedeep(&["inspect", &labelled, "--json"]).stdout).unwrap();
    assert_eq!(schema["label"], "label", "an exact 'label' beats 'y'");
    let multi = write(&dir, "multi.csv", &many_values(70));
    let not_binary = "not binary: choose a positive class or, for numbers, a threshold (--positive VALUE, or --threshold X for numbers)";
    fails_with(&["train", &multi, "--label", "y", "--quiet"], not_binary);
    fails_with(&["train", &file, "--role", "city", "--quiet"], "--role expects COL=VALUE, got 'city'");
    fails_with(&["train", &file, "--optimizer", "ftrl2", "--quiet"], "--optimizer: unknown optimizer 'ftrl2'");
}

#[test]
fn top_weights_name_what_the_wide_part_memorized() {
    let dir = scratch("top");
    let file = dir.join("memorize.csv");
    assert!(widedeep(&["generate", "memorize", "--rows", "24000", "--out", file.to_str().unwrap()]).status.success());
    let args = ["train", file.to_str().unwrap(), "--cross", "city,product", "--ignore", "price", "--embedding-dim", "2", "--hidden", "16"];
    let out = widedeep(&[&args[..], &["--epochs", "6", "--lr", "0.01", "--top-weights", "5", "--quiet"]].concat());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let listed: Vec<&str> = stdout.lines().skip_while(|l| *l != "joint model, largest wide weights:").skip(1).take(5).collect();
    assert_eq!(listed.len(), 5, "{stdout}");
    let named = listed.iter().filter(|l| l.trim_start().starts_with("city=city_") && l.contains(" × product=product_")).count();
    assert!(named >= 3, "most of the largest weights are named crosses: {listed:#?}");
    assert!(listed.iter().all(|l| l.contains(" rows · ") && (l.contains("· +") || l.contains("· -"))), "{listed:#?}");
}

/// The paper's FTRL with L1 on the wide part: the metrics JSON reports the share of wide weights
/// that are exactly zero, more of them as L1 grows, and the model still learns the cross.
#[test]
fn ftrl_with_l1_makes_the_wide_part_sparse() {
    let dir = scratch("ftrl");
    let file = write(&dir, "s.csv", &sample(2000));
    let args = [
        "train",
        &file,
        "--label",
        "bought",
        "--positive",
        "yes",
        "--cross",
        "city,kind",
        "--hash-buckets",
        "12",
        "--model",
        "wide",
        "--epochs",
        "3",
        "--quiet",
    ];
    let share = |extra: &[&str]| -> (f64, f64) {
        let json = dir.join("m.json");
        let out = widedeep(&[&args[..], extra, &["--json", json.to_str().unwrap()]].concat());
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
        let last = &report["models"][0]["epochs"][2];
        (last["wide_zero_share"].as_f64().expect("the wide part's sparsity is reported"), last["test_auc"].as_f64().unwrap())
    };
    let (none, auc) = share(&["--wide-optimizer", "ftrl", "--l1", "0", "--wide-lr", "0.5"]);
    let (strong, strong_auc) = share(&["--wide-optimizer", "ftrl", "--l1", "0.5", "--wide-lr", "0.5"]);
    assert!(auc > 0.85 && strong_auc > 0.85, "FTRL learns the cross: {auc}, {strong_auc}");
    assert!(strong > none + 0.3, "L1 zeroes weights: {none} without, {strong} with");
    fails_with(&[&args[..], &["--l1", "0.5"]].concat(), "--l1, --l2 and --wide-lr set FTRL: add --wide-optimizer ftrl");
    fails_with(&[&args[..], &["--wide-optimizer", "lbfgs"]].concat(), "--wide-optimizer: unknown optimizer 'lbfgs'");
    fails_with(&[&args[..], &["--wide-optimizer", "ftrl", "--l2=-1"]].concat(), "FTRL's L1 and L2 must be zero or more, got 0.01 and -1");
    fails_with(&[&args[..], &["--table-updates", "lazy"]].concat(), "--table-updates: unknown table update 'lazy'");
}

/// A MovieLens 1M in its published format: `::`-separated, Latin-1 titles, `|` genre lists.
fn movielens_1m(dir: &Path) -> PathBuf {
    let folder = dir.join("ml-1m");
    std::fs::create_dir_all(&folder).unwrap();
    let mut rng = widedeep::rng::Rng::new(9, 0);
    let users: String = (1..=20)
        .map(|u| format!("{u}::{}::{}::{}::{:05}\n", ["F", "M"][u % 2], [1, 18, 25, 35, 45, 50, 56][u % 7], u % 21, 10_000 + u))
        .collect();
    let mut movies: Vec<u8> = Vec::new();
    for m in 1..=15 {
        movies.extend(format!("{m}::").as_bytes());
        movies.extend(if m % 3 == 0 { b"Am\xe9lie (2001)".to_vec() } else { format!("Film {m} ({})", 1980 + m).into_bytes() });
        movies.extend(format!("::{}\n", ["Comedy|Romance", "Drama", "Action|Sci-Fi|War"][m % 3]).as_bytes());
    }
    let ratings: String =
        (0..600).map(|i| format!("{}::{}::{}::{}\n", 1 + rng.below(20), 1 + rng.below(15), 1 + rng.below(5), 978_300_000 + i)).collect();
    std::fs::write(folder.join("users.dat"), users).unwrap();
    std::fs::write(folder.join("movies.dat"), movies).unwrap();
    std::fs::write(folder.join("ratings.dat"), ratings).unwrap();
    folder
}

/// Zips `files` (paths relative to `dir`, named so in the archive) into `dir/archive`.
fn zip_files(dir: &Path, archive: &str, files: &[&str]) -> PathBuf {
    let contents: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(dir.join(f)).unwrap()).collect();
    let entries: Vec<(&str, &[u8])> = files.iter().zip(&contents).map(|(f, c)| (*f, c.as_slice())).collect();
    let path = dir.join(archive);
    std::fs::write(&path, zip(&entries)).unwrap();
    path
}

#[test]
fn a_movielens_archive_is_read_joined_and_trained_with_the_seed_setup() {
    let dir = scratch("movielens");
    let folder = movielens_1m(&dir);
    let archive = zip_files(&dir, "ml-1m.zip", &["ml-1m/users.dat", "ml-1m/movies.dat", "ml-1m/ratings.dat"]);
    let out = widedeep(&["inspect", archive.to_str().unwrap()]);
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("MovieLens 1M: 600 ratings × 20 users × 15 movies, joined into one table"), "{stderr}");
    assert!(stdout.contains("label: liked") && stdout.contains("rating decides liked (AUC 1.000 alone)"), "{stdout}");
    assert!(stdout.contains("Amélie (2001)"), "Latin-1 titles decoded: {stdout}");
    let json = dir.join("seed.json");
    for data in [archive.to_str().unwrap(), folder.to_str().unwrap()] {
        let out = widedeep(&["train", data, "--setup", "seed", "--epochs", "1", "--quiet", "--json", json.to_str().unwrap()]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
        assert_eq!(report["models"].as_array().unwrap().len(), 3, "the study races all three");
        assert_eq!(report["config"]["features"]["crosses"], serde_json::json!([["gender", "age"]]));
        assert_eq!(report["config"]["features"]["embedding_dim"], 8);
        assert_eq!(report["config"]["train"]["optimizer"], "adagrad");
        let train = &report["config"]["train"];
        assert_eq!((train["batch_size"].as_u64(), train["learning_rate"].as_f64()), (Some(200), Some(0.01)));
        assert_eq!(report["config"]["features"]["roles"]["timestamp"], "ignore");
        assert_eq!(report["dataset"]["train_rows"], 420, "a 70/30 split");
    }
    let stderr =
        String::from_utf8_lossy(&widedeep(&["train", archive.to_str().unwrap(), "--setup", "seed", "--cross", "a,b"]).stderr).into_owned();
    assert!(stderr.contains("cannot be used with"), "a setup is a whole setup: {stderr}");
}

#[test]
fn archives_that_are_not_movielens_or_are_cut_short_are_clear_errors() {
    let dir = scratch("archives");
    write(&dir, "notes.txt", "hello");
    write(&dir, "table.csv", "a,b\n1,2\n");
    let other = zip_files(&dir, "other.zip", &["notes.txt", "table.csv"]);
    let bytes = std::fs::read(&other).unwrap();
    fails_with(&["inspect", other.to_str().unwrap()], "the zip archive holds notes.txt, table.csv");
    fails_with(&["inspect", other.to_str().unwrap()], "MovieLens 1M (ratings.dat, users.dat, movies.dat)");
    let cut = dir.join("cut.zip");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    fails_with(&["inspect", cut.to_str().unwrap()], "incomplete download");
}

#[test]
fn calibration_is_reported_and_drawn_for_every_model() {
    let dir = scratch("calibration");
    let file = write(&dir, "s.csv", &sample(800));
    let (json, svg) = (dir.join("r.json"), dir.join("fit.svg"));
    let out = widedeep(&[
        "train",
        &file,
        "--model",
        "all",
        "--epochs",
        "2",
        "--quiet",
        "--json",
        json.to_str().unwrap(),
        "--fit",
        svg.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("Brier") && stdout.contains("ECE"), "the comparison table: {stdout}");
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let picture = std::fs::read_to_string(&svg).unwrap();
    for model in report["models"].as_array().unwrap() {
        let last = model["epochs"].as_array().unwrap().last().unwrap();
        let (brier, ece) = (last["test_brier"].as_f64().unwrap(), last["test_ece"].as_f64().unwrap());
        assert!((0.0..=1.0).contains(&brier) && (0.0..=1.0).contains(&ece), "{model}");
        let legend = format!("{}: ECE {ece:.3}, Brier {brier:.3}", model["mode"].as_str().unwrap());
        assert!(picture.contains(&legend), "the diagram shows {legend}");
    }
    let wrong = widedeep(&["train", &file, "--fit", "c.txt"]);
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("--fit c.txt: use a .svg or .png file name"));
}

#[test]
fn class_weights_are_a_flag_kept_in_the_report_and_refused_clearly() {
    let dir = scratch("class-weight");
    let file = write(&dir, "s.csv", &sample(400));
    let json = dir.join("r.json");
    let out = widedeep(&["train", &file, "--epochs", "1", "--quiet", "--class-weight", "balanced", "--json", json.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["config"]["train"]["class_weight"], "balanced");
    fails_with(
        &["train", &file, "--class-weight", "3"],
        "--class-weight: invalid setting: class weights '3': use none, balanced, or POS:NEG",
    );
}

#[test]
fn early_stopping_keeps_the_best_epoch_and_says_so() {
    let dir = scratch("best-epoch");
    let file = write(&dir, "s.csv", &sample(1200));
    let json = dir.join("r.json");
    let args = ["train", &file, "--epochs", "12", "--lr", "0.05", "--validation-fraction", "0.2", "--patience", "2", "--quiet"];
    let out = widedeep(&[args.as_slice(), &["--json", json.to_str().unwrap()]].concat());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let model = &report["models"][0];
    let best = model["best_epoch"].as_u64().expect("the report names the kept epoch") as usize;
    let validation: Vec<f64> = model["epochs"].as_array().unwrap().iter().map(|e| e["validation_auc"].as_f64().unwrap()).collect();
    assert_eq!(validation[best - 1], validation.iter().cloned().fold(f64::MIN, f64::max), "{validation:?}");
    assert!(stdout.contains(&format!("best epoch {best} (validation AUC")), "{stdout}");
    fails_with(&["train", &file, "--patience", "2"], "--patience 2: give at least 1 epoch, with --validation-fraction to judge by");
    // --epochs auto: patience 3 on a tenth of the training rows, stopped three epochs after the best.
    let out = widedeep(&["train", &file, "--epochs", "auto", "--lr", "0.05", "--quiet", "--json", json.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let train = &report["config"]["train"];
    assert_eq!(
        (train["epochs"].as_u64(), train["patience"].as_u64(), train["validation_fraction"].as_f64()),
        (Some(200), Some(3), Some(0.1))
    );
    let model = &report["models"][0];
    let (best, ran) = (model["best_epoch"].as_u64().unwrap(), model["epochs"].as_array().unwrap().len() as u64);
    assert_eq!(ran, best + 3, "stopped three epochs after its best ({best}), far short of 200");
    let out = widedeep(&["train", &file, "--epochs", "auto", "--patience", "1", "--quiet", "--json", json.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["config"]["train"]["patience"], 1, "a patience given is kept");
    fails_with(
        &["train", &file, "--epochs", "auto", "--validation-fraction", "0"],
        "--epochs auto: invalid setting: training until it stops judges by validation rows",
    );
    fails_with(&["train", &file, "--epochs", "many"], "'many': give a whole number of epochs, or auto");
}

#[test]
fn the_plateau_schedule_halves_the_rate_after_each_epoch_without_gain() {
    let dir = scratch("plateau");
    let file = write(&dir, "s.csv", &sample(1200));
    let json = dir.join("r.json");
    let args = ["train", &file, "--epochs", "8", "--lr", "0.05", "--validation-fraction", "0.2", "--lr-schedule", "plateau", "--quiet"];
    let out = widedeep(&[args.as_slice(), &["--json", json.to_str().unwrap()]].concat());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let epochs = report["models"][0]["epochs"].as_array().unwrap();
    let field = |e: &serde_json::Value, key: &str| e[key].as_f64().unwrap();
    assert_eq!(field(&epochs[0], "learning_rate"), 0.05);
    let mut best = f64::MIN;
    let mut cuts = 0;
    for pair in epochs.windows(2) {
        let improved = field(&pair[0], "validation_auc") > best;
        best = best.max(field(&pair[0], "validation_auc"));
        let expected = field(&pair[0], "learning_rate") * if improved { 1.0 } else { 0.5 };
        cuts += usize::from(!improved);
        assert_eq!(field(&pair[1], "learning_rate"), expected, "{pair:?}");
    }
    assert!(cuts > 0, "8 epochs of an easy file stall at least once: {epochs:?}");
    fails_with(
        &["train", &file, "--lr-schedule", "plateau"],
        "--lr-schedule plateau: cuts the rate when the validation AUC stalls: give --validation-fraction",
    );
    fails_with(
        &["train", &file, "--lr-schedule", "step"],
        "--lr-schedule: invalid setting: learning-rate schedule 'step': use none, plateau or cosine",
    );
}

/// Label = parity(a) XOR parity(b): only the a × b cross lets a wide model see it.
fn xor(rows: usize) -> String {
    let mut text = String::from("a,b,label\n");
    for i in 0..rows {
        let (a, b) = ((i * 7 + i / 5) % 6, (i * 11 + i / 3) % 6);
        text.push_str(&format!("a{a},b{b},{}\n", (a % 2) ^ (b % 2)));
    }
    text
}

#[test]
fn a_sweep_ranks_the_cross_that_carries_the_signal_first_over_three_seeds() {
    let dir = scratch("sweep");
    let file = write(&dir, "xor.csv", &xor(3000));
    let json = dir.join("sweep.json");
    let args = ["sweep", &file, "--label", "label", "--model", "wide", "--epochs", "4", "--batch", "64", "--lr", "0.01"];
    let varies = ["--vary", "cross=a,b:off,on", "--vary", "embedding-dim=4,8", "--seeds", "3", "--quiet", "--json", json.to_str().unwrap()];
    let out = widedeep(&[args.as_slice(), varies.as_slice()].concat());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let scores: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let scores = scores.as_array().unwrap();
    assert_eq!(scores.len(), 4, "2 × 2 variants");
    for top in &scores[..2] {
        assert!(top["variant"].as_str().unwrap().starts_with("cross a × b on"), "{top}");
        assert_eq!(top["validation"].as_array().unwrap().len(), 3, "one score per seed");
        assert!(top["difference"].as_f64().unwrap() > 0.2, "far past the noise: {top}");
    }
    assert!(stdout.contains("base") && stdout.contains("≈ noise"), "the wide model ignores embeddings: {stdout}");
    fails_with(&["sweep", &file, "--label", "label", "--vary", "depth=3,4"], "--vary depth=3,4: 'depth' is not a setting a sweep varies");
    fails_with(
        &["sweep", &file, "--label", "label", "--vary", "lr=0.1,0.2,0.3,0.4,0.5", "--vary", "embedding-dim=2,4,8,16"],
        "at most 16 variants",
    );
}

/// A housing table whose target is a price trains with no flag as a regression, reports RMSE, MAE
/// and R² (JSON names the task), saves a model that predicts numbers in the price's units; a few
/// whole numbers train as a regression when asked; contradicting flags are refused with the flag
/// that fixes them.
#[test]
fn a_price_trains_as_a_regression_with_no_flag_and_predicts_in_its_units() {
    let dir = scratch("regression");
    let mut csv = Vec::new();
    widedeep::synth::prices(3000, 2, &mut csv).unwrap();
    let file = write(&dir, "homes.csv", std::str::from_utf8(&csv).unwrap());
    let (json, model, scored, fit) = (dir.join("r.json"), dir.join("m.json"), dir.join("scored.csv"), dir.join("fit.svg"));
    let out = widedeep(&[
        "train",
        &file,
        "--model",
        "all",
        "--epochs",
        "4",
        "--lr",
        "0.01",
        "--cross",
        "neighbourhood,kind",
        "--quiet",
        "--json",
        json.to_str().unwrap(),
        "--save",
        model.to_str().unwrap(),
        "--fit",
        fit.to_str().unwrap(),
    ]);
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("label price (a number), a regression, mean"), "{stderr}");
    assert!(stdout.contains("RMSE") && stdout.contains("R²") && !stdout.contains("AUC"), "{stdout}");
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["dataset"]["task"], "regression");
    let last = report["models"][2]["epochs"][3].clone();
    assert!(last["test_r2"].as_f64().unwrap() > 0.9 && last["test_rmse"].as_f64().unwrap() < 40.0, "{last}");
    assert!(last["test_auc"].is_null(), "no AUC for a number: {last}");
    let picture = std::fs::read_to_string(&fit).unwrap();
    for model in report["models"].as_array().unwrap() {
        let kept = kept_epoch(model);
        let legend = format!("{}: RMSE ", model["mode"].as_str().unwrap());
        let r2 = format!("R² {:.3}\n", kept["test_r2"].as_f64().unwrap());
        assert!(picture.contains(&legend) && picture.contains(&r2), "--fit draws predicted against actual: {legend}… {r2}");
    }
    let out = widedeep(&["predict", "--model", model.to_str().unwrap(), &file, "--out", scored.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && stderr.contains("RMSE") && stderr.contains("R²"), "{stderr}");
    let text = std::fs::read_to_string(&scored).unwrap();
    assert_eq!(text.lines().next().unwrap(), "neighbourhood,kind,area,rooms,price,prediction");
    let (actual, predicted): (Vec<f64>, Vec<f64>) = text
        .lines()
        .skip(1)
        .map(|l| {
            let cells: Vec<f64> = l.split(',').skip(2).map(|c| c.parse().unwrap()).collect();
            (cells[2], cells[3])
        })
        .unzip();
    let rmse = (actual.iter().zip(&predicted).map(|(a, p)| (a - p).powi(2)).sum::<f64>() / actual.len() as f64).sqrt();
    let (low, high) = actual.iter().fold((f64::MAX, f64::MIN), |(l, h), &a| (l.min(a), h.max(a)));
    let within = predicted.iter().all(|p| (low - 100.0..high + 100.0).contains(p));
    assert!(rmse < 40.0 && within, "in thousands, as the prices ({low} to {high}): RMSE {rmse}");

    let stars: String = (0..400).map(|i| format!("{},{}\n", i % 7, 1 + i % 5)).collect();
    let stars = write(&dir, "stars.csv", &format!("user,label\n{stars}"));
    let out = widedeep(&["train", &stars, "--task", "regression", "--epochs", "1", "--quiet"]);
    assert!(out.status.success(), "--task regression reads the stars: {}", String::from_utf8_lossy(&out.stderr));
    fails_with(
        &["train", &stars, "--task", "regression", "--threshold", "4"],
        "the task is regression (predict the number), but a threshold (4) makes a yes/no label",
    );
    fails_with(&["train", &file, "--task", "binary"], "label column 'price': it has");
    fails_with(&["train", &file, "--task", "ordinal"], "--task: expected binary, multiclass or regression, got 'ordinal'");
    fails_with(&["train", &file, "--class-weight", "balanced"], "class weights weigh the two classes of a yes/no label");
}

/// Prices with a typo in one row of 33 (twenty times the price): Huber's loss, linear past one
/// standard deviation, lets the many rows set the fit, where the squared error is pulled toward
/// the typos; its test MAE (typos included) is well below the squared error's. Another task
/// refuses it, and an unknown loss is named.
#[test]
fn huber_holds_to_the_many_rows_when_a_few_prices_are_typos() {
    let dir = scratch("huber");
    let mut csv = Vec::new();
    widedeep::synth::prices(3000, 2, &mut csv).unwrap();
    let text = std::str::from_utf8(&csv).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    for line in lines.iter_mut().skip(1).step_by(33) {
        let (rest, price) = line.rsplit_once(',').unwrap();
        *line = format!("{rest},{:.1}", price.parse::<f64>().unwrap() * 20.0);
    }
    let file = write(&dir, "typos.csv", &(lines.join("\n") + "\n"));
    let mae = |loss: &str| {
        let json = dir.join(format!("{loss}.json"));
        let out = widedeep(&[
            "train",
            &file,
            "--setup",
            "prices",
            "--model",
            "joint",
            "--epochs",
            "6",
            "--quiet",
            "--loss",
            loss,
            "--json",
            json.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
        assert_eq!(report["config"]["train"]["regression_loss"], loss, "the report names the loss");
        kept_epoch(&report["models"][0])["test_mae"].as_f64().unwrap()
    };
    let (squared, huber) = (mae("squared"), mae("huber"));
    assert!(huber < 0.8 * squared, "Huber's MAE {huber} against the squared error's {squared}");
    fails_with(&["train", &file, "--loss", "absolute"], "--loss: invalid setting: regression loss 'absolute': use squared or huber");
    let labels = write(&dir, "yes-no.csv", &sample(200));
    fails_with(&["train", &labels, "--loss", "huber"], "the Huber loss fits a number (a regression); this label is a yes/no question");
}

/// A model's epoch kept in a JSON report: its best on the validation rows, else its last.
fn kept_epoch(model: &serde_json::Value) -> serde_json::Value {
    let epochs = model["epochs"].as_array().unwrap();
    model["best_epoch"].as_u64().map_or_else(|| epochs.last().unwrap().clone(), |best| epochs[best as usize - 1].clone())
}

/// A label column of `count` distinct text values: more classes than a model takes.
fn many_values(count: usize) -> String {
    (0..count).fold(String::from("x,y\n"), |text, i| text + &format!("{i},v{i}\n"))
}

/// An 8-class label trains with no flag as a multiclass model (accuracy, macro AUC, log loss; the
/// JSON names the task and each class's share), and predicts class names; ONNX's probabilities are
/// checked in tests/interop.rs.
#[test]
fn an_eight_class_label_trains_with_no_flag_and_predicts_class_names() {
    let dir = scratch("multiclass");
    let names = ["cyt", "nuc", "mit", "erl", "pox", "vac", "me1", "me2"];
    // The class follows `site` in 7 rows of 10 (all 10 would be a leak, left out), `mcg` says nothing.
    let class = |i: usize| names[if i % 10 < 3 { (i / 10 + i / 3) % 8 } else { i % 8 }];
    let rows: String = (0..1600).map(|i| format!("{},site{},{}\n", i % 7, i % 8, class(i))).collect();
    let file = write(&dir, "proteins.csv", &format!("mcg,site,class\n{rows}"));
    let (json, model, scored, fit) = (dir.join("r.json"), dir.join("m.json"), dir.join("scored.csv"), dir.join("fit.png"));
    let out = widedeep(&[
        "train",
        &file,
        "--epochs",
        "4",
        "--lr",
        "0.05",
        "--quiet",
        "--json",
        json.to_str().unwrap(),
        "--save",
        model.to_str().unwrap(),
        "--fit",
        fit.to_str().unwrap(),
    ]);
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{stderr}");
    let png = std::fs::read(&fit).unwrap();
    assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000, "--fit draws the confusion matrix as a PNG: {} bytes", png.len());
    assert!(stderr.contains("label class (8 classes), cyt 12.") && stdout.contains("AUC"), "{stderr}{stdout}");
    assert!(stdout.contains("joint model, test rows by actual class (rows) and predicted class (columns):"), "{stdout}");
    let matrix: Vec<&str> = stdout.lines().skip_while(|l| !l.contains("by actual class")).skip(2).take(8).collect();
    assert!(matrix.len() == 8 && matrix[0].trim_start().starts_with("cyt"), "a row per class: {stdout}");
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["dataset"]["task"], "multiclass");
    assert_eq!(report["dataset"]["classes"].as_array().unwrap().len(), 8);
    let last = report["models"][0]["epochs"][3].clone();
    assert!(last["test_accuracy"].as_f64().unwrap() > 0.65 && last["test_auc"].as_f64().unwrap() > 0.8, "{last}");
    let out = widedeep(&["predict", "--model", model.to_str().unwrap(), &file, "--out", scored.to_str().unwrap()]);
    assert!(out.status.success() && String::from_utf8_lossy(&out.stderr).contains("accuracy"), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&scored).unwrap();
    assert_eq!(text.lines().next().unwrap(), "mcg,site,class,class");
    let right = text.lines().skip(1).filter(|l| l.rsplit(',').next() == l.rsplit(',').nth(1)).count();
    assert!(right as f64 > 0.65 * 1600.0, "{right} of 1,600 rows get their own class back by name");
    let out = widedeep(&["train", &file, "--task", "multiclass", "--epochs", "1", "--quiet"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    fails_with(
        &["train", &file, "--task", "multiclass", "--positive", "cyt"],
        "the task is multiclass (predict the class), but a positive class makes a yes/no label",
    );
    fails_with(&["train", &file, "--class-weight", "balanced"], "this label has several classes (multiclass)");
}
