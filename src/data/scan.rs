//! What the CSV parser does not say, watched on the text's way to it: a NUL byte (a binary or
//! damaged file) and a quote that opens a field and never closes (the parser would read the rest
//! of the file as one value, silently). The text passes in pieces, so both are found in one pass
//! without the file ever being whole in memory.

use std::io::{self, Read};

use crate::Error;

/// The most bytes one record may run to before the parser is stopped: twice the limit per line
/// (a record's quotes and delimiters, which that limit does not count, fit in the other half), so
/// a file with no line breaks, or a quote that swallowed the rest, is refused before the parser
/// holds all of it.
pub(super) const RECORD_LIMIT: u64 = 2 * crate::limits::MAX_LINE_BYTES as u64;

/// Where a quote opened a field that is still open: its line and the field's index in its record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct OpenQuote {
    pub line: u64,
    pub field: usize,
}

/// The text between its source and the parser. Each read fills the parser's buffer whole (unless
/// the file ends), so the parser sees the same reads however the source cuts the file into
/// pieces, and so reports the same first error.
pub(super) struct Scan<R> {
    source: R,
    delimiter: u8,
    /// The line of the next byte, from 1.
    line: u64,
    quoted: bool,
    /// Inside a quoted field, the byte before was a quote: it closes the field, or with another
    /// quote stands for one.
    quote_before: bool,
    field_start: bool,
    field: usize,
    opened: Option<OpenQuote>,
    /// The line of a NUL byte, once one is seen.
    pub nul: Option<u64>,
    ended: bool,
    /// Bytes handed to the parser so far.
    delivered: u64,
    /// Bytes since the record in progress began, and the most a record may run to (see
    /// [`RECORD_LIMIT`]); the line where one ran past it.
    record_bytes: u64,
    limit: u64,
    pub too_long: Option<u64>,
    /// The bytes [`Self::follow`] must see: NUL, the quote, the line breaks and the delimiter.
    special: [bool; 256],
}

impl<R: Read> Scan<R> {
    /// Watches `source`, whose fields `delimiter` separates.
    pub fn new(source: R, delimiter: u8) -> Self {
        let mut special = [false; 256];
        [0, b'"', b'\n', b'\r', delimiter].into_iter().for_each(|b| special[b as usize] = true);
        Self {
            source,
            delimiter,
            line: 1,
            quoted: false,
            quote_before: false,
            field_start: true,
            field: 0,
            opened: None,
            nul: None,
            ended: false,
            delivered: 0,
            record_bytes: 0,
            limit: RECORD_LIMIT,
            too_long: None,
            special,
        }
    }

    /// Every byte handed to the parser, once the end of the file is read (`None` before): a
    /// parser whose position is there has read its last record.
    pub fn delivered(&self) -> Option<u64> {
        self.ended.then_some(self.delivered)
    }

    /// Why the text was stopped, as the reader's error naming the line (none if it was not): a
    /// NUL byte (text never holds one, so the file is binary or damaged, and a NUL in a value
    /// would reach every export), or a record past [`RECORD_LIMIT`].
    pub fn refusal(&self) -> Option<Error> {
        if let Some(line) = self.nul {
            return Some(Error::Csv { line, message: "a NUL byte (\\0): this is not a text file, or it is damaged".into() });
        }
        self.too_long.map(|line| Error::Csv {
            line,
            message: format!(
                "a record runs past {RECORD_LIMIT} bytes, twice the limit of {} bytes per line: a file with no line breaks, or a quote that swallowed the rest",
                crate::limits::MAX_LINE_BYTES
            ),
        })
    }

    /// The quote left open at the end of the file, if any (`None` until the end is read).
    pub fn open_quote(&self) -> Option<OpenQuote> {
        (self.ended && (self.quoted && !self.quote_before)).then_some(self.opened).flatten()
    }

    /// Follows a run of bytes that are none of the [`Self::special`] ones: they only end a closing
    /// quote's wait and a field's start.
    fn ordinary(&mut self) {
        if self.quote_before {
            (self.quote_before, self.quoted) = (false, false);
        }
        self.field_start = false;
    }

    /// Follows one byte: the same rules as the parser's (a quote opens a field only at its start;
    /// two quotes inside one stand for a quote; a line break outside quotes ends the record).
    fn follow(&mut self, b: u8) {
        if b == b'\n' {
            self.line += 1;
        }
        if self.quote_before {
            self.quote_before = false;
            if b == b'"' {
                return;
            }
            self.quoted = false;
        }
        match b {
            b'"' if self.field_start => {
                self.quoted = true;
                self.opened = Some(OpenQuote { line: self.line, field: self.field });
            }
            b'"' if self.quoted => self.quote_before = true,
            b'\n' | b'\r' if !self.quoted => (self.field, self.record_bytes) = (0, 0),
            b if b == self.delimiter && !self.quoted => self.field += 1,
            _ => {}
        }
        self.field_start = !self.quoted && (matches!(b, b'\n' | b'\r') || b == self.delimiter);
    }
}

impl<R: Read> Read for Scan<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut filled = 0;
        while filled < buf.len() && !self.ended {
            match self.source.read(&mut buf[filled..]) {
                Ok(0) => self.ended = true,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        self.delivered += filled as u64;
        let mut rest = &buf[..filled];
        while !rest.is_empty() {
            let at = rest.iter().position(|&b| self.special[b as usize]).unwrap_or(rest.len());
            if at > 0 {
                self.ordinary();
            }
            self.record_bytes += at as u64;
            if self.record_bytes > self.limit {
                self.too_long = Some(self.line);
                return Err(io::Error::new(io::ErrorKind::InvalidData, "a record too long"));
            }
            match rest.get(at) {
                Some(0) => {
                    self.nul = Some(self.line);
                    return Err(io::Error::new(io::ErrorKind::InvalidData, "a NUL byte"));
                }
                Some(&b) => {
                    self.record_bytes += 1;
                    self.follow(b);
                }
                None => break,
            }
            rest = &rest[at + 1..];
        }
        Ok(filled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scanned(text: &[u8]) -> Scan<&[u8]> {
        let mut scan = Scan::new(text, b',');
        io::copy(&mut scan, &mut io::sink()).unwrap();
        scan
    }

    #[test]
    fn an_open_quote_is_found_with_its_line_and_field() {
        assert_eq!(scanned(b"a,b\n1,\"x\n2,3\n").open_quote(), Some(OpenQuote { line: 2, field: 1 }));
        assert_eq!(scanned(b"a,b\r\n\"1,2\r\n").open_quote(), Some(OpenQuote { line: 2, field: 0 }));
        assert_eq!(scanned(b"a,b\n\n1,\"x\ny\",\"\n").open_quote(), Some(OpenQuote { line: 4, field: 2 }));
        // Closed, doubled, ending the file, or inside an unquoted value: nothing is open.
        for closed in [&b"a,\"b\"\"c\"\n1,2\n"[..], b"a,\"b\"", b"a,b\"c\n\"d\"\"\",e\n", b"\"\"\"\"\n"] {
            assert_eq!(scanned(closed).open_quote(), None, "{:?}", String::from_utf8_lossy(closed));
        }
    }

    #[test]
    fn a_record_past_the_limit_stops_the_text_with_its_line() {
        let mut scan = Scan::new(&b"a,b\n1,2\n3,4567890123\n"[..], b',');
        scan.limit = 10;
        let error = io::copy(&mut scan, &mut io::sink()).unwrap_err();
        assert_eq!((error.kind(), scan.too_long, scan.nul), (io::ErrorKind::InvalidData, Some(3), None));
        let mut fits = Scan::new(&b"a,b\n1,2\n3,456789\n"[..], b',');
        fits.limit = 10;
        assert!(io::copy(&mut fits, &mut io::sink()).is_ok(), "9 bytes and a line break");
    }

    #[test]
    fn a_nul_stops_the_text_with_its_line() {
        let mut scan = Scan::new(&b"a\n1\n2\x00\n"[..], b',');
        let error = io::copy(&mut scan, &mut io::sink()).unwrap_err();
        assert_eq!((error.kind(), scan.nul), (io::ErrorKind::InvalidData, Some(3)));
    }
}
