//! The binary format of scslab's saved files (checkpoints, replay logs), apart from what they
//! hold: framing with a checksum, and little-endian values.
//!
//! A file is one or more *frames*, each read and written whole or streamed piece by piece:
//!
//! ```text
//! magic [8] | frame format u32 | layout version u32 | body length u64 | body | CRC-32 u32
//! ```
//!
//! All integers are little-endian. The magic names what the frame holds (`SCSLABCK`, a
//! simulation's state; `SCSLABRP`, a replay log; ...). The frame format, [`FRAME_FORMAT`], is this
//! crate's: it changes when the head or the checksum does. The layout version is the caller's:
//! it changes when what the body holds does. The CRC-32 (IEEE, `crc32fast`) covers every byte
//! before it, head included.
//!
//! A frame is refused, never half-read as valid, if it is truncated, fails its checksum, has
//! another magic, or another frame format or layout version. Frames of formats 1 to 3 (scslab
//! before this crate, with an FNV-1a 64 trailer) are refused from their head alone as
//! [`CodecError::OldFormat`]: their checksum cannot be checked, and a reader learns at once that
//! the file cannot be used. Another layout version is reported only once the checksum shows that
//! the frame is intact ([`FrameReader::check_version`]).
//!
//! [`Encoder`] and [`Decoder`] turn values into a body and back; the decoder refuses to read past
//! the end and checks every length against the bytes that remain before anything is allocated.
//!
//! This crate knows nothing of the model: what a body holds is its caller's business. It does no
//! I/O of its own beyond the reader or writer it is given, and prints nothing.

mod frame;
mod values;

pub use frame::{FrameReader, FrameWriter, read_frame, write_frame};
pub use values::{Decoder, Encoder};

/// Format of the frame itself (head and checksum). Formats 1 to 3 ended in an FNV-1a 64 checksum
/// and are refused ([`CodecError::OldFormat`]); format 4 ends in a CRC-32.
pub const FRAME_FORMAT: u32 = 4;

/// Bytes converted or checksummed at a time when a large body is streamed.
pub const STREAM_CHUNK: usize = 1 << 16;

/// The checksum of frames: CRC-32 (IEEE) of `bytes`.
pub fn checksum(bytes: &[u8]) -> u32 {
    crc32fast::hash(bytes)
}

/// Why a frame, or a value in its body, was refused.
#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    /// Reading or writing failed.
    #[error("cannot read or write it: {0}")]
    Io(#[from] std::io::Error),
    /// The data does not start with the expected magic bytes: another kind of file.
    #[error("not the expected kind of file (magic bytes {found:?}, expected {expected:?})")]
    WrongMagic {
        /// The magic bytes found, as text.
        found: String,
        /// The magic bytes expected, as text.
        expected: String,
    },
    /// Written in a frame format older than [`FRAME_FORMAT`], by an older scslab.
    #[error("written by an older scslab (format {found}; this one reads {FRAME_FORMAT})")]
    OldFormat {
        /// The frame format found.
        found: u32,
    },
    /// A frame format this scslab does not know: written by a newer one, or damaged.
    #[error(
        "written in an unknown format {found} (this one reads {FRAME_FORMAT}): by a newer scslab, \
         or the file is damaged"
    )]
    UnknownFormat {
        /// The frame format found.
        found: u32,
    },
    /// The frame is intact, but its body is of another layout version than the caller reads.
    #[error("written by another scslab (layout {found}; this one reads {expected})")]
    Version {
        /// The layout version found.
        found: u32,
        /// The layout version expected.
        expected: u32,
    },
    /// The data ends before the frame does.
    #[error("the file is truncated")]
    Truncated,
    /// The checksum does not match the bytes read.
    #[error("the file is corrupt (checksum mismatch)")]
    Checksum,
    /// A value in the body is impossible (a length past the end, a bool that is not 0 or 1, ...).
    #[error("the file is corrupt: {0}")]
    Malformed(String),
}
