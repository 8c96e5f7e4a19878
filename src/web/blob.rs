//! A file the page was given (a `Blob`: a dropped or chosen `File`), read in pieces with
//! `FileReaderSync`, which only a worker has: the engine runs in one, and a piece at a time is
//! all that is ever in memory, in JavaScript's or in WebAssembly's.

use std::io::{self, Read};

use wasm_bindgen::JsValue;
use web_sys::{Blob, FileReaderSync};

/// How much of the file one read takes: large enough that reading costs little beside parsing.
pub const PIECE_BYTES: usize = 4 << 20;

/// A `Blob` read from its start to its end.
pub struct BlobReader {
    blob: Blob,
    reader: FileReaderSync,
    at: f64,
}

impl BlobReader {
    /// Reads `blob`; an error where the page has no `FileReaderSync` (outside a worker).
    pub fn new(blob: Blob) -> Result<Self, JsValue> {
        Ok(Self { blob, reader: FileReaderSync::new()?, at: 0.0 })
    }
}

impl Read for BlobReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let end = (self.at + buf.len().min(PIECE_BYTES) as f64).min(self.blob.size());
        if end <= self.at {
            return Ok(0);
        }
        let piece = self.blob.slice_with_f64_and_f64(self.at, end).map_err(unreadable)?;
        let bytes = js_sys::Uint8Array::new(&self.reader.read_as_array_buffer(&piece).map_err(unreadable)?.into());
        let n = (bytes.length() as usize).min(buf.len());
        bytes.subarray(0, n as u32).copy_to(&mut buf[..n]);
        self.at += n as f64;
        Ok(n)
    }
}

/// The browser's reason a file could not be read (it was moved or changed since it was chosen).
fn unreadable(error: JsValue) -> io::Error {
    let message = js_sys::Reflect::get(&error, &"message".into()).ok().and_then(|m| m.as_string());
    io::Error::other(message.unwrap_or_else(|| "the browser could not read the file".into()))
}
