//! Text encodings: files arrive as UTF-8 (with or without a byte-order mark), as UTF-16 with a
//! byte-order mark (spreadsheet exports), or as Latin-1 / Windows-1252 (MovieLens titles, older
//! exports). Everything becomes UTF-8 before parsing, and a file that was not UTF-8 says so.

use std::borrow::Cow;
use std::io::{self, Read};

/// Windows-1252's characters for bytes 0x80–0x9F (where Latin-1 has control codes); the other
/// bytes map to the code point of the same number. Undefined bytes keep their Latin-1 meaning.
const CP1252_HIGH: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž', '\u{8F}', '\u{90}', '‘', '’', '“', '”', '•', '–',
    '—', '˜', '™', 'š', '›', 'œ', '\u{9D}', 'ž', 'Ÿ',
];

/// How a file's bytes were read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charset {
    /// UTF-8 (a byte-order mark, if any, dropped).
    Utf8,
    /// UTF-16, little-endian, by its byte-order mark.
    Utf16Le,
    /// UTF-16, big-endian, by its byte-order mark.
    Utf16Be,
    /// Not valid UTF-8: read as Windows-1252 (Latin-1 plus typographic characters).
    Windows1252,
}

impl Charset {
    /// A note for the user when the file was not plain UTF-8.
    pub fn note(self) -> Option<String> {
        match self {
            Self::Utf8 => None,
            Self::Utf16Le | Self::Utf16Be => Some("the file is UTF-16 (it starts with a byte-order mark): read as such".into()),
            Self::Windows1252 => Some("the file is not valid UTF-8: read as Latin-1 / Windows-1252, as older exports are".into()),
        }
    }
}

/// The text of `bytes` as UTF-8, and the encoding it was read in.
pub fn decode(bytes: &[u8]) -> (Cow<'_, str>, Charset) {
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return (Cow::Owned(utf16(rest, u16::from_le_bytes)), Charset::Utf16Le);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return (Cow::Owned(utf16(rest, u16::from_be_bytes)), Charset::Utf16Be);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => (Cow::Borrowed(text), Charset::Utf8),
        Err(_) => (Cow::Owned(windows_1252(bytes)), Charset::Windows1252),
    }
}

/// A file's text as UTF-8, read from `source` in pieces as the parser asks for it, and the
/// encoding its byte-order mark names: UTF-16 is transcoded on the way, a UTF-8 mark dropped.
/// Anything else passes through as [`Charset::Utf8`]: whether it is really Windows-1252 shows
/// only in a field that is not UTF-8, so the parser decides that (a whole file is never held to
/// check it first).
pub(crate) fn open<'a>(mut source: impl Read + 'a) -> io::Result<(Box<dyn Read + 'a>, Charset)> {
    let mut mark = Vec::with_capacity(3);
    source.by_ref().take(3).read_to_end(&mut mark)?;
    let (charset, unit): (Charset, fn([u8; 2]) -> u16) = match mark.as_slice() {
        [0xFF, 0xFE, ..] => (Charset::Utf16Le, u16::from_le_bytes),
        [0xFE, 0xFF, ..] => (Charset::Utf16Be, u16::from_be_bytes),
        [0xEF, 0xBB, 0xBF] => return Ok((Box::new(source), Charset::Utf8)),
        _ => return Ok((Box::new(io::Cursor::new(mark).chain(source)), Charset::Utf8)),
    };
    let rest = io::Cursor::new(mark[2..].to_vec()).chain(source);
    Ok((Box::new(Utf16 { source: rest, unit, odd: None, high: None, text: Vec::new(), at: 0 }), charset))
}

/// UTF-16 read in pieces and handed on as UTF-8. A code unit or a surrogate pair cut between two
/// pieces waits for the next; the end of the file settles them as [`utf16`] does.
struct Utf16<R> {
    source: R,
    unit: fn([u8; 2]) -> u16,
    /// A byte whose pair is in the next piece.
    odd: Option<u8>,
    /// A high surrogate whose low half is in the next piece.
    high: Option<u16>,
    /// Transcoded text not yet handed on, from `at`.
    text: Vec<u8>,
    at: usize,
}

impl<R: Read> Utf16<R> {
    /// Transcodes the next piece into `text`; false at the end of the file.
    fn refill(&mut self) -> io::Result<bool> {
        let mut piece = [0u8; 1 << 14];
        let read = self.source.read(&mut piece)?;
        self.text.clear();
        self.at = 0;
        if read == 0 {
            // The end: an unpaired high surrogate becomes U+FFFD, a trailing odd byte is dropped.
            if self.high.take().is_some() {
                self.text.extend_from_slice("\u{FFFD}".as_bytes());
            }
            return Ok(!self.text.is_empty());
        }
        let mut bytes: Vec<u8> = self.odd.take().into_iter().chain(piece[..read].iter().copied()).collect();
        if bytes.len() % 2 == 1 {
            self.odd = bytes.pop();
        }
        let mut units: Vec<u16> = self.high.take().into_iter().chain(bytes.chunks_exact(2).map(|p| (self.unit)([p[0], p[1]]))).collect();
        if units.last().is_some_and(|u| (0xD800..0xDC00).contains(u)) {
            self.high = units.pop();
        }
        let text: String = char::decode_utf16(units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)).collect();
        self.text.extend_from_slice(text.as_bytes());
        Ok(true)
    }
}

impl<R: Read> Read for Utf16<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at == self.text.len() {
            if !self.refill()? {
                return Ok(0);
            }
        }
        let n = buf.len().min(self.text.len() - self.at);
        buf[..n].copy_from_slice(&self.text[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// Windows-1252 bytes as text.
pub fn windows_1252(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| if (0x80..0xA0).contains(&b) { CP1252_HIGH[(b - 0x80) as usize] } else { b as char }).collect()
}

/// UTF-16 code units as text; an unpaired surrogate becomes U+FFFD, a trailing odd byte is dropped.
fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> String {
    let units = bytes.chunks_exact(2).map(|pair| unit([pair[0], pair[1]]));
    char::decode_utf16(units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_passes_through_without_a_note() {
        let (text, encoding) = decode("\u{feff}naïve,東京\n".as_bytes());
        assert_eq!((text.as_ref(), encoding), ("naïve,東京\n", Charset::Utf8));
        assert_eq!(encoding.note(), None);
    }

    #[test]
    fn latin1_and_windows_1252_bytes_are_read_as_such() {
        // "Café (1995)" in Latin-1, a Windows-1252 euro sign and curly quotes.
        let (text, encoding) = decode(b"Caf\xe9 (1995),\x80 5 \x93hi\x94\n");
        assert_eq!(text, "Café (1995),€ 5 “hi”\n");
        assert_eq!(encoding, Charset::Windows1252);
        assert!(encoding.note().unwrap().contains("Latin-1"));
    }

    #[test]
    fn utf16_with_a_byte_order_mark_either_way() {
        let text = "a,b\nç,☃\n";
        let le: Vec<u8> = [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect();
        let be: Vec<u8> = [0xFE, 0xFF].into_iter().chain(text.encode_utf16().flat_map(u16::to_be_bytes)).collect();
        assert_eq!(decode(&le), (Cow::Owned::<str>(text.into()), Charset::Utf16Le));
        assert_eq!(decode(&be).0, text);
        assert!(Charset::Utf16Be.note().unwrap().contains("UTF-16"));
    }
}
