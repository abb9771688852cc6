//! Speed of the frame checksum: FNV-1a 64 (scslab's checksum up to frame format 3, byte by byte)
//! against CRC-32 by `crc32fast` (format 4), over a buffer of 256 MiB.
//!
//! `cargo bench -p scslab-codec --bench checksum` prints the best of five passes of each, in
//! GB/s (10^9 bytes per second).

use std::hint::black_box;
use std::time::Instant;

/// The checksum of frame formats 1 to 3.
fn fnv1a(mut hash: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        hash ^= b as u64;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

fn best_gbps(bytes: &[u8], f: impl Fn(&[u8]) -> u64) -> f64 {
    let mut best = f64::INFINITY;
    for _ in 0..5 {
        let t = Instant::now();
        black_box(f(black_box(bytes)));
        best = best.min(t.elapsed().as_secs_f64());
    }
    bytes.len() as f64 / best / 1e9
}

fn main() {
    let bytes: Vec<u8> =
        (0..256u64 << 20).map(|i| (i.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 56) as u8).collect();
    let fnv = best_gbps(&bytes, |b| fnv1a(0xcbf2_9ce4_8422_2325, b));
    let crc = best_gbps(&bytes, |b| scslab_codec::checksum(b) as u64);
    println!("checksum over {} MiB, best of 5", bytes.len() >> 20);
    println!("FNV-1a 64 (formats 1-3): {fnv:6.2} GB/s");
    println!("crc32fast (format 4):    {crc:6.2} GB/s ({:.0}x)", crc / fnv);
}
