//! The `widedeep` command line, run as a user would.
#![cfg(not(target_family = "wasm"))]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn widedeep(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_widedeep")).args(args).output().expect("the binary runs")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("widedeep-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

fn sample(rows: usize) -> String {
    let mut text = String::from("city;kind;score;bought\n");
    for i in 0..rows {
        let city = ["Oslo", "Lima", "Pune", "Kyiv"][i % 4];
        let kind = ["a", "b", "c"][(i / 4) % 3];
        let bought = if (city == "Oslo") ^ (kind == "c") { "yes" } else { "no" };
        text.push_str(&format!("{city};{kind};{}.5;{bought}\n", i % 17));
    }
    text
}

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
    let cases = [
        ("empty.csv", "", "the file is empty"),
        ("header.csv", "a,b\n", "header line but no data rows"),
        ("ragged.csv", "a,b,c\n1,2,3\n4,5\n", "row 2 (line 3): expected 3 fields like the header, found 2"),
        ("multi.csv", "x,y\n1,a\n2,b\n3,c\n", "label column 'y': it has 3 distinct values"),
    ];
    for (name, text, message) in cases {
        let file = write(&dir, name, text);
        let out = widedeep(&["train", &file, "--label", "y", "--quiet"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{name} should fail");
        assert!(stderr.contains(message), "{name}: {stderr}");
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
    }
    let file = write(&dir, "utf8.csv", "");
    std::fs::write(&file, b"a,y\n1,0\n\xff,1\n").unwrap();
    let stderr = String::from_utf8_lossy(&widedeep(&["inspect", &file]).stderr).into_owned();
    assert!(stderr.contains("row 2 (line 3), column 'a': the text is not valid UTF-8"), "{stderr}");
    let good = write(&dir, "good.csv", &sample(50));
    let stderr = String::from_utf8_lossy(&widedeep(&["train", &good, "--cross", "city,nowhere", "--quiet"]).stderr).into_owned();
    assert!(stderr.contains("unknown column 'nowhere'"), "{stderr}");
    let stderr = String::from_utf8_lossy(&widedeep(&["train", &good, "--plot", "x.gif", "--quiet"]).stderr).into_owned();
    assert!(stderr.contains("use a .svg or .png file name"), "{stderr}");
}
