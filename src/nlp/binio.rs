//! Minimal little-endian binary reading and writing for model files.
//!
//! Every model file starts with a 4-byte magic and a `u32` version. Readers
//! never panic: every read checks the remaining length and returns a
//! [`BinError`] on truncated or inconsistent input, and length prefixes are
//! validated against the bytes left before anything is allocated.

/// Error while decoding a binary model.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BinError {
    /// The input ended before a value could be read.
    #[error("unexpected end of data at byte {offset} (needed {needed} more bytes)")]
    Truncated {
        /// Byte offset of the failed read.
        offset: usize,
        /// How many bytes the read needed.
        needed: usize,
    },
    /// The magic header does not match.
    #[error("bad magic: expected {expected:?}, found {found:?}")]
    BadMagic {
        /// Expected magic bytes.
        expected: [u8; 4],
        /// Magic bytes found.
        found: [u8; 4],
    },
    /// The format version is not supported.
    #[error("unsupported format version {found} (supported: {supported})")]
    BadVersion {
        /// Version found in the data.
        found: u32,
        /// Version this code reads.
        supported: u32,
    },
    /// A decoded value is out of range or inconsistent.
    #[error("invalid model data: {0}")]
    Invalid(String),
    /// Bytes remain after the end of the model.
    #[error("{0} trailing bytes after the end of the model")]
    Trailing(usize),
}

/// Appends little-endian values to a byte buffer.
#[derive(Debug, Default)]
pub struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    /// An empty writer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Writes a magic header and a version.
    pub fn header(&mut self, magic: [u8; 4], version: u32) {
        self.buf.extend_from_slice(&magic);
        self.u32(version);
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

    /// Writes a length as `u32`. Lengths above `u32::MAX` are a programming
    /// error for these models and are saturated.
    pub fn len(&mut self, n: usize) {
        self.u32(u32::try_from(n).unwrap_or(u32::MAX));
    }

    /// Writes a length-prefixed UTF-8 string.
    pub fn str(&mut self, s: &str) {
        self.len(s.len());
        self.buf.extend_from_slice(s.as_bytes());
    }

    /// Writes raw bytes (no length prefix).
    pub fn raw(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }

    /// Number of bytes written so far.
    pub fn position(&self) -> usize {
        self.buf.len()
    }

    /// The bytes written.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }
}

/// Reads little-endian values from a byte slice, with bounds checks.
#[derive(Debug)]
pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Self { data, pos: 0 }
    }

    /// Bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    /// Takes the next `n` bytes.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], BinError> {
        if self.remaining() < n {
            return Err(BinError::Truncated {
                offset: self.pos,
                needed: n,
            });
        }
        let s = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], BinError> {
        let s = self.take(N)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }

    /// Checks the magic header and the version.
    pub fn header(&mut self, magic: [u8; 4], version: u32) -> Result<(), BinError> {
        let found: [u8; 4] = self.array()?;
        if found != magic {
            return Err(BinError::BadMagic { expected: magic, found });
        }
        let v = self.u32()?;
        if v != version {
            return Err(BinError::BadVersion {
                found: v,
                supported: version,
            });
        }
        Ok(())
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

    /// Reads an `f32`; rejects NaN and infinities.
    pub fn f32(&mut self) -> Result<f32, BinError> {
        let v = f32::from_le_bytes(self.array()?);
        if v.is_finite() {
            Ok(v)
        } else {
            Err(BinError::Invalid(format!("non-finite float at byte {}", self.pos - 4)))
        }
    }

    /// Reads a length written by [`Writer::len`], checking that at least
    /// `len * min_item_size` bytes remain (so corrupt lengths cannot trigger
    /// huge allocations).
    pub fn len(&mut self, min_item_size: usize) -> Result<usize, BinError> {
        let at = self.pos;
        let n = self.u32()? as usize;
        if n.saturating_mul(min_item_size) > self.remaining() {
            return Err(BinError::Truncated {
                offset: at,
                needed: n.saturating_mul(min_item_size),
            });
        }
        Ok(n)
    }

    /// Reads a length-prefixed UTF-8 string.
    pub fn str(&mut self) -> Result<&'a str, BinError> {
        let n = self.len(1)?;
        let at = self.pos;
        let b = self.take(n)?;
        std::str::from_utf8(b).map_err(|_| BinError::Invalid(format!("invalid UTF-8 at byte {at}")))
    }

    /// Fails unless all bytes were consumed.
    pub fn finish(&self) -> Result<(), BinError> {
        match self.remaining() {
            0 => Ok(()),
            n => Err(BinError::Trailing(n)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_values() {
        let mut w = Writer::new();
        w.header(*b"TEST", 3);
        w.u8(7);
        w.u16(300);
        w.u32(70000);
        w.u64(1 << 40);
        w.f32(-1.5);
        w.str("héllo");
        let b = w.into_bytes();
        let mut r = Reader::new(&b);
        r.header(*b"TEST", 3).unwrap();
        assert_eq!(r.u8().unwrap(), 7);
        assert_eq!(r.u16().unwrap(), 300);
        assert_eq!(r.u32().unwrap(), 70000);
        assert_eq!(r.u64().unwrap(), 1 << 40);
        assert_eq!(r.f32().unwrap(), -1.5);
        assert_eq!(r.str().unwrap(), "héllo");
        r.finish().unwrap();
    }

    #[test]
    fn errors_instead_of_panics() {
        let mut w = Writer::new();
        w.header(*b"TEST", 1);
        let b = w.into_bytes();
        assert!(matches!(
            Reader::new(&b).header(*b"NOPE", 1),
            Err(BinError::BadMagic { .. })
        ));
        assert!(matches!(
            Reader::new(&b).header(*b"TEST", 2),
            Err(BinError::BadVersion { .. })
        ));
        assert!(matches!(
            Reader::new(&b[..5]).header(*b"TEST", 1),
            Err(BinError::Truncated { .. })
        ));
        // A huge length prefix must fail without allocating.
        let mut r = Reader::new(&[0xff, 0xff, 0xff, 0xff, b'a']);
        assert!(r.str().is_err());
        let mut r = Reader::new(&[0, 0, 0xc0, 0x7f]);
        assert!(matches!(r.f32(), Err(BinError::Invalid(_))));
    }
}
