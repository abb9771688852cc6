//! How agent columns are cut into chunks for parallel phases.
//!
//! Chunk boundaries never change results: every random draw is keyed by agent id and every
//! reduction is an integer sum merged in chunk order. Chunking only trades scheduling overhead
//! against load balance.

/// Agents per chunk for a population of `n` agents: 1/64 of the population (rounded up) but at
/// least `min`, so there are enough chunks to balance any thread count and few enough that
/// per-chunk accumulators stay small. Persons use [`PERSON_MIN_CHUNK`] (their accumulators are
/// large), firms [`FIRM_MIN_CHUNK`].
pub fn chunk_len(n: usize, min: usize) -> usize {
    n.div_ceil(64).max(min)
}

/// Number of chunks for `n` agents.
pub fn n_chunks(n: usize, min: usize) -> usize {
    n.div_ceil(chunk_len(n, min)).max(1)
}

/// Smallest chunk of persons.
pub const PERSON_MIN_CHUNK: usize = 65_536;

/// Smallest chunk of firms.
pub const FIRM_MIN_CHUNK: usize = 4_096;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_population() {
        for n in [0usize, 1, 16_384, 16_385, 1_000_000, 1_411_780_000] {
            for min in [PERSON_MIN_CHUNK, FIRM_MIN_CHUNK] {
                let len = chunk_len(n, min);
                assert!(n_chunks(n, min) * len >= n);
                assert!(n_chunks(n, min) <= 64);
            }
        }
    }
}
