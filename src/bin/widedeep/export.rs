//! `widedeep export` and `widedeep encode`: a saved model as ONNX for serving, and a CSV's rows
//! as that model's inputs (to feed it, or to check a serving stack against this tool).

use burn::tensor::Device;
use std::path::{Path, PathBuf};

use widedeep::export::{
    ENCODE_PY, EncoderSpec, Manifest, OPSET, SHARDS_FORMAT, encode_feeds, fingerprint, import_checkpoint, part_rows, shard, to_onnx,
    torch_bundle,
};
use widedeep::model::SavedModel;

use crate::args::{EncodeArgs, ExportArgs, ImportArgs};

/// A saved model's file: at most this many bytes (the largest model the CLI trains, in JSON text).
const MAX_MODEL_BYTES: u64 = 24 * widedeep::limits::MAX_PARAMETERS + (64 << 20);

pub fn read_model(path: &Path) -> Result<SavedModel, String> {
    let bytes = crate::read_file(path, MAX_MODEL_BYTES)?;
    let text = String::from_utf8(bytes).map_err(|_| format!("{}: not a widedeep model file (not UTF-8 text)", path.display()))?;
    SavedModel::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))
}

pub fn run(args: &ExportArgs) -> Result<(), String> {
    let saved = read_model(&args.model)?;
    let failed = |e: widedeep::Error| format!("{}: {e}", args.model.display());
    // Everything is made before anything is written, and written all or nothing.
    let mut files: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    let mut said = Vec::new();
    if let Some(path) = &args.onnx {
        let (bytes, inputs) = to_onnx(&saved).map_err(failed)?;
        said.push(format!(
            "wrote {} ({} bytes, ONNX opset {OPSET}): the {} model; outputs logit and probability [rows]; inputs:",
            path.display(),
            bytes.len(),
            saved.model.mode.name()
        ));
        said.extend(inputs.iter().map(|i| format!("  {}: {}", crate::printable(&i.name), crate::printable(&i.doc()))));
        files.push((path.clone(), bytes));
    }
    if let Some(dir) = &args.torch {
        let bundle = torch_bundle(&saved).map_err(failed)?;
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        said.push(format!("wrote the PyTorch bundle to {} ({} files): see its README.md", dir.display(), bundle.len()));
        files.extend(bundle.into_iter().map(|(name, bytes)| (dir.join(name), bytes)));
    }
    if let Some(path) = &args.spec {
        let script = path.with_file_name("encode.py");
        said.push(format!(
            "wrote {} (the encoder spec) and {} (python encode.py SPEC DATA.csv OUT.json)",
            path.display(),
            script.display()
        ));
        files.push((path.clone(), EncoderSpec::new(&saved).to_json().into_bytes()));
        files.push((script, ENCODE_PY.as_bytes().to_vec()));
    }
    crate::write_all(&files)?;
    said.iter().for_each(|line| eprintln!("{line}"));
    Ok(())
}

pub fn encode(args: &EncodeArgs) -> Result<(), String> {
    let same = |a: &Path, b: &Path| a.canonicalize().ok().is_some_and(|a| b.canonicalize().ok() == Some(a));
    if same(&args.out, &args.file) || same(&args.out, &args.model) {
        return Err(format!("--out {}: that is an input of this command; write elsewhere", args.out.display()));
    }
    let saved = read_model(&args.model)?;
    let table = crate::load(&args.file)?;
    if let Some(rows) = args.shard_rows {
        return encode_shards(args, &saved, &table, rows);
    }
    let feeds = pollster::block_on(encode_feeds(&saved, &table, &Device::flex())).map_err(|e| format!("{}: {e}", args.file.display()))?;
    let text = serde_json::to_string(&feeds).map_err(|e| format!("cannot write the inputs: {e}"))?;
    std::fs::write(&args.out, text).map_err(|e| format!("cannot write {}: {e}", args.out.display()))?;
    eprintln!("wrote {}: {} rows as {} inputs", args.out.display(), feeds.rows, feeds.inputs.len());
    Ok(())
}

pub fn import(args: &ImportArgs) -> Result<(), String> {
    let saved = read_model(&args.model)?;
    // A checkpoint of this model holds its parameters as float32 and a header: no larger.
    let parameters: u64 = saved.parameters.tensors.iter().map(|t| t.values.len() as u64).sum();
    let bytes = crate::read_file(&args.checkpoint, 4 * parameters + (16 << 20))?;
    let trained = import_checkpoint(&saved, &bytes).map_err(|e| format!("{}: {e}", args.checkpoint.display()))?;
    std::fs::write(&args.out, trained.to_json()).map_err(|e| format!("cannot write {}: {e}", args.out.display()))?;
    eprintln!("wrote {}: the {} model with the checkpoint's parameters", args.out.display(), trained.model.mode.name());
    Ok(())
}

/// `encode --shard-rows`: this part's rows in shards, then its manifest.
fn encode_shards(args: &EncodeArgs, saved: &SavedModel, table: &widedeep::data::Table, per_shard: usize) -> Result<(), String> {
    let part = match &args.part {
        Some(text) => parse_part(text)?,
        None => [0, 1],
    };
    if per_shard == 0 {
        return Err("--shard-rows: a shard holds at least 1 row".into());
    }
    std::fs::create_dir_all(&args.out).map_err(|e| format!("cannot create {}: {e}", args.out.display()))?;
    let rows: Vec<usize> = part_rows(table.rows(), part).collect();
    let mut manifest = Manifest { format: SHARDS_FORMAT.into(), encoder: fingerprint(saved), part, shards: Vec::new(), targets: true };
    for (k, chunk) in rows.chunks(per_shard).enumerate() {
        let (bytes, labelled) = shard(saved, table, chunk).map_err(|e| format!("{}: {e}", args.file.display()))?;
        let name = format!("part-{}-of-{}-shard-{k:05}.safetensors", part[0], part[1]);
        std::fs::write(args.out.join(&name), bytes).map_err(|e| format!("cannot write {name}: {e}"))?;
        manifest.targets &= labelled;
        manifest.shards.push((name, chunk.len()));
    }
    let path = args.out.join(format!("manifest-{}-of-{}.json", part[0], part[1]));
    let text = serde_json::to_string_pretty(&manifest).expect("a manifest always serializes");
    std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    eprintln!("wrote {} rows in {} shards and {}", rows.len(), manifest.shards.len(), path.display());
    Ok(())
}

/// `I/N` with 0 <= I < N.
fn parse_part(text: &str) -> Result<[usize; 2], String> {
    let bad = || format!("--part {text}: write I/N with 0 <= I < N, like 0/4");
    let (i, n) = text.split_once('/').ok_or_else(bad)?;
    let (i, n) = (i.trim().parse::<usize>().map_err(|_| bad())?, n.trim().parse::<usize>().map_err(|_| bad())?);
    if i >= n { Err(bad()) } else { Ok([i, n]) }
}
