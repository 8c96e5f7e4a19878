//! Running the `widedeep` binary as a user would, for the command-line test crates.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn widedeep(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_widedeep")).args(args).output().expect("the binary runs")
}

/// Checks that `widedeep args` fails without a panic and says `message`.
pub fn fails_with(args: &[&str], message: &str) {
    let out = widedeep(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && !stderr.contains("panicked"), "{args:?} should fail cleanly: {stderr}");
    assert!(stderr.contains(message), "{args:?}: {stderr}");
}

/// A fresh folder for one test's files.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("widedeep-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes `text` to `dir/name` and returns its path as a string for the command line.
pub fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

/// A small learnable file: `bought` is city Oslo XOR kind c.
pub fn sample(rows: usize) -> String {
    let mut text = String::from("city;kind;score;bought\n");
    for i in 0..rows {
        let city = ["Oslo", "Lima", "Pune", "Kyiv"][i % 4];
        let kind = ["a", "b", "c"][(i / 4) % 3];
        let bought = if (city == "Oslo") ^ (kind == "c") { "yes" } else { "no" };
        text.push_str(&format!("{city};{kind};{}.5;{bought}\n", i % 17));
    }
    text
}

/// A zip archive of `files`, stored (not compressed), as the published format lays it out: local
/// headers with the data, then the central directory and its end record.
pub fn zip(files: &[(&str, &[u8])]) -> Vec<u8> {
    let (mut out, mut directory) = (Vec::new(), Vec::new());
    for (name, contents) in files {
        let offset = out.len() as u32;
        let header = |signature: u32, central: bool| {
            let mut h = signature.to_le_bytes().to_vec();
            h.extend(if central { [20u8, 0, 20, 0, 0, 0, 0, 0].as_slice() } else { [20u8, 0, 0, 0, 0, 0].as_slice() });
            h.extend([0u8; 4]);
            h.extend(crc32(contents).to_le_bytes());
            h.extend((contents.len() as u32).to_le_bytes());
            h.extend((contents.len() as u32).to_le_bytes());
            h.extend((name.len() as u16).to_le_bytes());
            h.extend(0u16.to_le_bytes());
            if central {
                h.extend([0u8; 10]);
                h.extend(offset.to_le_bytes());
            }
            h.extend(name.as_bytes());
            h
        };
        out.extend(header(0x0403_4b50, false));
        out.extend(*contents);
        directory.extend(header(0x0201_4b50, true));
    }
    let (start, size, count) = (out.len() as u32, directory.len() as u32, files.len() as u16);
    out.extend(directory);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0u8; 4]);
    out.extend(count.to_le_bytes());
    out.extend(count.to_le_bytes());
    out.extend(size.to_le_bytes());
    out.extend(start.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

/// CRC-32 (IEEE), bit by bit: what a zip entry's checksum is.
fn crc32(bytes: &[u8]) -> u32 {
    !bytes.iter().fold(!0u32, |crc, &b| (0..8).fold(crc ^ b as u32, |c, _| if c & 1 == 1 { (c >> 1) ^ 0xEDB8_8320 } else { c >> 1 }))
}
