//! Hostile input at the command line, as a hostile user tried it: every crafted file, flag and
//! model file gives a clear error or a right answer, never a hang, a panic or an abort.
#![cfg(not(target_family = "wasm"))]

#[path = "common/cli.rs"]
mod common;
use common::{fails_with, sample, scratch, widedeep, write};

fn json(path: &std::path::Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn a_diverging_learning_rate_stops_with_a_clear_error() {
    // It once printed epoch 1 and then spun forever in the AUC of NaN scores.
    let args = ["train", "data/adult.csv", "--optimizer", "sgd", "--lr", "10", "--epochs", "3", "--quiet"];
    fails_with(&args, "training diverged; lower the learning rate (now 10) (--lr)");
    let stderr = String::from_utf8_lossy(&widedeep(&args).stderr).into_owned();
    assert!(
        stderr.contains("error: the loss became NaN at epoch") || stderr.contains("error: the loss became infinite at epoch"),
        "{stderr}"
    );
}

#[test]
fn huge_numbers_train_to_finite_metrics() {
    let dir = scratch("huge");
    let huge = |(i, line): (usize, &str)| -> String {
        let mut fields: Vec<&str> = line.split(';').collect();
        if i > 0 && i % 50 == 0 {
            fields[2] = if i % 100 == 0 { "1e308" } else { "-1.7e308" };
        }
        fields.join(";") + "\n"
    };
    let text: String = sample(600).lines().enumerate().map(huge).collect();
    assert_eq!(text.matches("e308;").count(), 12, "the file holds huge numbers");
    let file = write(&dir, "huge.csv", &text);
    let report = dir.join("r.json");
    let out = widedeep(&["train", &file, "--epochs", "2", "--model", "all", "--quiet", "--json", report.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for model in json(&report)["models"].as_array().unwrap() {
        let last = &model["epochs"][1];
        assert!(last["test_auc"].as_f64().unwrap() > 0.6 && last["test_loss"].as_f64().unwrap().is_finite(), "{model}");
    }
}

#[test]
fn a_tampered_model_file_is_refused_when_loaded() {
    let dir = scratch("tampered");
    let (file, model) = (write(&dir, "s.csv", &sample(300)), dir.join("m.json"));
    let out = widedeep(&["train", &file, "--cross", "city,kind", "--epochs", "1", "--quiet", "--save", model.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let saved = json(&model);
    let fields = saved["encoder"]["fields"].as_array().unwrap();
    let numeric = fields.iter().position(|f| f["encoding"]["type"] == "numeric").expect("score is numeric");
    let tamper = |name: &str, change: &dyn Fn(&mut serde_json::Value), message: &str| {
        let mut bad = saved.clone();
        change(&mut bad);
        let path = write(&dir, name, &bad.to_string());
        fails_with(&["predict", "--model", &path, &file], message);
    };
    tamper("std0.json", &|m| m["encoder"]["fields"][numeric]["encoding"]["std"] = 0.0.into(), "column 'score': its mean");
    tamper(
        "cross.json",
        &|m| m["encoder"]["crosses"][0]["fields"] = serde_json::json!([0, 999]),
        "the cross city x kind names fields [0, 999]",
    );
    tamper(
        "tokens.json",
        &|m| m["encoder"]["fields"][0]["encoding"] = serde_json::json!({"type": "tokens", "tokens": [], "max_tokens": 10_000_000}),
        "it keeps 10000000 tokens per cell; the limit is 1 to 1024",
    );
    tamper("buckets.json", &|m| m["encoder"]["hash_buckets"] = 4_294_967_295u64.into(), "1 crosses of 4294967295 hash buckets");
}

#[test]
fn sizes_are_checked_before_anything_is_allocated() {
    let dir = scratch("sizes");
    let file = write(&dir, "s.csv", &sample(100));
    let train = |extra: &[&str], message: &str| fails_with(&[&["train", &file, "--quiet"], extra].concat(), message);
    train(&["--hidden", "100000,100000"], "the joint model would have 1000");
    train(&["--hidden", "100000,100000"], "over the limit of 536870912 here; the largest, 'hidden.1.weight', is 100000 × 100000");
    train(
        &["--hash-buckets", "4000000000", "--cross", "city,kind"],
        "the number of hash buckets is 4000000000, over the limit of 16777216",
    );
    train(&["--hash-buckets", "4000000000"], "the number of hash buckets is 4000000000, over the limit of 16777216");
    train(&["--batch", "1000000"], "the batch size is 1000000, over the limit of 65536");
    fails_with(
        &["generate", "ids", "--users", "0", "--rows", "10"],
        "--users and --items must be between 1 and 100000000, got 0 and 50000",
    );
}

#[test]
fn the_same_cross_named_again_is_trained_once() {
    let dir = scratch("crosses");
    let file = write(&dir, "s.csv", &sample(200));
    let wide_ids = |crosses: &[&str]| {
        let report = dir.join("r.json");
        let mut args = vec!["train", &file, "--epochs", "1", "--quiet", "--json", report.to_str().unwrap()];
        crosses.iter().for_each(|c| args.extend(["--cross", c]));
        assert!(widedeep(&args).status.success());
        json(&report)["dataset"]["wide_ids"].as_u64().unwrap()
    };
    let once = wide_ids(&["city,kind"]);
    assert_eq!(wide_ids(&["city,kind", "kind,city", "city, kind"]), once);
    assert!(once > wide_ids(&[]) + 999, "one cross adds its 1,000 buckets");
}

#[test]
fn a_quote_left_open_is_named_wherever_it_is() {
    let dir = scratch("quote");
    let mut text = String::from("a,b,label\n1,x,yes\n2,y,no\n3,z,\"yes\n");
    text.extend((0..5000).map(|i| format!("{i},w,no\n")));
    let file = write(&dir, "open.csv", &text);
    let message = "line 4: row 3, column 'label': a quote opens here and is never closed, so the rest of the file would be one value";
    fails_with(&["inspect", &file], message);
    fails_with(&["train", &file, "--quiet"], message);
}

#[test]
fn a_nul_byte_is_refused_with_its_line() {
    let dir = scratch("nul");
    let file = write(&dir, "nul.csv", "a,label\n1,yes\n2,n\0o\n");
    fails_with(&["inspect", &file], "line 3: a NUL byte (\\0): this is not a text file, or it is damaged");
}

#[test]
fn scored_files_are_safe_to_open_in_a_spreadsheet() {
    let dir = scratch("formula");
    let (file, model) = (write(&dir, "s.csv", &sample(200)), dir.join("m.json"));
    assert!(widedeep(&["train", &file, "--epochs", "1", "--quiet", "--save", model.to_str().unwrap()]).status.success());
    let hostile = write(&dir, "h.csv", "city;kind;score\n=HYPERLINK(\"http://x\");a;-3\n@SUM(A1);\t=1+2;+2\n");
    let out = dir.join("scored.csv");
    let run = widedeep(&["predict", "--model", model.to_str().unwrap(), &hostile, "--out", out.to_str().unwrap()]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let scored = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = scored.lines().collect();
    assert!(lines[1].starts_with("\"'=HYPERLINK(\"\"http://x\"\")\";a;-3;"), "{scored}");
    assert!(lines[2].starts_with("'@SUM(A1);'=1+2;+2;"), "{scored}");
}

#[test]
fn scoring_numbers_far_outside_the_training_range_clips_them_with_a_note() {
    let dir = scratch("clip");
    let (file, model) = (write(&dir, "s.csv", &sample(200)), dir.join("m.json"));
    assert!(widedeep(&["train", &file, "--epochs", "1", "--quiet", "--save", model.to_str().unwrap()]).status.success());
    let far = write(&dir, "far.csv", "city;kind;score\nOslo;a;1e308\nLima;b;-1.7e308\nPune;c;3.5\n");
    let run = widedeep(&["predict", "--model", model.to_str().unwrap(), &far]);
    let (stdout, stderr) = (String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));
    assert!(run.status.success(), "{stderr}");
    assert!(
        stderr.contains("note: 2 numbers lay more than 1e6 standard deviations from the training data's mean and were clipped to it"),
        "{stderr}"
    );
    let probabilities: Vec<f64> = stdout.lines().skip(1).map(|l| l.rsplit(';').next().unwrap().parse().unwrap()).collect();
    assert!(probabilities.len() == 3 && probabilities.iter().all(|p| (0.0..=1.0).contains(p)), "{stdout}");
    let near = write(&dir, "near.csv", "city;kind;score\nPune;c;3.5\n");
    let quiet = widedeep(&["predict", "--model", model.to_str().unwrap(), &near]);
    assert!(!String::from_utf8_lossy(&quiet.stderr).contains("clipped"), "no note when nothing is clipped");
}

#[test]
fn terminal_output_escapes_control_characters() {
    let dir = scratch("ansi");
    let file = write(&dir, "ansi.csv", "\x1b[31mred\x1b[0m,label\nx\x1b]0;owned\x07,yes\ny,no\nx,no\n");
    let out = widedeep(&["inspect", &file]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && !stdout.contains('\x1b') && !stdout.contains('\x07'), "{stdout:?}");
    assert!(stdout.contains("\\u{1b}[31mred"), "{stdout}");
}

#[test]
fn a_column_name_with_a_comma_can_be_named_in_flags() {
    let dir = scratch("comma");
    let text = sample(200).replacen("city;", "city, state;", 1);
    let (file, report) = (write(&dir, "c.csv", &text), dir.join("r.json"));
    let args = ["train", &file, "--epochs", "1", "--quiet", "--role", "\"city, state\"=wide,kind=deep", "--cross", "\"city, state\",kind"];
    let out = widedeep(&[&args[..], &["--json", report.to_str().unwrap()]].concat());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let config = &json(&report)["config"]["features"];
    assert_eq!(config["roles"], serde_json::json!({"city, state": "wide", "kind": "deep"}));
    assert_eq!(config["crosses"], serde_json::json!([["city, state", "kind"]]));
}

#[test]
fn labels_that_cannot_train_say_why() {
    let dir = scratch("labels");
    let single = write(&dir, "one.csv", "x,label\n1,yes\n2,yes\n3,yes\n");
    fails_with(&["train", &single, "--quiet"], "column 'label' looks like the label but has a single value 'yes': nothing to learn");
    // One positive among 200 rows: in the last (test) rows, the training rows hold none.
    let rows = |positive_at: usize| {
        let body: String = (0..200).map(|i| format!("{},{}\n", ["a", "b"][i % 2], u8::from(i == positive_at))).collect();
        format!("x,label\n{body}")
    };
    let late = write(&dir, "late.csv", &rows(199));
    fails_with(
        &["train", &late, "--split", "ordered", "--quiet"],
        "label column 'label': the training rows hold no positive row of label = 1: nothing to learn it from",
    );
    let early = write(&dir, "early.csv", &rows(0));
    let out = widedeep(&["train", &early, "--split", "ordered", "--epochs", "1", "--quiet"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("warning: the training rows hold 1 positive row of label = 1: the metrics say little"), "{stderr}");
    assert!(stderr.contains("warning: the test rows hold 0 positive rows of label = 1"), "{stderr}");
}

#[test]
fn a_zip_bomb_is_refused_before_it_is_inflated() {
    let dir = scratch("bomb");
    // One stored entry whose directory claims 1 GB: nothing is inflated or allocated for it.
    let mut archive = common::zip(&[("data.csv", b"a,label\n1,yes\n2,no\n")]);
    let central = archive.windows(4).position(|w| w == 0x0201_4b50u32.to_le_bytes()).unwrap();
    archive[central + 24..central + 28].copy_from_slice(&1_000_000_000u32.to_le_bytes());
    let path = dir.join("bomb.zip");
    std::fs::write(&path, archive).unwrap();
    fails_with(&["inspect", path.to_str().unwrap()], "'data.csv' in the zip archive claims to inflate 19 bytes to 1000000000");
}

#[test]
fn exports_are_all_or_nothing_and_read_only_regular_files() {
    let dir = scratch("export-hostile");
    let (file, model) = (write(&dir, "s.csv", &sample(300)), dir.join("m.json"));
    assert!(widedeep(&["train", &file, "--epochs", "1", "--quiet", "--save", model.to_str().unwrap()]).status.success());
    let kept = write(&dir, "kept.onnx", "the user's own file");
    // A bundle that cannot be written leaves the ONNX file the user had as it was.
    let out = widedeep(&["export", model.to_str().unwrap(), "--onnx", &kept, "--torch", "/proc/no-such-bundle"]);
    assert!(!out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read_to_string(&kept).unwrap(), "the user's own file");
    // A tampered model with a parameter twice is refused when read, before anything is written.
    let text = std::fs::read_to_string(&model).unwrap();
    let saved: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut doubled = saved.clone();
    let first = doubled["parameters"]["tensors"][0].clone();
    doubled["parameters"]["tensors"].as_array_mut().unwrap().push(first);
    let tampered = write(&dir, "doubled.json", &doubled.to_string());
    fails_with(&["export", &tampered, "--onnx", &kept, "--torch", dir.join("b").to_str().unwrap()], "appears twice");
    assert_eq!(std::fs::read_to_string(&kept).unwrap(), "the user's own file");
    // Endless inputs are refused by what they are, not read until memory runs out.
    fails_with(&["export", "/dev/zero", "--onnx", &kept], "/dev/zero is not a regular file");
    fails_with(&["import", "/dev/zero", "--model", model.to_str().unwrap(), "--out", &kept], "/dev/zero is not a regular file");
    fails_with(&["encode", model.to_str().unwrap(), "/dev/zero", "--out", &kept], "/dev/zero is not a regular file");
    fails_with(&["inspect", "/dev/zero"], "/dev/zero is not a regular file");
    fails_with(&["encode", model.to_str().unwrap(), &file, "--out", &file], "that is an input of this command");
    assert!(std::fs::read_to_string(&file).unwrap().starts_with("city;kind"), "the data is untouched");
}

#[test]
fn sweeps_and_training_flags_are_bounded_and_named() {
    let dir = scratch("sweep-hostile");
    let file = write(&dir, "s.csv", &sample(300));
    let sweep = |more: &[&str], message: &str| fails_with(&[&["sweep", &file, "--epochs", "1"], more].concat(), message);
    sweep(&["--vary", "lr=0.01,0.1", "--seeds", "0"], "--seeds 0: give 1 to 20 seeds per variant");
    sweep(&["--vary", "lr=0.01,0.1", "--seeds", "100000"], "--seeds 100000: give 1 to 20 seeds per variant");
    sweep(&["--vary", "lr=0.01", "--vary", "lr=0.1"], "lr is varied twice");
    sweep(&["--vary", "lr=0.01,0.1", "--validation-fraction", "0"], "--validation-fraction 0: a sweep ranks by validation AUC");
    fails_with(&["train", &file, "--class-weight", "1e308:1e-308"], "--class-weight: invalid setting: class weights '1e308:1e-308'");
    fails_with(&["train", &file, "--validation-fraction", "0.9"], "--validation-fraction 0.9: give a share of at least 0 and below 0.5");
    fails_with(&["train", &file, "--fit", dir.join("missing/c.svg").to_str().unwrap()], "the folder");
    // A picture that cannot be written after training keeps the trained model.
    let model = dir.join("m.json");
    let out = widedeep(&["train", &file, "--epochs", "1", "--quiet", "--save", model.to_str().unwrap(), "--fit", "/proc/c.svg"]);
    assert!(!out.status.success() && model.exists(), "the model is saved before the picture fails");
}
