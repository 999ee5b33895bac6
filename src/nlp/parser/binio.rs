//! A tiny hand-written little-endian binary format.
//!
//! Every model file starts with an 8-byte magic tag and a `u32` format
//! version, followed by whatever the model writes with [`Writer`]. Reading
//! goes through [`Reader`], whose every accessor checks bounds and returns a
//! typed [`BinError`] instead of panicking, so corrupt or truncated bytes can
//! never crash the caller.

/// Errors from decoding a binary model.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BinError {
    /// The input ended before a value could be read.
    #[error("unexpected end of data at byte {offset}: needed {needed} more bytes")]
    UnexpectedEof {
        /// Byte offset where the read started.
        offset: usize,
        /// Bytes the read needed.
        needed: usize,
    },
    /// The magic header does not match.
    #[error("bad magic header: expected {expected:?}")]
    BadMagic {
        /// The magic tag the reader expected.
        expected: [u8; 8],
    },
    /// The version field is not one this code understands.
    #[error("unsupported format version {found} (supported: {supported})")]
    UnsupportedVersion {
        /// The version in the data.
        found: u32,
        /// The version this code reads.
        supported: u32,
    },
    /// A string field is not valid UTF-8.
    #[error("invalid UTF-8 in string at byte {offset}")]
    InvalidUtf8 {
        /// Byte offset of the string.
        offset: usize,
    },
    /// A value is structurally impossible (out of range, inconsistent sizes…).
    #[error("invalid data at byte {offset}: {message}")]
    Invalid {
        /// Byte offset near the problem.
        offset: usize,
        /// What is wrong.
        message: String,
    },
    /// Bytes remain after the model was fully read.
    #[error("{remaining} trailing bytes after the end of the model")]
    TrailingBytes {
        /// Number of unread bytes.
        remaining: usize,
    },
}

/// Appends little-endian values to a byte buffer.
#[derive(Debug, Default, Clone)]
pub struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    /// An empty writer.
    pub fn new() -> Self {
        Self::default()
    }

    /// A writer that starts with `magic` and `version`.
    pub fn with_header(magic: &[u8; 8], version: u32) -> Self {
        let mut w = Self::new();
        w.buf.extend_from_slice(magic);
        w.u32(version);
        w
    }

    /// Writes one byte.
    pub fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }

    /// Writes a `u16`.
    pub fn u16(&mut self, v: u16) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    /// Writes a `u32`.
    pub fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    /// Writes a `u64`.
    pub fn u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    /// Writes an `f32`.
    pub fn f32(&mut self, v: f32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    /// Writes a length (as `u32`; lengths above `u32::MAX` are a caller bug and saturate).
    pub fn length(&mut self, n: usize) {
        self.u32(u32::try_from(n).unwrap_or(u32::MAX));
    }

    /// Writes a length-prefixed UTF-8 string.
    pub fn str(&mut self, s: &str) {
        self.length(s.len());
        self.buf.extend_from_slice(s.as_bytes());
    }

    /// Writes an unsigned LEB128 varint.
    pub fn varint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.buf.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.buf.push(v as u8);
    }

    /// Writes raw bytes (no length prefix).
    pub fn raw(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }

    /// The bytes written so far.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }
}

/// Reads little-endian values from a byte slice with bounds checks.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader positioned at the start of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Self { data, pos: 0 }
    }

    /// Checks the magic tag and version; returns a reader positioned after them.
    pub fn with_header(data: &'a [u8], magic: &[u8; 8], version: u32) -> Result<Self, BinError> {
        let mut r = Self::new(data);
        let m = r.take(8).map_err(|_| BinError::BadMagic { expected: *magic })?;
        if m != magic {
            return Err(BinError::BadMagic { expected: *magic });
        }
        let found = r.u32()?;
        if found != version {
            return Err(BinError::UnsupportedVersion {
                found,
                supported: version,
            });
        }
        Ok(r)
    }

    /// Current byte offset.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Bytes not yet read.
    pub fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    /// Fails unless every byte has been read.
    pub fn finish(&self) -> Result<(), BinError> {
        match self.remaining() {
            0 => Ok(()),
            remaining => Err(BinError::TrailingBytes { remaining }),
        }
    }

    /// Takes the next `n` raw bytes.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], BinError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.data.len())
            .ok_or(BinError::UnexpectedEof {
                offset: self.pos,
                needed: n,
            })?;
        let s = &self.data[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], BinError> {
        let s = self.take(N)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }

    /// Reads one byte.
    pub fn u8(&mut self) -> Result<u8, BinError> {
        Ok(self.array::<1>()?[0])
    }

    /// Reads a `u16`.
    pub fn u16(&mut self) -> Result<u16, BinError> {
        Ok(u16::from_le_bytes(self.array()?))
    }

    /// Reads a `u32`.
    pub fn u32(&mut self) -> Result<u32, BinError> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    /// Reads a `u64`.
    pub fn u64(&mut self) -> Result<u64, BinError> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    /// Reads an unsigned LEB128 varint (at most 10 bytes, no overflow).
    pub fn varint(&mut self) -> Result<u64, BinError> {
        let at = self.pos;
        let mut v = 0u64;
        for i in 0..10 {
            let b = self.u8()?;
            let part = u64::from(b & 0x7f);
            if i == 9 && part > 1 {
                return Err(self.invalid_at(at, "varint overflows u64"));
            }
            v |= part << (7 * i);
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(self.invalid_at(at, "varint longer than 10 bytes"))
    }

    /// Reads an `f32`, rejecting NaN and infinities.
    pub fn f32(&mut self) -> Result<f32, BinError> {
        let at = self.pos;
        let v = f32::from_le_bytes(self.array()?);
        if v.is_finite() {
            Ok(v)
        } else {
            Err(self.invalid_at(at, "non-finite float"))
        }
    }

    /// Reads a length written by [`Writer::length`] and checks that at least
    /// `len * min_item_bytes` bytes remain, so a corrupt length cannot cause
    /// a huge allocation.
    pub fn length(&mut self, min_item_bytes: usize) -> Result<usize, BinError> {
        let at = self.pos;
        let n = self.u32()? as usize;
        if n.saturating_mul(min_item_bytes) > self.remaining() {
            return Err(BinError::UnexpectedEof {
                offset: at,
                needed: n.saturating_mul(min_item_bytes),
            });
        }
        Ok(n)
    }

    /// Reads a length-prefixed UTF-8 string.
    pub fn str(&mut self) -> Result<&'a str, BinError> {
        let n = self.length(1)?;
        let at = self.pos;
        let b = self.take(n)?;
        std::str::from_utf8(b).map_err(|_| BinError::InvalidUtf8 { offset: at })
    }

    /// An [`BinError::Invalid`] at the current position.
    pub fn invalid(&self, message: impl Into<String>) -> BinError {
        self.invalid_at(self.pos, message)
    }

    fn invalid_at(&self, offset: usize, message: impl Into<String>) -> BinError {
        BinError::Invalid {
            offset,
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAGIC: &[u8; 8] = b"TESTMAG\0";

    #[test]
    fn round_trip_all_types() {
        let mut w = Writer::with_header(MAGIC, 3);
        w.u8(7);
        w.u16(65_000);
        w.u32(4_000_000_000);
        w.u64(u64::MAX - 1);
        w.f32(-1.5);
        w.str("héllo");
        for v in [0u64, 127, 128, 300, u64::MAX] {
            w.varint(v);
        }
        let bytes = w.into_bytes();
        let mut r = Reader::with_header(&bytes, MAGIC, 3).unwrap();
        assert_eq!(r.u8().unwrap(), 7);
        assert_eq!(r.u16().unwrap(), 65_000);
        assert_eq!(r.u32().unwrap(), 4_000_000_000);
        assert_eq!(r.u64().unwrap(), u64::MAX - 1);
        assert_eq!(r.f32().unwrap(), -1.5);
        assert_eq!(r.str().unwrap(), "héllo");
        for v in [0u64, 127, 128, 300, u64::MAX] {
            assert_eq!(r.varint().unwrap(), v);
        }
        r.finish().unwrap();
        let mut r = Reader::new(&[0xff; 11]);
        assert!(r.varint().is_err());
    }

    #[test]
    fn errors_instead_of_panics() {
        assert!(matches!(
            Reader::with_header(b"XX", MAGIC, 1),
            Err(BinError::BadMagic { .. })
        ));
        let bytes = Writer::with_header(MAGIC, 2).into_bytes();
        assert!(matches!(
            Reader::with_header(&bytes, MAGIC, 1),
            Err(BinError::UnsupportedVersion { found: 2, .. })
        ));
        let mut r = Reader::new(&[1, 2, 3]);
        assert!(matches!(r.u32(), Err(BinError::UnexpectedEof { .. })));
        // A huge length prefix is rejected before allocating.
        let mut r = Reader::new(&[0xff, 0xff, 0xff, 0xff, b'a']);
        assert!(r.str().is_err());
        let mut r = Reader::new(&[2, 0, 0, 0, 0xff, 0xfe]);
        assert!(matches!(r.str(), Err(BinError::InvalidUtf8 { .. })));
        let nan = f32::NAN.to_le_bytes();
        let mut r = Reader::new(&nan);
        assert!(matches!(r.f32(), Err(BinError::Invalid { .. })));
        assert!(matches!(
            Reader::new(&[0]).finish(),
            Err(BinError::TrailingBytes { remaining: 1 })
        ));
    }
}
