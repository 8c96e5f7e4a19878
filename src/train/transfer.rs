//! One byte layout for everything a race sends between workers (shared rows, a model handed
//! over): a four-byte tag, a JSON header with its length, then little-endian 32-bit words. One
//! reader means one place where bytes cut short, too long or with a damaged header become an
//! error instead of a panic (what the words mean is each reader's to check).

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{Error, Result};

/// The tag and the header, in a buffer with room for `words` 32-bit words and `extra` bytes more.
pub(super) fn start<H: Serialize>(tag: &[u8; 4], header: &H, words: usize, extra: usize) -> Vec<u8> {
    let json = serde_json::to_vec(header).expect("a header always serializes");
    let mut out = Vec::with_capacity(8 + json.len() + 4 * words + extra);
    out.extend(tag);
    out.extend((json.len() as u32).to_le_bytes());
    out.extend(json);
    out
}

/// Reads what [`start`] wrote, checking the tag; `damaged` is the error for any bytes that do
/// not fit, in the words of whoever reads them.
pub(super) struct Reader<'a> {
    rest: &'a [u8],
    damaged: &'static str,
}

impl<'a> Reader<'a> {
    /// The header of `bytes`, and a reader for the words after it.
    pub(super) fn open<H: DeserializeOwned>(bytes: &'a [u8], tag: &[u8; 4], damaged: &'static str) -> Result<(H, Self)> {
        let mut reader = Self { rest: bytes, damaged };
        if reader.bytes(4)? != tag {
            return Err(reader.error());
        }
        let length = u32::from_le_bytes(reader.bytes(4)?.try_into().expect("four bytes")) as usize;
        let header = serde_json::from_slice(reader.bytes(length)?).map_err(|_| reader.error())?;
        Ok((header, reader))
    }

    /// The error for damaged bytes.
    fn error(&self) -> Error {
        Error::Damaged(self.damaged.into())
    }

    /// The next `count` bytes.
    fn bytes(&mut self, count: usize) -> Result<&'a [u8]> {
        let (head, tail) = self.rest.split_at_checked(count).ok_or_else(|| self.error())?;
        self.rest = tail;
        Ok(head)
    }

    /// The next `count` words as unsigned integers.
    pub(super) fn ids(&mut self, count: usize) -> Result<Vec<u32>> {
        Ok(self.words(count)?.map(u32::from_le_bytes).collect())
    }

    /// The next `count` words as floats.
    pub(super) fn floats(&mut self, count: usize) -> Result<Vec<f32>> {
        Ok(self.words(count)?.map(f32::from_le_bytes).collect())
    }

    /// Everything left, which must be exactly `count` bytes.
    pub(super) fn last(self, count: usize) -> Result<&'a [u8]> {
        if self.rest.len() != count {
            return Err(self.error());
        }
        Ok(self.rest)
    }

    fn words(&mut self, count: usize) -> Result<impl Iterator<Item = [u8; 4]> + 'a> {
        let bytes = self.bytes(count.checked_mul(4).ok_or_else(|| self.error())?)?;
        Ok(bytes.chunks_exact(4).map(|c| [c[0], c[1], c[2], c[3]]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TAG: &[u8; 4] = b"TEST";
    const DAMAGED: &str = "the test bytes are damaged";

    fn written() -> Vec<u8> {
        let mut out = start(TAG, &vec![2usize, 1], 3, 2);
        [7u32, 9].iter().for_each(|v| out.extend(v.to_le_bytes()));
        out.extend(1.5f32.to_le_bytes());
        out.extend([0xAB, 0xCD]);
        out
    }

    /// The header, the ids, the floats and the last bytes of [`written`]'s layout.
    type Read = (Vec<usize>, Vec<u32>, Vec<f32>, Vec<u8>);

    fn read(bytes: &[u8]) -> Result<Read> {
        let (header, mut reader) = Reader::open::<Vec<usize>>(bytes, TAG, DAMAGED)?;
        let ids = reader.ids(header[0])?;
        let floats = reader.floats(header[1])?;
        Ok((header, ids, floats, reader.last(2)?.to_vec()))
    }

    #[test]
    fn what_is_written_reads_back() {
        assert_eq!(read(&written()).unwrap(), (vec![2, 1], vec![7, 9], vec![1.5], vec![0xAB, 0xCD]));
    }

    #[test]
    fn any_wrong_byte_count_tag_or_header_is_the_readers_error() {
        let bytes = written();
        let mut wrong_tag = bytes.clone();
        wrong_tag[0] = b'X';
        let mut huge = bytes.clone();
        huge[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        let mut longer = bytes.clone();
        longer.push(0);
        for bad in [&bytes[..3], &bytes[..bytes.len() - 1], &wrong_tag, &huge, &longer, &bytes[..10]] {
            assert_eq!(read(bad).unwrap_err(), Error::Damaged(DAMAGED.into()));
        }
    }
}
