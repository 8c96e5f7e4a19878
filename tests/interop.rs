//! A model that leaves, checked against the real thing: `widedeep export --onnx` run in ONNX
//! Runtime (through Python, `tests/interop/onnx_check.py`, from the environment that
//! `scripts/setup.sh` installs) gives the probabilities this crate gives, for every mode and for
//! every kind of input (wide blocks and crosses, deep ids sharing a table, mean-pooled tokens with
//! padding, numbers with missing values); `encode.py` gives the inputs `widedeep encode` gives; a
//! PyTorch bundle (Debian's torch) predicts as we do, trains on two DDP ranks, and comes back.
#![cfg(not(target_family = "wasm"))]

use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "common/cli.rs"]
mod common;
use common::{scratch, widedeep, write};

/// The Python with ONNX Runtime: `WIDEDEEP_VENV`, else the one `scripts/setup.sh` makes. Missing
/// is a failure that says how to install it, never a skip.
fn python() -> PathBuf {
    let venv = std::env::var_os("WIDEDEEP_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").expect("HOME is set")).join(".cache/widedeep/venv"));
    let python = venv.join("bin/python");
    assert!(python.exists(), "{} is missing: run scripts/setup.sh (make test does) to install ONNX Runtime", python.display());
    python
}

/// Rows with every input kind: categories, a crossed pair, `|`-separated tags of 0 to 3 tokens,
/// a number with missing values; the label depends on all of them.
fn mixed(rows: usize) -> String {
    mixed_rows(0..rows)
}

/// Rows `range` of the same data (another range is data the model never saw).
fn mixed_rows(range: std::ops::Range<usize>) -> String {
    let mut text = String::from("city,kind,tags,score,bought\n");
    for i in range {
        let city = ["Oslo", "Lima", "Pune", "Kyiv", "Rome"][i % 5];
        let kind = ["a", "b", "c"][(i / 5) % 3];
        let tags = ["", "red", "red|blue", "blue|green|red", "green"][(i / 3) % 5];
        let score = if i % 11 == 0 { String::new() } else { format!("{}.25", (i * 7) % 23) };
        let bought = (city == "Oslo") ^ (kind == "c") ^ tags.contains("green") ^ (i % 23 < 4);
        text.push_str(&format!("{city},{kind},{tags},{score},{}\n", if bought { "yes" } else { "no" }));
    }
    text
}

fn run_ok(args: &[&str]) -> String {
    let out = widedeep(args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "widedeep {args:?}: {stderr}");
    stderr
}

/// Exports `model` to ONNX, encodes `data` and runs both in ONNX Runtime: its report.
fn check_in_onnx_runtime(dir: &Path, model: &Path, data: &str) -> serde_json::Value {
    let onnx = dir.join(model.file_stem().unwrap()).with_extension("onnx");
    let feeds = dir.join(model.file_stem().unwrap()).with_extension("feeds.json");
    run_ok(&["export", model.to_str().unwrap(), "--onnx", onnx.to_str().unwrap()]);
    run_ok(&["encode", model.to_str().unwrap(), data, "--out", feeds.to_str().unwrap()]);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/onnx_check.py");
    let out = Command::new(python()).arg(script).arg(&onnx).arg(&feeds).output().expect("python runs");
    assert!(out.status.success(), "ONNX Runtime refused the export: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("the check prints JSON")
}

/// The first `rows` lines of the bundled Adult file (its header included).
fn adult_head(dir: &Path, rows: usize) -> String {
    let adult = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("data/adult.csv")).unwrap();
    let head: Vec<&str> = adult.lines().take(rows + 1).collect();
    write(dir, "adult-head.csv", &(head.join("\n") + "\n"))
}

/// Trains `mode` on `train` with `flags`, exports it and checks it in ONNX Runtime on `scored`.
fn check_mode(dir: &Path, name: &str, mode: &str, train: &str, scored: &str, flags: &[&str]) -> serde_json::Value {
    let model = dir.join(format!("{name}-{mode}.json"));
    let saved = model.to_str().unwrap();
    run_ok(&[&["train", train, "--model", mode, "--epochs", "2", "--quiet", "--save", saved], flags].concat());
    let report = check_in_onnx_runtime(dir, &model, scored);
    let difference = report["max_difference"].as_f64().unwrap();
    assert!(difference < 1e-5, "{name} {mode}: ONNX Runtime's probabilities differ from ours by up to {difference}");
    assert_eq!(report["logit_matches_probability"], true, "{name} {mode}: {report}");
    assert_eq!(report["opset"], serde_json::json!([13]), "{name} {mode}: {report}");
    report
}

fn input_names(report: &serde_json::Value) -> Vec<&str> {
    report["inputs"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect()
}

#[test]
fn every_mode_exported_to_onnx_gives_our_probabilities_in_onnx_runtime() {
    let dir = scratch("onnx");
    let data = write(&dir, "mixed.csv", &mixed(900));
    for mode in ["wide", "deep", "joint"] {
        let flags = ["--label", "bought", "--positive", "yes", "--kind", "tags=multi_categorical", "--cross", "city,kind"];
        let report = check_mode(&dir, "mixed", mode, &data, &data, &flags);
        assert_eq!(report["rows"], 900, "{mode}: {report}");
        let expected: &[&str] = match mode {
            "wide" => &["wide_city", "wide_kind", "wide_tags", "wide_score", "wide_city_x_kind"],
            "deep" => &["deep_city", "deep_kind", "deep_tags", "number_score"],
            _ => &[
                "wide_city",
                "wide_kind",
                "wide_tags",
                "wide_score",
                "wide_city_x_kind",
                "deep_city",
                "deep_kind",
                "deep_tags",
                "number_score",
            ],
        };
        assert_eq!(input_names(&report), expected, "{mode}: inputs per column, in the graph's order");
    }
}

#[test]
fn adult_movielens_and_ids_models_run_in_onnx_runtime_as_ours() {
    let dir = scratch("onnx-data");
    let adult = adult_head(&dir, 3000);
    let movielens = dir.join("movielens.csv");
    run_ok(&["generate", "movielens", "--rows", "4000", "--out", movielens.to_str().unwrap()]);
    let ids = dir.join("ids.csv");
    run_ok(&["generate", "ids", "--users", "800", "--items", "400", "--rows", "4000", "--out", ids.to_str().unwrap()]);
    let (movielens, ids) = (movielens.to_str().unwrap(), ids.to_str().unwrap());
    for mode in ["wide", "deep", "joint"] {
        let report = check_mode(&dir, "adult", mode, "data/adult.csv", &adult, &["--setup", "adult"]);
        assert_eq!(report["rows"], 3000);
        assert!(mode == "deep" || input_names(&report).contains(&"wide_education_x_occupation"), "{report}");
        let report = check_mode(&dir, "movielens", mode, movielens, movielens, &["--setup", "movielens"]);
        assert!(mode == "wide" || input_names(&report).contains(&"deep_genres"), "multi-valued genres: {report}");
        let report = check_mode(&dir, "ids", mode, ids, ids, &["--label", "label"]);
        assert_eq!(report["rows"], 4000);
    }
}

#[test]
fn the_export_names_each_input_and_refuses_a_damaged_model_clearly() {
    let dir = scratch("onnx-doc");
    let data = write(&dir, "mixed.csv", &mixed(300));
    let model = dir.join("joint.json");
    run_ok(&[
        "train",
        &data,
        "--label",
        "bought",
        "--positive",
        "yes",
        "--kind",
        "tags=multi_categorical",
        "--epochs",
        "1",
        "--quiet",
        "--save",
        model.to_str().unwrap(),
    ]);
    let onnx = dir.join("joint.onnx");
    let said = run_ok(&["export", model.to_str().unwrap(), "--onnx", onnx.to_str().unwrap()]);
    assert!(said.contains("ONNX opset 13") && said.contains("outputs logit and probability"), "{said}");
    assert!(said.contains("deep_tags: token ids of tags: [rows, 3] int64, averaged over the real tokens; -1 pads"), "{said}");
    assert!(said.contains("number_score: score standardized"), "{said}");
    let text = std::fs::read_to_string(&model).unwrap().replace("\"hidden.0.bias\"", "\"hidden.0.bias_gone\"");
    let damaged = write(&dir, "damaged.json", &text);
    let out = widedeep(&["export", &damaged, "--onnx", onnx.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && stderr.contains("parameter 'hidden.0.bias' is missing"), "{stderr}");
}

/// Rows a model never saw: unseen and missing values, more tokens than it keeps, unseen tokens,
/// padding, numbers outside the training range or not numbers, quotes and spaces.
const AWKWARD: &str = "city,kind,tags,score,bought
Oslo,a,red|blue,3.25,yes
Atlantis,a,red,1e308,no
Lima,,blue|purple|green|red,-1.7e308,yes
  Pune , b , red | green ,  7.5 ,no
NA,?,,abc,yes
\"Kyiv\",c,\"green|red\",1e5,no
Rome,N/A,null,-0.0,yes
";

/// Asserts that two encodings of the same rows hold the same inputs: ids equal, numbers equal as float32.
fn same_inputs(ours: &[serde_json::Value], theirs: &[serde_json::Value]) {
    let names = |inputs: &[serde_json::Value]| inputs.iter().map(|i| i["name"].as_str().unwrap().to_string()).collect::<Vec<_>>();
    assert_eq!(names(theirs), names(ours));
    for (a, b) in ours.iter().zip(theirs) {
        let name = &a["name"];
        assert_eq!((&a["shape"], &a["dtype"]), (&b["shape"], &b["dtype"]), "{name}");
        let as_f32 = |v: &serde_json::Value| v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap() as f32).collect::<Vec<f32>>();
        if a["dtype"] == "int64" {
            assert_eq!(a["values"], b["values"], "{name}: ids");
        } else {
            assert_eq!(as_f32(&a["values"]), as_f32(&b["values"]), "{name}: numbers");
        }
    }
}

#[test]
fn encode_py_gives_the_inputs_widedeep_encode_gives() {
    let dir = scratch("encode-py");
    let data = write(&dir, "mixed.csv", &mixed(600));
    let awkward = write(&dir, "awkward.csv", AWKWARD);
    let model = dir.join("joint.json");
    let flags =
        ["--label", "bought", "--positive", "yes", "--kind", "tags=multi_categorical", "--cross", "city,kind", "--cross", "city,tags"];
    run_ok(&[&["train", &data, "--epochs", "1", "--quiet", "--save", model.to_str().unwrap()], flags.as_slice()].concat());
    let spec = dir.join("spec.json");
    run_ok(&["export", model.to_str().unwrap(), "--spec", spec.to_str().unwrap()]);
    let (ours, theirs) = (dir.join("ours.json"), dir.join("theirs.json"));
    run_ok(&["encode", model.to_str().unwrap(), &awkward, "--out", ours.to_str().unwrap()]);
    let script = dir.join("encode.py");
    assert!(script.exists(), "export --spec writes encode.py beside the spec");
    let out = Command::new(python()).arg(&script).arg(&spec).arg(&awkward).arg(&theirs).output().expect("python runs");
    assert!(out.status.success(), "encode.py failed: {}", String::from_utf8_lossy(&out.stderr));
    let read = |p: &Path| -> serde_json::Value { serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap() };
    let (ours, theirs) = (read(&ours), read(&theirs));
    assert_eq!(ours["rows"], 7);
    assert_eq!(theirs["rows"], 7);
    let (ours, theirs) = (ours["inputs"].as_array().unwrap(), theirs["inputs"].as_array().unwrap());
    same_inputs(ours, theirs);
    let names: Vec<&str> = ours.iter().map(|i| i["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"wide_city_x_tags") && names.contains(&"deep_tags"));
    let score = ours.iter().find(|i| i["name"] == "number_score").unwrap()["values"].as_array().unwrap().clone();
    assert_eq!((score[1].as_f64().unwrap(), score[2].as_f64().unwrap()), (1e6, -1e6), "far numbers clip at ±1e6");
    assert_eq!(score[4].as_f64().unwrap(), 0.0, "'abc' is not a number: 0");
    // A Windows-1252 file (as spreadsheets save them) reads the same way in both.
    let latin: Vec<u8> = "city,kind,tags,score,bought\nZürich,a,red,2,yes\nOslo,b,blue,1,no\n".chars().map(|c| c as u32 as u8).collect();
    std::fs::write(dir.join("latin.csv"), latin).unwrap();
    let latin = dir.join("latin.csv");
    let (ours_latin, theirs_latin) = (dir.join("ours-latin.json"), dir.join("theirs-latin.json"));
    run_ok(&["encode", model.to_str().unwrap(), latin.to_str().unwrap(), "--out", ours_latin.to_str().unwrap()]);
    let out = Command::new(python()).arg(&script).arg(&spec).arg(&latin).arg(&theirs_latin).output().expect("python runs");
    assert!(out.status.success(), "encode.py on Windows-1252: {}", String::from_utf8_lossy(&out.stderr));
    same_inputs(read(&ours_latin)["inputs"].as_array().unwrap(), read(&theirs_latin)["inputs"].as_array().unwrap());
    let spec_text = std::fs::read_to_string(&spec).unwrap();
    assert!(
        spec_text.contains("\"format\": \"widedeep-encoder-1\"") && spec_text.contains("0xBF58476D1CE4E5B9"),
        "the spec states its hash"
    );
}

/// The Python with torch: `WIDEDEEP_TORCH_PYTHON`, else Debian's (`python3-torch`, installed by
/// `scripts/setup.sh`). Missing is a failure, never a skip.
fn torch_python() -> PathBuf {
    let python = std::env::var_os("WIDEDEEP_TORCH_PYTHON").map_or_else(|| PathBuf::from("/usr/bin/python3"), PathBuf::from);
    let probe = Command::new(&python).args(["-c", "import torch"]).output();
    assert!(probe.is_ok_and(|o| o.status.success()), "{} cannot import torch: run scripts/setup.sh (make test does)", python.display());
    python
}

/// Starts a bundle script with `args` in `bundle` (`env` added), its output piped.
fn bundle_script(bundle: &Path, args: &[&str], env: &[(&str, String)]) -> std::process::Child {
    let mut command = Command::new(torch_python());
    command.current_dir(bundle).args(args).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    for (key, value) in env {
        command.env(key, value);
    }
    command.spawn().expect("python starts")
}

fn finished(child: std::process::Child, what: &str) -> Vec<serde_json::Value> {
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{what} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).expect("JSON lines")).collect()
}

/// Runs `args` in `bundle` as two DDP processes (two "nodes" of one process each, rendezvous on
/// 127.0.0.1, started with the variables torchrun would set); each one's JSON lines.
fn two_ranks(bundle: &Path, args: &[&str]) -> Vec<Vec<serde_json::Value>> {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port().to_string();
    let ranks: Vec<_> = (0..2)
        .map(|rank| {
            let env = [
                ("MASTER_ADDR", "127.0.0.1".into()),
                ("MASTER_PORT", port.clone()),
                ("WORLD_SIZE", "2".into()),
                ("RANK", rank.to_string()),
            ];
            bundle_script(bundle, args, &env)
        })
        .collect();
    ranks.into_iter().map(|r| finished(r, "train.py")).collect()
}

/// The page's PyTorch bundle (the engine's zip, as *Download PyTorch bundle* offers it), unpacked
/// by Python's own `zipfile`, predicts as the model it came from.
#[test]
fn the_pages_zipped_bundle_unpacks_in_python_and_predicts_as_ours() {
    use pollster::block_on;
    use widedeep::model::Mode;
    let dir = scratch("torch-zip");
    let mut engine = widedeep::engine::Engine::new();
    engine.load_csv("mixed.csv", mixed(2000).as_bytes()).unwrap();
    let mut features = widedeep::features::FeatureConfig {
        crosses: vec![vec!["city".into(), "kind".into()]],
        ..widedeep::features::FeatureConfig::for_label("bought")
    };
    features.kinds.insert("tags".into(), widedeep::data::ColumnKind::MultiCategorical);
    let train = widedeep::train::TrainConfig { modes: vec![Mode::Joint], epochs: 1, ..Default::default() };
    let config = widedeep::Config { features, train };
    block_on(engine.configure(config)).unwrap();
    while !block_on(engine.train(64)).unwrap().done {}
    let zip = dir.join("bundle.zip");
    std::fs::write(&zip, block_on(engine.export_torch(Mode::Joint)).unwrap()).unwrap();
    let model = dir.join("m.json");
    std::fs::write(&model, block_on(engine.export_model(Mode::Joint)).unwrap()).unwrap();
    let (rows, feeds) = (write(&dir, "rows.csv", &mixed_rows(2000..2600)), dir.join("feeds.json"));
    run_ok(&["encode", model.to_str().unwrap(), &rows, "--out", feeds.to_str().unwrap()]);
    let unpack = "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])";
    let out = Command::new(torch_python()).args(["-c", unpack, zip.to_str().unwrap(), dir.to_str().unwrap()]).output().unwrap();
    assert!(out.status.success(), "Python's zipfile reads the archive: {}", String::from_utf8_lossy(&out.stderr));
    let report =
        finished(bundle_script(&dir.join("widedeep-joint-torch"), &["predict.py", ".", feeds.to_str().unwrap()], &[]), "predict.py");
    let difference = report[0]["max_difference"].as_f64().unwrap();
    assert!(difference < 1e-5, "PyTorch's probabilities differ from ours by {difference}");
}

/// The AUC `widedeep predict` reports against a labelled file's own labels.
fn our_auc(model: &Path, file: &str) -> f64 {
    let out = widedeep(&["predict", "--model", model.to_str().unwrap(), file]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let at = stderr.find("AUC ").unwrap_or_else(|| panic!("predict reports an AUC: {stderr}"));
    stderr[at + 4..].split(',').next().unwrap().trim().parse().unwrap()
}

#[test]
fn a_pytorch_bundle_predicts_as_ours_trains_on_two_ranks_with_ddp_and_comes_back() {
    let dir = scratch("torch");
    let train = write(&dir, "train.csv", &mixed_rows(0..3000));
    let held_out = write(&dir, "held-out.csv", &mixed_rows(3000..4500));
    let flags = [
        "--label",
        "bought",
        "--positive",
        "yes",
        "--kind",
        "tags=multi_categorical",
        "--cross",
        "city,kind",
        "--model",
        "joint",
        "--quiet",
    ];
    let (model, ours) = (dir.join("m.json"), dir.join("ours.json"));
    run_ok(&[&["train", &train, "--epochs", "1", "--save", model.to_str().unwrap()], flags.as_slice()].concat());
    run_ok(&[&["train", &train, "--epochs", "3", "--save", ours.to_str().unwrap()], flags.as_slice()].concat());
    let bundle = dir.join("bundle");
    run_ok(&["export", model.to_str().unwrap(), "--torch", bundle.to_str().unwrap()]);
    let (train_feeds, test_feeds) = (dir.join("train.json"), dir.join("test.json"));
    run_ok(&["encode", model.to_str().unwrap(), &train, "--out", train_feeds.to_str().unwrap()]);
    run_ok(&["encode", model.to_str().unwrap(), &held_out, "--out", test_feeds.to_str().unwrap()]);
    let (train_feeds, test_feeds) = (train_feeds.to_str().unwrap(), test_feeds.to_str().unwrap());

    // Before any training, PyTorch's model is ours.
    let before = finished(bundle_script(&bundle, &["predict.py", ".", test_feeds], &[]), "predict.py");
    let difference = before[0]["max_difference"].as_f64().unwrap();
    assert!(difference < 1e-5, "PyTorch's probabilities differ from ours by {difference}");

    // Two processes train together.
    let lines = two_ranks(&bundle, &["train.py", ".", "--data", train_feeds, "--test", test_feeds, "--epochs", "2", "--out", "ckpt"]);
    let epochs: Vec<&serde_json::Value> = lines[0].iter().filter(|l| l.get("epoch").is_some()).collect();
    assert_eq!(epochs.len(), 2, "rank 0 reports each epoch: {:?}", lines[0]);
    let loss = |e: &serde_json::Value| e["train_loss"].as_f64().unwrap();
    assert!(loss(epochs[1]) < loss(epochs[0]), "the loss falls: {epochs:?}");
    let checksum = |l: &Vec<serde_json::Value>| l.iter().find_map(|x| x.get("checksum").and_then(|c| c.as_f64())).unwrap();
    assert_eq!(checksum(&lines[0]), checksum(&lines[1]), "both ranks end with the same parameters");
    let (theirs, ours_auc) = (epochs[1]["test_auc"].as_f64().unwrap(), our_auc(&ours, &held_out));
    assert!((theirs - ours_auc).abs() < 0.01, "1 + 2 epochs in PyTorch: AUC {theirs}; 3 epochs here: {ours_auc}");

    // Back: the checkpoint as a saved model scores as PyTorch does.
    let trained = dir.join("trained.json");
    let checkpoint = bundle.join("ckpt/last.safetensors");
    run_ok(&["import", checkpoint.to_str().unwrap(), "--model", model.to_str().unwrap(), "--out", trained.to_str().unwrap()]);
    let after_feeds = dir.join("after.json");
    run_ok(&["encode", trained.to_str().unwrap(), &held_out, "--out", after_feeds.to_str().unwrap()]);
    let args = ["predict.py", ".", after_feeds.to_str().unwrap(), "--checkpoint", "ckpt/last.safetensors"];
    let after = finished(bundle_script(&bundle, &args, &[]), "predict.py");
    let difference = after[0]["max_difference"].as_f64().unwrap();
    assert!(difference < 1e-5, "the imported checkpoint scores {difference} away from PyTorch");
    assert!((our_auc(&trained, &held_out) - theirs).abs() < 1e-3, "the imported model's AUC is PyTorch's");

    // Feeds of another model's encoder: refused by name, not scored.
    let (other_model, other_feeds) = (dir.join("other-for-feeds.json"), dir.join("other-feeds.json"));
    run_ok(&[
        "train",
        &train,
        "--label",
        "bought",
        "--positive",
        "yes",
        "--epochs",
        "1",
        "--seed",
        "5",
        "--quiet",
        "--save",
        other_model.to_str().unwrap(),
    ]);
    run_ok(&["encode", other_model.to_str().unwrap(), &held_out, "--out", other_feeds.to_str().unwrap()]);
    let out = bundle_script(&bundle, &["predict.py", ".", other_feeds.to_str().unwrap()], &[]).wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && stderr.contains("was encoded for another model"), "{stderr}");

    // Bad checkpoints: a clear error, and nothing written.
    let cut = std::fs::read(&checkpoint).unwrap();
    let truncated = dir.join("cut.safetensors");
    std::fs::write(&truncated, &cut[..cut.len() / 2]).unwrap();
    let other = dir.join("other.json");
    run_ok(&["train", &train, "--label", "bought", "--positive", "yes", "--epochs", "1", "--quiet", "--save", other.to_str().unwrap()]);
    let refused = dir.join("refused.json");
    for (model, message) in [(&model, "not a safetensors checkpoint, or a damaged one"), (&other, "it is not of this model")] {
        let file = if message.contains("damaged") { &truncated } else { &checkpoint };
        let out = widedeep(&["import", file.to_str().unwrap(), "--model", model.to_str().unwrap(), "--out", refused.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && stderr.contains(message), "{stderr}");
        assert!(!refused.exists(), "a refused checkpoint writes nothing");
    }
}

#[test]
fn shards_encoded_in_parts_train_on_two_ranks_and_a_foreign_shard_is_refused() {
    let dir = scratch("shards");
    let train = write(&dir, "train.csv", &mixed_rows(0..2000));
    let flags = ["--label", "bought", "--positive", "yes", "--kind", "tags=multi_categorical", "--cross", "city,kind", "--quiet"];
    let (model, other) = (dir.join("m.json"), dir.join("other.json"));
    run_ok(&[&["train", &train, "--epochs", "1", "--save", model.to_str().unwrap()], flags.as_slice()].concat());
    run_ok(&["train", &train, "--label", "bought", "--positive", "yes", "--epochs", "1", "--quiet", "--save", other.to_str().unwrap()]);
    let bundle = dir.join("bundle");
    run_ok(&["export", model.to_str().unwrap(), "--torch", bundle.to_str().unwrap()]);
    // Two machines, each encoding its own half of the file with the same model.
    let shards = dir.join("shards");
    for part in ["0/2", "1/2"] {
        run_ok(&["encode", model.to_str().unwrap(), &train, "--out", shards.to_str().unwrap(), "--shard-rows", "300", "--part", part]);
    }
    let manifest: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(shards.join("manifest-1-of-2.json")).unwrap()).unwrap();
    let rows: Vec<u64> = manifest["shards"].as_array().unwrap().iter().map(|s| s[1].as_u64().unwrap()).collect();
    assert_eq!(rows, [300, 300, 300, 100], "rows 1000..2000 in shards of 300");
    assert_eq!(manifest["targets"], true);
    let lines =
        two_ranks(&bundle, &["train.py", ".", "--data", shards.to_str().unwrap(), "--epochs", "3", "--lr", "0.01", "--out", "ckpt"]);
    let losses: Vec<f64> = lines[0].iter().filter_map(|l| l.get("train_loss").and_then(|v| v.as_f64())).collect();
    assert!(losses.len() == 3 && losses[2] < losses[0], "the loss falls: {losses:?}");
    let checksum = |l: &Vec<serde_json::Value>| l.iter().find_map(|x| x.get("checksum").and_then(|c| c.as_f64())).unwrap();
    assert_eq!(checksum(&lines[0]), checksum(&lines[1]), "both ranks end with the same parameters");
    // Shards of another model's encoder: a clear refusal.
    let foreign = dir.join("foreign");
    run_ok(&["encode", other.to_str().unwrap(), &train, "--out", foreign.to_str().unwrap(), "--shard-rows", "500"]);
    let out =
        bundle_script(&bundle, &["train.py", ".", "--data", foreign.to_str().unwrap(), "--out", "x"], &[]).wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && stderr.contains("its shards were encoded for another model"), "{stderr}");
    let bad = widedeep(&["encode", model.to_str().unwrap(), &train, "--out", "x", "--shard-rows", "10", "--part", "2/2"]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--part 2/2: write I/N with 0 <= I < N"));
}

/// A regression leaves as ONNX too: its second output is the number in the label's units
/// (`mean + sd · logit`, the scale in the graph's metadata), as ONNX Runtime computes it.
#[test]
fn a_regression_exported_to_onnx_predicts_our_numbers_in_onnx_runtime() {
    let dir = scratch("onnx-regression");
    let mut csv = Vec::new();
    widedeep::synth::prices(1500, 3, &mut csv).unwrap();
    let data = write(&dir, "homes.csv", std::str::from_utf8(&csv).unwrap());
    for mode in ["wide", "joint"] {
        let model = dir.join(format!("homes-{mode}.json"));
        let saved = model.to_str().unwrap();
        run_ok(&["train", &data, "--model", mode, "--epochs", "2", "--cross", "neighbourhood,kind", "--quiet", "--save", saved]);
        let report = check_in_onnx_runtime(&dir, &model, &data);
        assert_eq!(report["outputs"], serde_json::json!(["logit", "prediction"]), "{report}");
        let (difference, largest) = (report["max_difference"].as_f64().unwrap(), report["largest"].as_f64().unwrap());
        assert!(largest > 100.0 && difference < 1e-6 * largest, "{mode}: {difference} off on numbers up to {largest}");
        assert_eq!(report["logit_matches_probability"], true, "{mode}: the prediction is mean + sd · logit: {report}");
    }
}

/// A multiclass model leaves as ONNX: `[rows, classes]` logits and their softmax, each class's
/// probability as ONNX Runtime computes it within 1e-5 of ours, for every mode.
#[test]
fn a_multiclass_model_exported_to_onnx_gives_our_class_probabilities_in_onnx_runtime() {
    let dir = scratch("onnx-multiclass");
    let mut csv = Vec::new();
    widedeep::synth::readers(1500, 3, &mut csv).unwrap();
    let data = write(&dir, "readers.csv", std::str::from_utf8(&csv).unwrap());
    for mode in ["wide", "deep", "joint"] {
        let model = dir.join(format!("readers-{mode}.json"));
        let saved = model.to_str().unwrap();
        run_ok(&[
            "train",
            &data,
            "--label",
            "genre",
            "--model",
            mode,
            "--epochs",
            "2",
            "--cross",
            "city,shelf",
            "--quiet",
            "--save",
            saved,
        ]);
        let report = check_in_onnx_runtime(&dir, &model, &data);
        assert_eq!(report["outputs"], serde_json::json!(["logit", "probability"]), "{report}");
        assert_eq!(report["shape"], serde_json::json!([1500, 4]), "{mode}: a probability per class: {report}");
        let difference = report["max_difference"].as_f64().unwrap();
        assert!(difference < 1e-5, "{mode}: ONNX Runtime's class probabilities differ from ours by up to {difference}");
        assert_eq!(report["logit_matches_probability"], true, "{mode}: the probabilities are softmax(logit): {report}");
    }
}

/// A regression and a multiclass model leave as PyTorch bundles too: before training PyTorch
/// predicts what we predict (numbers in the label's units; each class's probability), it trains
/// with the task's loss (its test R² or accuracy reported), and its checkpoint comes back as a
/// saved model that scores as PyTorch does.
#[test]
fn regression_and_multiclass_bundles_predict_as_ours_train_in_pytorch_and_come_back() {
    let dir = scratch("torch-tasks");
    let (mut homes, mut readers) = (Vec::new(), Vec::new());
    widedeep::synth::prices(2000, 4, &mut homes).unwrap();
    widedeep::synth::readers(2000, 4, &mut readers).unwrap();
    let cases = [
        ("homes", write(&dir, "homes.csv", std::str::from_utf8(&homes).unwrap()), ["--cross", "neighbourhood,kind"], "test_r2", 0.8),
        ("readers", write(&dir, "readers.csv", std::str::from_utf8(&readers).unwrap()), ["--label", "genre"], "test_accuracy", 0.5),
    ];
    for (name, data, flags, figure, at_least) in cases {
        let model = dir.join(format!("{name}.json"));
        run_ok(
            &[
                &["train", &data, "--model", "joint", "--epochs", "2", "--lr", "0.01", "--quiet", "--save", model.to_str().unwrap()],
                &flags[..],
            ]
            .concat(),
        );
        let bundle = dir.join(format!("{name}-bundle"));
        run_ok(&["export", model.to_str().unwrap(), "--torch", bundle.to_str().unwrap()]);
        let feeds = dir.join(format!("{name}-feeds.json"));
        run_ok(&["encode", model.to_str().unwrap(), &data, "--out", feeds.to_str().unwrap()]);
        let feeds = feeds.to_str().unwrap();
        let before = finished(bundle_script(&bundle, &["predict.py", ".", feeds], &[]), "predict.py");
        let largest = before[0]["predictions"].as_array().unwrap().iter().map(|p| p.as_f64().unwrap().abs()).fold(1.0, f64::max);
        let difference = before[0]["max_difference"].as_f64().unwrap();
        assert!(difference < 1e-5 * largest, "{name}: PyTorch's predictions differ from ours by {difference} (largest {largest})");
        let args = ["train.py", ".", "--data", feeds, "--test", feeds, "--epochs", "2", "--lr", "0.01", "--out", "ckpt"];
        let lines = finished(bundle_script(&bundle, &args, &[]), "train.py");
        let last = lines.iter().rfind(|l| l.get("epoch").is_some()).expect("an epoch line");
        assert!(last[figure].as_f64().unwrap() > at_least, "{name}: PyTorch trained with the task's loss: {last}");
        let trained = dir.join(format!("{name}-trained.json"));
        let checkpoint = bundle.join("ckpt/last.safetensors");
        run_ok(&["import", checkpoint.to_str().unwrap(), "--model", model.to_str().unwrap(), "--out", trained.to_str().unwrap()]);
        let after_feeds = dir.join(format!("{name}-after.json"));
        run_ok(&["encode", trained.to_str().unwrap(), &data, "--out", after_feeds.to_str().unwrap()]);
        let args = ["predict.py", ".", after_feeds.to_str().unwrap(), "--checkpoint", "ckpt/last.safetensors"];
        let after = finished(bundle_script(&bundle, &args, &[]), "predict.py");
        let difference = after[0]["max_difference"].as_f64().unwrap();
        assert!(difference < 1e-5 * largest, "{name}: the imported checkpoint scores {difference} away from PyTorch");
    }
}
