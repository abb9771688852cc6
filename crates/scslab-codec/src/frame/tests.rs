//! Frames: round trips, and every damage refused with its reason.

use super::*;
use crate::checksum;

const MAGIC: [u8; 8] = *b"SCSLABTS";

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    write_frame(MAGIC, 7, body, &mut out).unwrap();
    out
}

/// A frame as scslab wrote it before this crate: format 3, no layout version, FNV-1a 64 trailer.
fn old_frame(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&3u32.to_le_bytes());
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out.extend_from_slice(body);
    let sum =
        out.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3));
    out.extend_from_slice(&sum.to_le_bytes());
    out
}

#[test]
fn the_checksum_is_crc32_ieee() {
    // The standard check value of CRC-32 (IEEE 802.3).
    assert_eq!(checksum(b"123456789"), 0xcbf4_3926);
}

#[test]
fn a_frame_is_its_head_body_and_checksum() {
    let bytes = frame(b"hello");
    assert_eq!(&bytes[..8], &MAGIC);
    assert_eq!(bytes[8..12], FRAME_FORMAT.to_le_bytes());
    assert_eq!(bytes[12..16], 7u32.to_le_bytes());
    assert_eq!(bytes[16..24], 5u64.to_le_bytes());
    assert_eq!(&bytes[24..29], b"hello");
    assert_eq!(bytes[29..], checksum(&bytes[..29]).to_le_bytes());
}

#[test]
fn frame_round_trips_and_reads_exactly_its_bytes() {
    for body in [&b""[..], b"hello", &[0xffu8; 3 * STREAM_CHUNK + 5]] {
        let mut bytes = frame(body);
        bytes.extend_from_slice(b"tail");
        let mut r = bytes.as_slice();
        assert_eq!(read_frame(MAGIC, 7, &mut r).unwrap(), body);
        assert_eq!(r, b"tail");
    }
}

#[test]
fn streamed_frames_are_the_same_bytes() {
    let body: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let mut streamed = Vec::new();
    let mut w = FrameWriter::start(MAGIC, 7, body.len() as u64, &mut streamed).unwrap();
    for piece in body.chunks(999) {
        w.write(piece).unwrap();
    }
    w.finish().unwrap();
    assert_eq!(streamed, frame(&body));
    let mut r = FrameReader::start(MAGIC, 7, streamed.as_slice()).unwrap();
    let mut first = vec![0u8; 1000];
    r.read(&mut first).unwrap();
    assert_eq!(first, body[..1000]);
    assert_eq!(r.rest().unwrap(), body[1000..]);
    r.finish().unwrap();
    r.check_version().unwrap();
}

#[test]
fn every_flipped_bit_is_refused() {
    let bytes = frame(b"some state");
    for i in 0..bytes.len() {
        for bit in 0..8 {
            let mut bad = bytes.clone();
            bad[i] ^= 1 << bit;
            let err = read_frame(MAGIC, 7, &mut bad.as_slice()).unwrap_err();
            let expected = match i {
                0..8 => matches!(err, CodecError::WrongMagic { .. }),
                8..12 => matches!(err, CodecError::OldFormat { .. } | CodecError::UnknownFormat { .. }),
                // A longer body runs out of bytes; a shorter one reads a wrong checksum.
                16..24 => matches!(err, CodecError::Truncated | CodecError::Checksum),
                // The layout version, the body and the checksum itself.
                _ => matches!(err, CodecError::Checksum),
            };
            assert!(expected, "byte {i} bit {bit}: {err:?}");
        }
    }
}

#[test]
fn skipping_the_body_still_checks_it() {
    let mut bytes = frame(&[3u8; 2 * STREAM_CHUNK]);
    let mut r = FrameReader::start(MAGIC, 7, bytes.as_slice()).unwrap();
    r.skip_rest().unwrap();
    bytes[STREAM_CHUNK + 100] ^= 4;
    let mut r = FrameReader::start(MAGIC, 7, bytes.as_slice()).unwrap();
    assert!(matches!(r.skip_rest(), Err(CodecError::Checksum)));
}

#[test]
fn every_truncation_is_refused() {
    let bytes = frame(b"some state");
    for cut in 0..bytes.len() {
        let err = read_frame(MAGIC, 7, &mut &bytes[..cut]).unwrap_err();
        assert!(matches!(err, CodecError::Truncated), "cut at {cut}: {err:?}");
    }
}

#[test]
fn a_huge_stated_length_on_a_short_input_is_truncated_not_allocated() {
    let mut bytes = frame(b"x");
    bytes[16..24].copy_from_slice(&(u64::MAX / 2).to_le_bytes());
    let err = read_frame(MAGIC, 7, &mut bytes.as_slice()).unwrap_err();
    assert!(matches!(err, CodecError::Truncated), "{err:?}");
}

#[test]
fn an_old_frame_is_refused_from_its_head_with_a_clear_message() {
    let old = old_frame(b"a state of scslab before the codec");
    // Whole, or only its head: the rest is not read.
    for bytes in [&old[..], &old[..12]] {
        let err = read_frame(MAGIC, 7, &mut &bytes[..]).unwrap_err();
        assert!(matches!(err, CodecError::OldFormat { found: 3 }), "{err:?}");
        assert_eq!(err.to_string(), "written by an older scslab (format 3; this one reads 4)");
    }
    let mut newer = frame(b"x");
    newer[8..12].copy_from_slice(&9u32.to_le_bytes());
    let err = read_frame(MAGIC, 7, &mut newer.as_slice()).unwrap_err();
    assert!(matches!(err, CodecError::UnknownFormat { found: 9 }), "{err:?}");
    assert!(err.to_string().contains("unknown format 9"), "{err}");
}

#[test]
fn another_layout_version_is_refused_once_the_frame_is_intact() {
    let mut bytes = frame(b"body");
    let err = read_frame(MAGIC, 8, &mut bytes.as_slice()).unwrap_err();
    assert!(matches!(err, CodecError::Version { found: 7, expected: 8 }), "{err:?}");
    assert_eq!(err.to_string(), "written by another scslab (layout 7; this one reads 8)");
    // Damaged as well: the damage is what is reported.
    bytes[25] ^= 1;
    let err = read_frame(MAGIC, 8, &mut bytes.as_slice()).unwrap_err();
    assert!(matches!(err, CodecError::Checksum), "{err:?}");
}

#[test]
fn wrong_magic_is_refused() {
    let bytes = frame(b"x");
    let err = read_frame(*b"SCSLABXX", 7, &mut bytes.as_slice()).unwrap_err();
    assert!(
        matches!(&err, CodecError::WrongMagic { found, expected } if found == "SCSLABTS" && expected == "SCSLABXX")
    );
}

#[test]
fn a_body_not_written_to_its_stated_length_is_refused() {
    let mut out = Vec::new();
    let mut w = FrameWriter::start(MAGIC, 7, 3, &mut out).unwrap();
    assert!(w.write(b"four").is_err());
    let mut out = Vec::new();
    let mut w = FrameWriter::start(MAGIC, 7, 3, &mut out).unwrap();
    w.write(b"ab").unwrap();
    assert!(w.finish().is_err());
}
