//! Frames: head, body, checksum (see the crate's docs), written and read whole or streamed.

use std::io::{Read, Write};

use crate::{CodecError, FRAME_FORMAT, STREAM_CHUNK};

/// Bytes of the head that decide how the rest is read: magic and frame format.
const HEAD_START: usize = 12;
/// Bytes of the whole head: magic, frame format, layout version, body length.
const HEAD_LEN: usize = 24;

/// Writes `body` as one frame of layout `version`: head, body, checksum.
pub fn write_frame(magic: [u8; 8], version: u32, body: &[u8], w: &mut impl Write) -> Result<(), CodecError> {
    let mut frame = FrameWriter::start(magic, version, body.len() as u64, w)?;
    frame.write(body)?;
    frame.finish()
}

/// Reads one frame written by [`write_frame`] with the same magic and returns its body, after
/// checking the checksum and then the layout `version`. Reads exactly the frame's bytes.
pub fn read_frame(magic: [u8; 8], version: u32, r: &mut impl Read) -> Result<Vec<u8>, CodecError> {
    let mut frame = FrameReader::start(magic, version, r)?;
    let body = frame.rest()?;
    frame.finish()?;
    frame.check_version()?;
    Ok(body)
}

/// Writes one frame piece by piece, so that a frame of many gigabytes (a checkpoint at full
/// scale) never exists in memory: the body's length is given up front and the checksum is
/// computed as the pieces pass.
pub struct FrameWriter<W> {
    w: W,
    hasher: crc32fast::Hasher,
    remaining: u64,
}

impl<W: Write> FrameWriter<W> {
    /// Writes the frame's head (magic, frame format, layout `version`, body length).
    pub fn start(
        magic: [u8; 8],
        version: u32,
        body_len: u64,
        mut w: W,
    ) -> Result<FrameWriter<W>, CodecError> {
        let mut head = [0u8; HEAD_LEN];
        head[..8].copy_from_slice(&magic);
        head[8..12].copy_from_slice(&FRAME_FORMAT.to_le_bytes());
        head[12..16].copy_from_slice(&version.to_le_bytes());
        head[16..].copy_from_slice(&body_len.to_le_bytes());
        w.write_all(&head)?;
        let mut hasher = crc32fast::Hasher::new();
        hasher.update(&head);
        Ok(FrameWriter { w, hasher, remaining: body_len })
    }

    /// Writes the next piece of the body.
    pub fn write(&mut self, bytes: &[u8]) -> Result<(), CodecError> {
        self.remaining = self.remaining.checked_sub(bytes.len() as u64).ok_or_else(|| overrun("written"))?;
        self.hasher.update(bytes);
        self.w.write_all(bytes)?;
        Ok(())
    }

    /// Writes the checksum; the body must be complete.
    pub fn finish(mut self) -> Result<(), CodecError> {
        if self.remaining != 0 {
            return Err(overrun("written"));
        }
        self.w.write_all(&self.hasher.finalize().to_le_bytes())?;
        Ok(())
    }
}

/// Reads one frame piece by piece, checking the checksum at the end ([`FrameReader::finish`]):
/// what was read before is not to be trusted until then.
pub struct FrameReader<R> {
    r: R,
    hasher: crc32fast::Hasher,
    remaining: u64,
    version: u32,
    expected: u32,
}

impl<R: Read> FrameReader<R> {
    /// Reads the frame's head, refusing another magic and another frame format (whose checksum
    /// this one cannot check). The layout version, expected to be `version`, is checked by
    /// [`FrameReader::check_version`]: before trusting it, read the body and the checksum.
    pub fn start(magic: [u8; 8], version: u32, mut r: R) -> Result<FrameReader<R>, CodecError> {
        let mut head = [0u8; HEAD_LEN];
        read_exact(&mut r, &mut head[..HEAD_START])?;
        if head[..8] != magic {
            return Err(CodecError::WrongMagic {
                found: String::from_utf8_lossy(&head[..8]).into_owned(),
                expected: String::from_utf8_lossy(&magic).into_owned(),
            });
        }
        let format = u32::from_le_bytes(head[8..12].try_into().expect("4 bytes"));
        match format {
            FRAME_FORMAT => {}
            1..FRAME_FORMAT => return Err(CodecError::OldFormat { found: format }),
            _ => return Err(CodecError::UnknownFormat { found: format }),
        }
        read_exact(&mut r, &mut head[HEAD_START..])?;
        let found = u32::from_le_bytes(head[12..16].try_into().expect("4 bytes"));
        let remaining = u64::from_le_bytes(head[16..24].try_into().expect("8 bytes"));
        let mut hasher = crc32fast::Hasher::new();
        hasher.update(&head);
        Ok(FrameReader { r, hasher, remaining, version: found, expected: version })
    }

    /// Refuses a frame of another layout version than the one given to [`FrameReader::start`].
    pub fn check_version(&self) -> Result<(), CodecError> {
        if self.version != self.expected {
            return Err(CodecError::Version { found: self.version, expected: self.expected });
        }
        Ok(())
    }

    /// Fills `buf` with the next bytes of the body.
    pub fn read(&mut self, buf: &mut [u8]) -> Result<(), CodecError> {
        if buf.len() as u64 > self.remaining {
            return Err(CodecError::Malformed("a field runs past the end".into()));
        }
        read_exact(&mut self.r, buf)?;
        self.remaining -= buf.len() as u64;
        self.hasher.update(buf);
        Ok(())
    }

    /// Reads a `u64`.
    pub fn u64(&mut self) -> Result<u64, CodecError> {
        let mut b = [0u8; 8];
        self.read(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    /// The rest of the body. The buffer grows only as bytes arrive: a corrupt length on a short
    /// input gives [`CodecError::Truncated`], not a huge allocation.
    pub fn rest(&mut self) -> Result<Vec<u8>, CodecError> {
        let mut body = Vec::new();
        (&mut self.r).take(self.remaining).read_to_end(&mut body)?;
        if (body.len() as u64) < self.remaining {
            return Err(CodecError::Truncated);
        }
        self.remaining = 0;
        self.hasher.update(&body);
        Ok(body)
    }

    /// Reads the rest of the body without keeping it, then checks the checksum.
    pub fn skip_rest(&mut self) -> Result<(), CodecError> {
        let mut buf = vec![0u8; STREAM_CHUNK];
        while self.remaining > 0 {
            let n = self.remaining.min(STREAM_CHUNK as u64) as usize;
            self.read(&mut buf[..n])?;
        }
        self.finish()
    }

    /// Reads the checksum and compares it with the frame's; the body must have been read whole.
    pub fn finish(&mut self) -> Result<(), CodecError> {
        if self.remaining != 0 {
            return Err(overrun("read"));
        }
        let mut sum = [0u8; 4];
        read_exact(&mut self.r, &mut sum)?;
        if u32::from_le_bytes(sum) != self.hasher.clone().finalize() {
            return Err(CodecError::Checksum);
        }
        Ok(())
    }
}

fn overrun(what: &str) -> CodecError {
    CodecError::Io(std::io::Error::other(format!("the frame's body was not {what} to its stated length")))
}

fn read_exact(r: &mut impl Read, buf: &mut [u8]) -> Result<(), CodecError> {
    r.read_exact(buf).map_err(|e| match e.kind() {
        std::io::ErrorKind::UnexpectedEof => CodecError::Truncated,
        _ => CodecError::Io(e),
    })
}

#[cfg(test)]
mod tests;
