//! Reading `.zip` archives as published data comes (MovieLens and many others), in pure Rust so
//! it works in the browser too: the central directory, stored and deflated entries (inflated by
//! `miniz_oxide`), each checked against its CRC-32 so a cut-short download is an error, not a
//! silently shorter table.

use crate::{Error, Result};

const LOCAL: u32 = 0x0403_4b50;
const CENTRAL: u32 = 0x0201_4b50;
const END: u32 = 0x0605_4b50;
/// The end record is 22 bytes plus a comment of at most 65,535.
const END_SEARCH: usize = 22 + 65_535;

/// One file of an archive (or one file given directly).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedBytes {
    /// Its name, with any folders (`ml-1m/ratings.dat`).
    pub name: String,
    /// Its contents.
    pub bytes: Vec<u8>,
}

impl NamedBytes {
    /// A file from its name and contents.
    pub fn new(name: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        Self { name: name.into(), bytes: bytes.into() }
    }

    /// The name without folders, lower-cased: what layouts are recognised by.
    pub fn base_name(&self) -> String {
        self.name.rsplit(['/', '\\']).next().unwrap_or(&self.name).to_ascii_lowercase()
    }
}

/// Whether `bytes` look like a zip archive (a local file header, or an empty archive's end record).
pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06")
}

fn archive_error(problem: impl Into<String>) -> Error {
    Error::Archive(problem.into())
}

fn u16_at(bytes: &[u8], at: usize) -> Result<u16> {
    bytes.get(at..at + 2).map(|b| u16::from_le_bytes([b[0], b[1]])).ok_or_else(cut_short)
}

fn u32_at(bytes: &[u8], at: usize) -> Result<u32> {
    bytes.get(at..at + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]])).ok_or_else(cut_short)
}

fn cut_short() -> Error {
    archive_error("the zip archive is cut short (an incomplete download?): its directory points past its end")
}

/// Every file in the archive (folders and macOS resource forks left out), in directory order.
pub fn unzip(bytes: &[u8]) -> Result<Vec<NamedBytes>> {
    let search = bytes.len().saturating_sub(END_SEARCH);
    let end = (search..bytes.len().saturating_sub(21))
        .rev()
        .find(|&at| u32_at(bytes, at).ok() == Some(END))
        .ok_or_else(|| archive_error("the zip archive is incomplete: its directory at the end is missing (an incomplete download?)"))?;
    let count = u16_at(bytes, end + 10)? as usize;
    let mut at = u32_at(bytes, end + 16)? as usize;
    let mut files = Vec::with_capacity(count);
    for _ in 0..count {
        if u32_at(bytes, at)? != CENTRAL {
            return Err(cut_short());
        }
        let (flags, method, crc) = (u16_at(bytes, at + 8)?, u16_at(bytes, at + 10)?, u32_at(bytes, at + 16)?);
        let (packed, size) = (u32_at(bytes, at + 20)? as usize, u32_at(bytes, at + 24)? as usize);
        let (name_len, extra_len, comment_len) =
            (u16_at(bytes, at + 28)? as usize, u16_at(bytes, at + 30)? as usize, u16_at(bytes, at + 32)? as usize);
        let local = u32_at(bytes, at + 42)? as usize;
        let name_bytes = bytes.get(at + 46..at + 46 + name_len).ok_or_else(cut_short)?;
        let name = String::from_utf8(name_bytes.to_vec()).unwrap_or_else(|_| super::text::windows_1252(name_bytes));
        at += 46 + name_len + extra_len + comment_len;
        if name.ends_with('/') || name.starts_with("__MACOSX/") || name.rsplit('/').next().is_some_and(|b| b.starts_with("._")) {
            continue;
        }
        if flags & 1 == 1 {
            return Err(archive_error(format!("'{name}' in the zip archive is encrypted")));
        }
        if packed == u32::MAX as usize || size == u32::MAX as usize {
            return Err(archive_error(format!("'{name}' needs ZIP64, which is not supported: unzip it and load the files")));
        }
        if u32_at(bytes, local)? != LOCAL {
            return Err(cut_short());
        }
        let start = local + 30 + u16_at(bytes, local + 26)? as usize + u16_at(bytes, local + 28)? as usize;
        let data = bytes.get(start..start + packed).ok_or_else(cut_short)?;
        let contents = match method {
            0 => data.to_vec(),
            8 => miniz_oxide::inflate::decompress_to_vec_with_limit(data, size).map_err(|e| {
                archive_error(format!("'{name}' in the zip archive cannot be inflated ({:?}): is the download complete?", e.status))
            })?,
            other => {
                return Err(archive_error(format!("'{name}' is compressed with method {other}; only stored and deflated files are read")));
            }
        };
        if contents.len() != size || crc32fast::hash(&contents) != crc {
            return Err(archive_error(format!(
                "'{name}' in the zip archive is damaged: its checksum does not match (an incomplete download?)"
            )));
        }
        files.push(NamedBytes { name, bytes: contents });
    }
    Ok(files)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A zip archive of `files`, deflated (level 6) or stored: what the tests build their
    /// archives with, in the published format.
    pub(crate) fn zip(files: &[(&str, &[u8])], deflate: bool) -> Vec<u8> {
        let (mut out, mut directory) = (Vec::new(), Vec::new());
        for (name, contents) in files {
            let packed = if deflate { miniz_oxide::deflate::compress_to_vec(contents, 6) } else { contents.to_vec() };
            let (method, crc) = (if deflate { 8u16 } else { 0 }, crc32fast::hash(contents));
            let offset = out.len() as u32;
            let header = |signature: u32, central: bool| {
                let mut h = signature.to_le_bytes().to_vec();
                if central {
                    h.extend(20u16.to_le_bytes());
                }
                h.extend(20u16.to_le_bytes());
                h.extend(0u16.to_le_bytes());
                h.extend(method.to_le_bytes());
                h.extend([0u8; 4]);
                h.extend(crc.to_le_bytes());
                h.extend((packed.len() as u32).to_le_bytes());
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
            out.extend(header(LOCAL, false));
            out.extend(&packed);
            directory.extend(header(CENTRAL, true));
        }
        let (start, size) = (out.len() as u32, directory.len() as u32);
        out.extend(directory);
        out.extend(END.to_le_bytes());
        out.extend([0u8; 4]);
        out.extend((files.len() as u16).to_le_bytes());
        out.extend((files.len() as u16).to_le_bytes());
        out.extend(size.to_le_bytes());
        out.extend(start.to_le_bytes());
        out.extend(0u16.to_le_bytes());
        out
    }

    #[test]
    fn stored_and_deflated_files_come_back_byte_for_byte() {
        let text: Vec<u8> = (0..5000).flat_map(|i| format!("{i}::row\n").into_bytes()).collect();
        for deflate in [false, true] {
            let archive =
                zip(&[("ml-1m/", b""), ("ml-1m/ratings.dat", &text), ("__MACOSX/._x", b"junk"), ("ml-1m/README", b"hi")], deflate);
            assert!(is_zip(&archive));
            let files = unzip(&archive).unwrap();
            assert_eq!(files.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(), ["ml-1m/ratings.dat", "ml-1m/README"]);
            assert_eq!(files[0].bytes, text);
            assert_eq!(files[0].base_name(), "ratings.dat");
        }
    }

    #[test]
    fn a_cut_short_or_damaged_archive_is_a_clear_error() {
        let archive = zip(&[("u.data", b"1\t2\t3\t4\n")], true);
        let cut = unzip(&archive[..archive.len() - 30]).unwrap_err();
        assert_eq!(cut.kind(), "archive");
        assert!(cut.to_string().contains("incomplete download"), "{cut}");
        let mut damaged = archive.clone();
        damaged[40] ^= 0xFF;
        let error = unzip(&damaged).unwrap_err().to_string();
        assert!(error.contains("'u.data'") && (error.contains("damaged") || error.contains("cannot be inflated")), "{error}");
        assert!(!is_zip(b"a,b\n1,2\n"));
    }
}
