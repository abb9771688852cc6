//! Values in a frame's body: little-endian integers, floats by their bits, lengths, strings.

use crate::CodecError;

/// Appends little-endian values to a byte buffer.
#[derive(Debug, Default)]
pub struct Encoder {
    /// The bytes so far.
    pub bytes: Vec<u8>,
}

impl Encoder {
    /// Appends a `u8`.
    pub fn u8(&mut self, x: u8) {
        self.bytes.push(x);
    }
    /// Appends a `u16`.
    pub fn u16(&mut self, x: u16) {
        self.bytes.extend_from_slice(&x.to_le_bytes());
    }
    /// Appends a `u32`.
    pub fn u32(&mut self, x: u32) {
        self.bytes.extend_from_slice(&x.to_le_bytes());
    }
    /// Appends a `u64`.
    pub fn u64(&mut self, x: u64) {
        self.bytes.extend_from_slice(&x.to_le_bytes());
    }
    /// Appends an `f64` by its bits (exact).
    pub fn f64(&mut self, x: f64) {
        self.u64(x.to_bits());
    }
    /// Appends a length.
    pub fn length(&mut self, n: usize) {
        self.u64(n as u64);
    }
    /// Appends a string (length, then UTF-8 bytes).
    pub fn str(&mut self, s: &str) {
        self.length(s.len());
        self.bytes.extend_from_slice(s.as_bytes());
    }
    /// Appends a slice of `f64` (length, then values).
    pub fn f64s(&mut self, xs: &[f64]) {
        self.length(xs.len());
        xs.iter().for_each(|&x| self.f64(x));
    }
}

/// Reads values written by [`Encoder`], refusing to read past the end.
#[derive(Debug)]
pub struct Decoder<'a> {
    bytes: &'a [u8],
}

impl<'a> Decoder<'a> {
    /// A decoder over a frame body.
    pub fn new(bytes: &'a [u8]) -> Decoder<'a> {
        Decoder { bytes }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], CodecError> {
        if n > self.bytes.len() {
            return Err(CodecError::Malformed("a field runs past the end".into()));
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], CodecError> {
        Ok(self.take(N)?.try_into().expect("N bytes"))
    }

    /// Reads a `u8`.
    pub fn u8(&mut self) -> Result<u8, CodecError> {
        Ok(self.array::<1>()?[0])
    }
    /// Reads a `u16`.
    pub fn u16(&mut self) -> Result<u16, CodecError> {
        Ok(u16::from_le_bytes(self.array()?))
    }
    /// Reads a `u32`.
    pub fn u32(&mut self) -> Result<u32, CodecError> {
        Ok(u32::from_le_bytes(self.array()?))
    }
    /// Reads a `u64`.
    pub fn u64(&mut self) -> Result<u64, CodecError> {
        Ok(u64::from_le_bytes(self.array()?))
    }
    /// Reads an `f64`.
    pub fn f64(&mut self) -> Result<f64, CodecError> {
        Ok(f64::from_bits(self.u64()?))
    }
    /// Reads a bool written as a `u8` (0 or 1).
    pub fn bool(&mut self) -> Result<bool, CodecError> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            x => Err(CodecError::Malformed(format!("expected 0 or 1, found {x}"))),
        }
    }

    /// Reads a length of items of at least `item_bytes` bytes each, refusing one that the
    /// remaining bytes cannot hold (so nothing is allocated for a corrupt length).
    pub fn length(&mut self, item_bytes: usize) -> Result<usize, CodecError> {
        let n = self.u64()?;
        if n.saturating_mul(item_bytes.max(1) as u64) > self.bytes.len() as u64 {
            return Err(CodecError::Malformed(format!("length {n} exceeds the data")));
        }
        Ok(n as usize)
    }

    /// Reads a length that must equal `expected`.
    pub fn exact_len(&mut self, expected: usize, what: &str) -> Result<(), CodecError> {
        let n = self.u64()?;
        if n != expected as u64 {
            return Err(CodecError::Malformed(format!("{what}: {n} values, expected {expected}")));
        }
        Ok(())
    }

    /// Reads a string.
    pub fn str(&mut self) -> Result<String, CodecError> {
        let n = self.length(1)?;
        String::from_utf8(self.take(n)?.to_vec()).map_err(|_| CodecError::Malformed("invalid UTF-8".into()))
    }

    /// Reads a vector of `f64`.
    pub fn f64s(&mut self) -> Result<Vec<f64>, CodecError> {
        let n = self.length(8)?;
        (0..n).map(|_| self.f64()).collect()
    }

    /// Fails unless every byte was read.
    pub fn finish(&self) -> Result<(), CodecError> {
        if self.bytes.is_empty() {
            Ok(())
        } else {
            Err(CodecError::Malformed(format!("{} bytes left over", self.bytes.len())))
        }
    }
}

#[cfg(test)]
mod tests;
