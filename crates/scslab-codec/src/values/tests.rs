//! Values: round trips, and impossible values refused.

use super::*;

#[test]
fn values_round_trip() {
    let mut e = Encoder::default();
    e.u8(7);
    e.u16(300);
    e.u32(70_000);
    e.u64(u64::MAX);
    e.f64(-0.1);
    e.str("grüße");
    e.f64s(&[1.5, f64::NAN.copysign(-1.0)]);
    e.u8(1);
    e.length(3);
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
    assert!(d.bool().unwrap());
    assert!(
        matches!(d.exact_len(4, "things"), Err(CodecError::Malformed(m)) if m == "things: 3 values, expected 4")
    );
    d.finish().unwrap();
}

#[test]
fn a_huge_length_is_refused_before_allocating() {
    let mut e = Encoder::default();
    e.u64(u64::MAX / 2);
    let mut d = Decoder::new(&e.bytes);
    assert!(matches!(d.length(8), Err(CodecError::Malformed(_))));
    let mut d = Decoder::new(&e.bytes);
    assert!(matches!(d.f64s(), Err(CodecError::Malformed(_))));
    let mut d = Decoder::new(&e.bytes);
    assert!(matches!(d.str(), Err(CodecError::Malformed(_))));
}

#[test]
fn impossible_values_are_refused() {
    assert!(matches!(Decoder::new(&[2]).bool(), Err(CodecError::Malformed(_))));
    assert!(matches!(Decoder::new(&[1, 2, 3]).u32(), Err(CodecError::Malformed(_))));
    let mut e = Encoder::default();
    e.length(2);
    e.bytes.extend_from_slice(&[0xc3, 0x28]);
    assert!(matches!(Decoder::new(&e.bytes).str(), Err(CodecError::Malformed(m)) if m == "invalid UTF-8"));
    let mut d = Decoder::new(&[1, 2]);
    d.u8().unwrap();
    assert!(matches!(d.finish(), Err(CodecError::Malformed(m)) if m == "1 bytes left over"));
}
