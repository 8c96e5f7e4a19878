//! Text encodings: files arrive as UTF-8 (with or without a byte-order mark), as UTF-16 with a
//! byte-order mark (spreadsheet exports), or as Latin-1 / Windows-1252 (MovieLens titles, older
//! exports). Everything becomes UTF-8 before parsing, and a file that was not UTF-8 says so.

use std::borrow::Cow;

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
