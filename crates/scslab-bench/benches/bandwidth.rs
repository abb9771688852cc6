//! Memory bandwidth of this machine, STREAM-style, with the engine's own thread pool: the
//! ceiling that a day step over structure-of-arrays columns cannot beat. Reads (a sum), writes
//! (a fill) and a read-modify-write of every byte (what the person kernel does to its columns),
//! over arrays far larger than the caches, on 1 and 2 threads; best of five passes.
//!
//! `cargo bench -p scslab-bench --bench bandwidth [-- --gib G]`

use std::time::Instant;

use rayon::prelude::*;

const CHUNK: usize = 1 << 16;

fn best_of(passes: usize, mut f: impl FnMut()) -> f64 {
    (0..passes)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let gib: f64 = args
        .iter()
        .position(|a| a == "--gib")
        .and_then(|i| args.get(i + 1))
        .map_or(2.0, |g| g.parse().expect("--gib"));
    let n = (gib * (1u64 << 30) as f64 / 8.0) as usize;
    let bytes = (n * 8) as f64;
    let mut a: Vec<u64> = vec![1; n];
    println!("array: {:.1} GiB of u64", bytes / (1u64 << 30) as f64);
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("pool");
        pool.install(|| {
            let mut sink = 0u64;
            let read = best_of(5, || {
                sink = sink.wrapping_add(
                    a.par_chunks(CHUNK).map(|c| c.iter().fold(0u64, |s, &x| s.wrapping_add(x))).sum::<u64>(),
                );
            });
            let write = best_of(5, || a.par_chunks_mut(CHUNK).for_each(|c| c.fill(3)));
            let update = best_of(5, || {
                a.par_chunks_mut(CHUNK).for_each(|c| c.iter_mut().for_each(|x| *x = x.wrapping_mul(3) ^ 1))
            });
            let gbs = |secs: f64, traffic: f64| traffic / secs / 1e9;
            println!(
                "{threads} thread(s): read {:.1} GB/s, write {:.1} GB/s, read-modify-write {:.1} GB/s of traffic ({:.1} GB/s of array){}",
                gbs(read, bytes),
                gbs(write, bytes),
                gbs(update, 2.0 * bytes),
                gbs(update, bytes),
                if sink == 42 { " " } else { "" }
            );
        });
    }
}
