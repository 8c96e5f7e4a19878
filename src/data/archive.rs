//! Reading `.zip` archives as published data comes (MovieLens and many others), in pure Rust so
//! it works in the browser too: the central directory, stored and deflated entries (inflated by
//! `miniz_oxide`), each checked against its CRC-32 so a cut-short download is an error, not a
//! silently shorter table.

use crate::{Error, Result, limits};

const LOCAL: u32 = 0x0403_4b50;
const CENTRAL: u32 = 0x0201_4b50;
const END: u32 = 0x0605_4b50;
const ZIP64_END: u32 = 0x0606_4b50;
const ZIP64_LOCATOR: u32 = 0x0706_4b50;
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

/// The `N` bytes at `at`, or the archive is cut short (offsets come from the file: no overflow).
fn bytes_at<const N: usize>(bytes: &[u8], at: usize) -> Result<[u8; N]> {
    at.checked_add(N).and_then(|end| bytes.get(at..end)).map(|b| b.try_into().expect("N bytes")).ok_or_else(cut_short)
}

fn u16_at(bytes: &[u8], at: usize) -> Result<u16> {
    bytes_at(bytes, at).map(u16::from_le_bytes)
}

fn u32_at(bytes: &[u8], at: usize) -> Result<u32> {
    bytes_at(bytes, at).map(u32::from_le_bytes)
}

fn u64_at(bytes: &[u8], at: usize) -> Result<u64> {
    bytes_at(bytes, at).map(u64::from_le_bytes)
}

fn cut_short() -> Error {
    archive_error("the zip archive is cut short (an incomplete download?): its directory points past its end")
}

/// Every file in the archive (folders and macOS resource forks left out), in directory order.
///
/// Hostile archives are refused before anything is inflated: what the entries declare together
/// must stay within [`limits::MAX_INFLATED_BYTES`], each within [`limits::MAX_INFLATE_RATIO`] of
/// its compressed size, and no two entries may share bytes (the classic bombs: one small stream
/// inflating to gigabytes, or many directory entries pointing at the same one). ZIP64 archives
/// (files or archives over 4 GiB, or written by tools that always use it) are read.
pub fn unzip(bytes: &[u8]) -> Result<Vec<NamedBytes>> {
    let entries = directory(bytes)?;
    check_sizes(&entries)?;
    entries.into_iter().map(|entry| entry.inflate(bytes)).collect()
}

/// `files` as a zip archive, each deflated (or stored where deflating saves little), named in UTF-8 and dated 1980-01-01 (the same model
/// gives the same bytes): what the page offers as one download of several files (a PyTorch
/// bundle). Files or an archive of 4 GiB or more would need ZIP64, which this writer refuses.
pub fn zip(files: &[NamedBytes]) -> Result<Vec<u8>> {
    let (mut out, mut directory) = (Vec::new(), Vec::new());
    for file in files {
        // Deflated where that saves a tenth; stored otherwise (a model's float weights barely shrink).
        let deflated = miniz_oxide::deflate::compress_to_vec(&file.bytes, 6);
        let (method, packed) = if deflated.len() * 10 < file.bytes.len() * 9 { (8u16, deflated) } else { (0, file.bytes.clone()) };
        let fits =
            |n: usize| u32::try_from(n).map_err(|_| Error::Limit(format!("'{}' is too large for a zip archive without ZIP64", file.name)));
        let (size, packed_size, offset, name) = (fits(file.bytes.len())?, fits(packed.len())?, fits(out.len())?, file.name.as_bytes());
        let name_len =
            u16::try_from(name.len()).map_err(|_| Error::Limit(format!("the name '{}' is too long for a zip archive", file.name)))?;
        // Version 2.0, UTF-8 names (bit 11), the method, 00:00 on 1980-01-01, then the sizes.
        let common = |head: &mut Vec<u8>| {
            for half in [20u16, 1 << 11, method, 0, 0x21] {
                head.extend(half.to_le_bytes());
            }
            for word in [crc32fast::hash(&file.bytes), packed_size, size] {
                head.extend(word.to_le_bytes());
            }
            head.extend(name_len.to_le_bytes());
            head.extend(0u16.to_le_bytes());
        };
        out.extend(LOCAL.to_le_bytes());
        common(&mut out);
        out.extend(name);
        out.extend(&packed);
        directory.extend(CENTRAL.to_le_bytes());
        directory.extend(20u16.to_le_bytes());
        common(&mut directory);
        // No comment, disk 0, no internal or external attributes, then where the local header lies.
        directory.extend([0u8; 6]);
        directory.extend(0u32.to_le_bytes());
        directory.extend(offset.to_le_bytes());
        directory.extend(name);
    }
    let count = u16::try_from(files.len()).map_err(|_| Error::Limit("too many files for a zip archive without ZIP64".into()))?;
    let at = u32::try_from(out.len()).map_err(|_| Error::Limit("the zip archive is too large without ZIP64".into()))?;
    let directory_size =
        u32::try_from(directory.len()).map_err(|_| Error::Limit("the zip archive's directory is too large without ZIP64".into()))?;
    out.extend(directory);
    out.extend(END.to_le_bytes());
    out.extend([0u8; 4]);
    out.extend(count.to_le_bytes());
    out.extend(count.to_le_bytes());
    out.extend(directory_size.to_le_bytes());
    out.extend(at.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    Ok(out)
}

/// One file as the central directory describes it, its data located in the archive.
struct Entry {
    name: String,
    method: u16,
    crc: u32,
    /// Where its compressed bytes lie.
    data: std::ops::Range<usize>,
    /// What it says it inflates to.
    size: u64,
}

impl Entry {
    fn inflate(self, bytes: &[u8]) -> Result<NamedBytes> {
        let name = self.name;
        let data = &bytes[self.data];
        let contents = match self.method {
            0 => data.to_vec(),
            8 => miniz_oxide::inflate::decompress_to_vec_with_limit(data, self.size as usize).map_err(|e| {
                archive_error(format!("'{name}' in the zip archive cannot be inflated ({:?}): is the download complete?", e.status))
            })?,
            other => {
                return Err(archive_error(format!("'{name}' is compressed with method {other}; only stored and deflated files are read")));
            }
        };
        if contents.len() as u64 != self.size || crc32fast::hash(&contents) != self.crc {
            return Err(archive_error(format!(
                "'{name}' in the zip archive is damaged: its checksum does not match (an incomplete download?)"
            )));
        }
        Ok(NamedBytes { name, bytes: contents })
    }
}

/// The entries of the central directory, with their data located and bounds-checked.
fn directory(bytes: &[u8]) -> Result<Vec<Entry>> {
    let search = bytes.len().saturating_sub(END_SEARCH);
    let end = (search..bytes.len().saturating_sub(21))
        .rev()
        .find(|&at| u32_at(bytes, at).ok() == Some(END))
        .ok_or_else(|| archive_error("the zip archive is incomplete: its directory at the end is missing (an incomplete download?)"))?;
    let (count, mut at) = match (u16_at(bytes, end + 10)?, u32_at(bytes, end + 16)?) {
        (0xFFFF, _) | (_, u32::MAX) => zip64_directory(bytes, end)?,
        (count, offset) => (count as u64, offset as usize),
    };
    // A directory entry takes at least 46 bytes: a count beyond that is a lie, not a capacity.
    let mut entries = Vec::with_capacity((count as usize).min(bytes.len() / 46));
    for _ in 0..count {
        if u32_at(bytes, at)? != CENTRAL {
            return Err(cut_short());
        }
        let (flags, method, crc) = (u16_at(bytes, at + 8)?, u16_at(bytes, at + 10)?, u32_at(bytes, at + 16)?);
        let (name_len, extra_len, comment_len) =
            (u16_at(bytes, at + 28)? as usize, u16_at(bytes, at + 30)? as usize, u16_at(bytes, at + 32)? as usize);
        let name_bytes = bytes.get(at + 46..at + 46 + name_len).ok_or_else(cut_short)?;
        let name = String::from_utf8(name_bytes.to_vec()).unwrap_or_else(|_| super::text::windows_1252(name_bytes));
        let extra = bytes.get(at + 46 + name_len..at + 46 + name_len + extra_len).ok_or_else(cut_short)?;
        let sizes = Sizes::read(bytes, at, extra)?;
        at += 46 + name_len + extra_len + comment_len;
        if name.ends_with('/') || name.starts_with("__MACOSX/") || name.rsplit('/').next().is_some_and(|b| b.starts_with("._")) {
            continue;
        }
        if flags & 1 == 1 {
            return Err(archive_error(format!("'{name}' in the zip archive is encrypted")));
        }
        let local = usize::try_from(sizes.local).map_err(|_| cut_short())?;
        if u32_at(bytes, local)? != LOCAL {
            return Err(cut_short());
        }
        let start = local + 30 + u16_at(bytes, local + 26)? as usize + u16_at(bytes, local + 28)? as usize;
        let end = usize::try_from(sizes.packed).ok().and_then(|packed| start.checked_add(packed)).filter(|&end| end <= bytes.len());
        let data = start..end.ok_or_else(cut_short)?;
        entries.push(Entry { name, method, crc, data, size: sizes.size });
    }
    Ok(entries)
}

/// ZIP64's entry count and directory offset, from the record its locator (just before the end
/// record) points at.
fn zip64_directory(bytes: &[u8], end: usize) -> Result<(u64, usize)> {
    let locator = end.checked_sub(20).filter(|&at| u32_at(bytes, at).ok() == Some(ZIP64_LOCATOR)).ok_or_else(cut_short)?;
    let record = usize::try_from(u64_at(bytes, locator + 8)?).map_err(|_| cut_short())?;
    if u32_at(bytes, record)? != ZIP64_END {
        return Err(cut_short());
    }
    let offset = usize::try_from(u64_at(bytes, record + 48)?).map_err(|_| cut_short())?;
    Ok((u64_at(bytes, record + 32)?, offset))
}

/// An entry's sizes and local header offset: from its directory record, or, where that says
/// 0xFFFFFFFF, from its ZIP64 extra field (which holds just those, in this order).
struct Sizes {
    size: u64,
    packed: u64,
    local: u64,
}

impl Sizes {
    fn read(bytes: &[u8], at: usize, extra: &[u8]) -> Result<Self> {
        let (packed, size, local) = (u32_at(bytes, at + 20)?, u32_at(bytes, at + 24)?, u32_at(bytes, at + 42)?);
        let mut wide = zip64_extra(extra).into_iter();
        let mut field = |value: u32| match value {
            u32::MAX => wide.next().ok_or_else(cut_short),
            value => Ok(value as u64),
        };
        Ok(Self { size: field(size)?, packed: field(packed)?, local: field(local)? })
    }
}

/// The 64-bit values of a ZIP64 extra field (header id 1), if the extra data holds one.
fn zip64_extra(mut extra: &[u8]) -> Vec<u64> {
    while extra.len() >= 4 {
        let (id, len) = (u16::from_le_bytes([extra[0], extra[1]]), u16::from_le_bytes([extra[2], extra[3]]) as usize);
        let Some(body) = extra.get(4..4 + len) else { break };
        if id == 1 {
            return body.chunks_exact(8).map(|b| u64::from_le_bytes(b.try_into().expect("chunks of 8"))).collect();
        }
        extra = &extra[4 + len..];
    }
    Vec::new()
}

/// Refuses a bomb before inflating anything: more declared bytes than the budget, an entry past
/// the largest ratio deflate can reach, or entries sharing compressed bytes.
fn check_sizes(entries: &[Entry]) -> Result<()> {
    let declared = entries.iter().fold(0u64, |sum, e| sum.saturating_add(e.size));
    if declared > limits::MAX_INFLATED_BYTES {
        return Err(archive_error(format!(
            "the zip archive would inflate to {declared} bytes, over the limit of {} bytes",
            limits::MAX_INFLATED_BYTES
        )));
    }
    for entry in entries {
        let packed = entry.data.len() as u64;
        if entry.size > packed.max(1).saturating_mul(limits::MAX_INFLATE_RATIO) || (entry.method == 0 && entry.size != packed) {
            return Err(archive_error(format!(
                "'{}' in the zip archive claims to inflate {packed} bytes to {}, past the ratio of {}:1 real data reaches: a zip bomb?",
                entry.name,
                entry.size,
                limits::MAX_INFLATE_RATIO
            )));
        }
    }
    let mut ranges: Vec<(&std::ops::Range<usize>, &str)> = entries.iter().map(|e| (&e.data, e.name.as_str())).collect();
    ranges.sort_by_key(|(range, _)| (range.start, range.end));
    match ranges.windows(2).find(|pair| pair[1].0.start < pair[0].0.end.max(pair[0].0.start + 1)) {
        Some(pair) => Err(archive_error(format!(
            "'{}' and '{}' in the zip archive share the same compressed bytes: a zip bomb, or a damaged archive",
            pair[0].1, pair[1].1
        ))),
        None => Ok(()),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A zip archive of `files`, deflated (level 6) or stored: what the tests build their
    /// archives with, in the published format.
    pub(crate) fn zip(files: &[(&str, &[u8])], deflate: bool) -> Vec<u8> {
        build(&files.iter().map(|(name, contents)| Raw::new(name, contents, deflate)).collect::<Vec<_>>(), false)
    }

    /// One entry as a test writes it: the compressed bytes and what the directory declares.
    pub(crate) struct Raw {
        name: String,
        packed: Vec<u8>,
        method: u16,
        crc: u32,
        size: u64,
        /// Points this directory entry at an earlier entry's local header instead of its own.
        same_as: Option<usize>,
    }

    impl Raw {
        fn new(name: &str, contents: &[u8], deflate: bool) -> Self {
            let packed = if deflate { miniz_oxide::deflate::compress_to_vec(contents, 6) } else { contents.to_vec() };
            let method = if deflate { 8 } else { 0 };
            Self { name: name.into(), packed, method, crc: crc32fast::hash(contents), size: contents.len() as u64, same_as: None }
        }
    }

    /// The archive of `entries`; with `zip64`, every size and offset goes in ZIP64 extra fields
    /// and the directory is found through a ZIP64 end record, as tools that always use it write.
    fn build(entries: &[Raw], zip64: bool) -> Vec<u8> {
        let (mut out, mut directory, mut offsets) = (Vec::new(), Vec::new(), Vec::new());
        for entry in entries {
            let offset = entry.same_as.map_or(out.len() as u64, |i| offsets[i]);
            let wide = [entry.size, entry.packed.len() as u64, offset];
            let extra: Vec<u8> = if zip64 {
                [1u16.to_le_bytes(), 24u16.to_le_bytes()].concat().into_iter().chain(wide.iter().flat_map(|v| v.to_le_bytes())).collect()
            } else {
                Vec::new()
            };
            let narrow = |v: u64| if zip64 { u32::MAX } else { v as u32 };
            let header = |signature: u32, central: bool| {
                let mut h = signature.to_le_bytes().to_vec();
                if central {
                    h.extend(45u16.to_le_bytes());
                }
                h.extend(45u16.to_le_bytes());
                h.extend(0u16.to_le_bytes());
                h.extend(entry.method.to_le_bytes());
                h.extend([0u8; 4]);
                h.extend(entry.crc.to_le_bytes());
                h.extend(narrow(entry.packed.len() as u64).to_le_bytes());
                h.extend(narrow(entry.size).to_le_bytes());
                h.extend((entry.name.len() as u16).to_le_bytes());
                h.extend((extra.len() as u16).to_le_bytes());
                if central {
                    h.extend([0u8; 10]);
                    h.extend(narrow(offset).to_le_bytes());
                }
                h.extend(entry.name.as_bytes());
                h.extend(&extra);
                h
            };
            offsets.push(offset);
            if entry.same_as.is_none() {
                out.extend(header(LOCAL, false));
                out.extend(&entry.packed);
            }
            directory.extend(header(CENTRAL, true));
        }
        let (start, size, count) = (out.len() as u64, directory.len() as u64, entries.len() as u64);
        out.extend(directory);
        if zip64 {
            let record = out.len() as u64;
            out.extend(ZIP64_END.to_le_bytes());
            out.extend(44u64.to_le_bytes());
            out.extend([45u8, 0, 45, 0]);
            out.extend([0u8; 8]);
            out.extend(count.to_le_bytes());
            out.extend(count.to_le_bytes());
            out.extend(size.to_le_bytes());
            out.extend(start.to_le_bytes());
            out.extend(ZIP64_LOCATOR.to_le_bytes());
            out.extend(0u32.to_le_bytes());
            out.extend(record.to_le_bytes());
            out.extend(1u32.to_le_bytes());
        }
        let narrow16 = |v: u64| if zip64 { u16::MAX } else { v as u16 };
        let narrow32 = |v: u64| if zip64 { u32::MAX } else { v as u32 };
        out.extend(END.to_le_bytes());
        out.extend([0u8; 4]);
        out.extend(narrow16(count).to_le_bytes());
        out.extend(narrow16(count).to_le_bytes());
        out.extend(narrow32(size).to_le_bytes());
        out.extend(narrow32(start).to_le_bytes());
        out.extend(0u16.to_le_bytes());
        out
    }

    #[test]
    fn what_the_writer_zips_reads_back_name_for_name_and_byte_for_byte() {
        let files =
            [NamedBytes::new("bundle/model.py", "import torch\n".repeat(100)), NamedBytes::new("données é.json", vec![7u8; 10_000])];
        let archive = super::zip(&files).unwrap();
        assert!(is_zip(&archive));
        assert!(archive.len() < 2_000, "deflated: {} bytes", archive.len());
        assert_eq!(unzip(&archive).unwrap(), files);
        assert_eq!(super::zip(&files).unwrap(), archive, "the same files, the same bytes");
        assert_eq!(unzip(&super::zip(&[]).unwrap()).unwrap(), []);
    }

    #[test]
    fn zip64_archives_are_read() {
        let text: Vec<u8> = (0..3000).flat_map(|i| format!("{i},x\n").into_bytes()).collect();
        let entries = [Raw::new("data/a.csv", &text, true), Raw::new("b.txt", b"hello", false)];
        let files = unzip(&build(&entries, true)).unwrap();
        assert_eq!(files.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(), ["data/a.csv", "b.txt"]);
        assert_eq!((files[0].bytes.as_slice(), files[1].bytes.as_slice()), (text.as_slice(), b"hello".as_slice()));
    }

    #[test]
    fn a_bomb_is_refused_before_it_is_inflated() {
        // 10 KB of deflated zeros claiming to be 1 GB: past the ratio deflate can reach.
        let mut bomb = Raw::new("zeros.csv", &vec![0u8; 10_000_000], true);
        bomb.size = 1 << 30;
        let error = unzip(&build(&[bomb], false)).unwrap_err();
        assert_eq!(error.kind(), "archive");
        assert!(error.to_string().starts_with("'zeros.csv' in the zip archive claims to inflate"), "{error}");
        assert!(error.to_string().ends_with("past the ratio of 1100:1 real data reaches: a zip bomb?"), "{error}");
        // Entries each within the ratio but together past the budget (their bytes need not
        // even be valid: nothing is inflated).
        let per = limits::MAX_INFLATED_BYTES / 2 + 1;
        let big = |i: usize| Raw {
            name: format!("part{i}.csv"),
            packed: vec![0; (per / 1000) as usize],
            method: 8,
            crc: 0,
            size: per,
            same_as: None,
        };
        let error = unzip(&build(&[big(1), big(2)], true)).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!("the zip archive would inflate to {} bytes, over the limit of {} bytes", 2 * per, limits::MAX_INFLATED_BYTES)
        );
        // A stored entry inflates to exactly its own bytes.
        let mut stored = Raw::new("s.csv", b"a,b\n1,2\n", false);
        stored.size = 1000;
        assert!(unzip(&build(&[stored], false)).unwrap_err().to_string().contains("claims to inflate 8 bytes to 1000"));
    }

    #[test]
    fn entries_sharing_bytes_are_refused() {
        let text: Vec<u8> = (0..20_000).flat_map(|i| format!("{i}\n").into_bytes()).collect();
        let mut entries: Vec<Raw> = vec![Raw::new("one.csv", &text, true)];
        for i in 0..15 {
            entries.push(Raw { same_as: Some(0), ..Raw::new(&format!("copy{i}.csv"), &text, true) });
        }
        let error = unzip(&build(&entries, false)).unwrap_err();
        assert_eq!(error.kind(), "archive");
        assert!(error.to_string().contains("share the same compressed bytes"), "{error}");
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
