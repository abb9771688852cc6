//! Unit tests of the frame and the codec; whole-simulation round trips are in the runner's
//! integration tests, which can build parameters from a scenario.

use super::*;

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    write_frame(STATE_MAGIC, body, &mut out).unwrap();
    out
}

#[test]
fn frame_round_trips_and_reads_exactly_its_bytes() {
    let mut bytes = frame(b"hello");
    bytes.extend_from_slice(b"tail");
    let mut r = bytes.as_slice();
    assert_eq!(read_frame(STATE_MAGIC, &mut r).unwrap(), b"hello");
    assert_eq!(r, b"tail");
}

#[test]
fn every_flipped_byte_is_refused() {
    let bytes = frame(b"some state");
    for i in 0..bytes.len() {
        let mut bad = bytes.clone();
        bad[i] ^= 0x10;
        let err = read_frame(STATE_MAGIC, &mut bad.as_slice()).unwrap_err();
        assert!(
            matches!(err, StateError::NotACheckpoint | StateError::Corrupt(_) | StateError::Truncated),
            "byte {i}: {err:?}"
        );
    }
}

#[test]
fn every_truncation_is_refused() {
    let bytes = frame(b"some state");
    for cut in 0..bytes.len() {
        let err = read_frame(STATE_MAGIC, &mut &bytes[..cut]).unwrap_err();
        assert!(matches!(err, StateError::Truncated), "cut at {cut}: {err:?}");
    }
}

#[test]
fn other_format_version_is_refused() {
    let mut head = Vec::new();
    head.extend_from_slice(&STATE_MAGIC);
    head.extend_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
    head.extend_from_slice(&0u64.to_le_bytes());
    let sum = fnv1a(FNV_OFFSET, &head);
    head.extend_from_slice(&sum.to_le_bytes());
    let err = read_frame(STATE_MAGIC, &mut head.as_slice()).unwrap_err();
    assert!(matches!(err, StateError::Version { .. }), "{err:?}");
}

#[test]
fn wrong_magic_is_refused() {
    let bytes = frame(b"x");
    let err = read_frame(*b"SCSLABXX", &mut bytes.as_slice()).unwrap_err();
    assert!(matches!(err, StateError::NotACheckpoint));
}

#[test]
fn a_huge_length_is_refused_before_allocating() {
    let mut e = Encoder::default();
    e.u64(u64::MAX / 2);
    let mut d = Decoder::new(&e.bytes);
    assert!(matches!(d.length(8), Err(StateError::Corrupt(_))));
    let mut d = Decoder::new(&e.bytes);
    assert!(matches!(d.f64s(), Err(StateError::Corrupt(_))));
}

#[test]
fn codec_round_trips() {
    let mut e = Encoder::default();
    e.u8(7);
    e.u16(300);
    e.u32(70_000);
    e.u64(u64::MAX);
    e.f64(-0.1);
    e.str("grüße");
    e.f64s(&[1.5, f64::NAN.copysign(-1.0)]);
    let mut d = Decoder::new(&e.bytes);
    assert_eq!(d.u8().unwrap(), 7);
    assert_eq!(d.u16().unwrap(), 300);
    assert_eq!(d.u32().unwrap(), 70_000);
    assert_eq!(d.u64().unwrap(), u64::MAX);
    assert_eq!(d.f64().unwrap().to_bits(), (-0.1f64).to_bits());
    assert_eq!(d.str().unwrap(), "grüße");
    let xs = d.f64s().unwrap();
    assert_eq!(xs[0], 1.5);
    assert!(xs[1].is_nan() && xs[1].is_sign_negative());
    d.finish().unwrap();
}
