//! Design generation: the design points of a grid or a Latin hypercube, the seed of each
//! replication, and the fingerprint that ties an output folder to its sweep.
//!
//! Everything here is a pure function of its arguments (no clock, no OS randomness), so the same
//! sweep file always lists the same runs with the same seeds.

/// The values of one parameter, as the design sees them.
#[derive(Clone, Debug, PartialEq)]
pub enum Range {
    /// Grid: every listed value.
    Values(Vec<f64>),
    /// Latin hypercube: the closed interval `[min, max]`.
    Interval {
        /// Lower end.
        min: f64,
        /// Upper end.
        max: f64,
    },
}

/// All combinations of the parameters' values, the last parameter varying fastest.
///
/// Without parameters the grid has one point with no values. `ranges` must all be
/// [`Range::Values`]; an interval counts as its two ends.
pub fn grid(ranges: &[Range]) -> Vec<Vec<f64>> {
    let values: Vec<Vec<f64>> = ranges
        .iter()
        .map(|r| match r {
            Range::Values(v) => v.clone(),
            Range::Interval { min, max } => vec![*min, *max],
        })
        .collect();
    let mut points = vec![Vec::new()];
    for column in &values {
        points = points
            .iter()
            .flat_map(|p| {
                column.iter().map(move |&x| {
                    let mut q = p.clone();
                    q.push(x);
                    q
                })
            })
            .collect();
    }
    points
}

/// The design points listed column by column (`kind = "points"`): point `i` takes the `i`-th
/// value of every parameter. The lists have one length (checked when the file is read).
pub fn listed(ranges: &[Range]) -> Vec<Vec<f64>> {
    let columns: Vec<&[f64]> = ranges
        .iter()
        .map(|r| match r {
            Range::Values(v) => v.as_slice(),
            Range::Interval { .. } => &[],
        })
        .collect();
    let n = columns.iter().map(|c| c.len()).min().unwrap_or(0);
    (0..n).map(|i| columns.iter().map(|c| c[i]).collect()).collect()
}

/// `samples` points of a Latin hypercube over the parameters' intervals: each interval is cut
/// into `samples` strata of equal width, and each stratum of each parameter holds exactly one
/// point, placed uniformly at random inside it. Strata are paired across parameters by
/// independent random permutations. The draws come from `seed` alone.
///
/// A parameter given as a list of values is sampled over `[smallest, largest]`.
pub fn latin_hypercube(ranges: &[Range], samples: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = SplitMix64(seed);
    let mut points = vec![Vec::with_capacity(ranges.len()); samples];
    for range in ranges {
        let (min, max) = match range {
            Range::Interval { min, max } => (*min, *max),
            Range::Values(v) => (
                v.iter().copied().fold(f64::INFINITY, f64::min),
                v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            ),
        };
        let mut strata: Vec<usize> = (0..samples).collect();
        // Fisher-Yates shuffle.
        for i in (1..samples).rev() {
            let j = rng.below(i as u64 + 1) as usize;
            strata.swap(i, j);
        }
        for (point, &stratum) in points.iter_mut().zip(&strata) {
            let u = (stratum as f64 + rng.unit()) / samples as f64;
            point.push(min + (max - min) * u);
        }
    }
    points
}

/// How the random streams of runs relate to each other.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Streams {
    /// Common random numbers: every scenario and design point of replication `r` uses the same
    /// seed, so the same people meet the same luck and differences are paired.
    #[default]
    Common,
    /// Independent streams: scenario `s` of replication `r` uses its own seed. Only for
    /// measuring what common random numbers gain.
    Independent,
}

impl Streams {
    /// The mode's name in `plan.json` and the manifest: `common` or `independent`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Streams::Common => "common",
            Streams::Independent => "independent",
        }
    }
}

/// The seed of replication `replication` of the scenario at position `scenario` in the sweep.
///
/// With [`Streams::Common`] the scenario is ignored: all scenarios share the seed. With
/// [`Streams::Independent`] scenario 0 keeps the common seed and scenario `s` draws from stream
/// `s`. Seeds are kept below 2^53 so that they survive a trip through JSON readers that parse
/// numbers as doubles.
pub fn replication_seed(base: u64, replication: u32, scenario: usize, streams: Streams) -> u64 {
    let stream = match streams {
        Streams::Common => 0,
        Streams::Independent => scenario as u64,
    };
    let key = mix(mix(base ^ 0x5CE1_AB5E_ED00_0000) ^ mix(stream.wrapping_mul(0x9E37_79B9_7F4A_7C15)))
        .wrapping_add(replication as u64);
    mix(key) & ((1u64 << 53) - 1)
}

/// The SplitMix64 finalizer: a bijective mixing of 64 bits.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A small deterministic generator for design draws (SplitMix64), also the sensitivity
/// analysis's (Morris trajectories, bootstrap resamples).
pub(crate) struct SplitMix64(pub(crate) u64);

impl SplitMix64 {
    /// The generator of `seed` for one `purpose`: independent streams of one seed.
    pub(crate) fn keyed(seed: u64, purpose: u64) -> SplitMix64 {
        SplitMix64(mix(seed ^ mix(purpose)))
    }

    fn next_u64(&mut self) -> u64 {
        let out = mix(self.0);
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        out
    }

    /// Uniform in [0, 1) with 53 bits.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in 0..n (n > 0), by rejection so that no value is favoured.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        let zone = u64::MAX - u64::MAX % n;
        loop {
            let x = self.next_u64();
            if x < zone {
                return x % n;
            }
        }
    }
}

/// FNV-1a, 64 bits, over several byte strings (each followed by its length, so that
/// `["ab", "c"]` and `["a", "bc"]` differ). A fingerprint to notice a changed sweep, not a
/// cryptographic hash.
pub fn fingerprint<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for &b in bytes {
            h ^= b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    for part in parts {
        eat(part);
        eat(&(part.len() as u64).to_le_bytes());
    }
    format!("fnv1a64:{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_has_the_product_of_the_value_counts() {
        let r = [Range::Values(vec![0.0, 0.5, 1.0]), Range::Values(vec![1.0, 2.0])];
        let g = grid(&r);
        assert_eq!(g.len(), 6);
        assert_eq!(g[0], vec![0.0, 1.0]);
        assert_eq!(g[1], vec![0.0, 2.0]);
        assert_eq!(g[5], vec![1.0, 2.0]);
        assert_eq!(grid(&[]), vec![Vec::<f64>::new()]);
    }

    #[test]
    fn latin_hypercube_puts_one_sample_in_each_stratum() {
        let r = [Range::Interval { min: 0.0, max: 1.0 }, Range::Interval { min: -10.0, max: 30.0 }];
        for samples in [1, 2, 7, 50] {
            let points = latin_hypercube(&r, samples, 42);
            assert_eq!(points.len(), samples);
            for (j, range) in r.iter().enumerate() {
                let Range::Interval { min, max } = *range else { unreachable!() };
                let mut hits = vec![0; samples];
                for p in &points {
                    assert!(p[j] >= min && p[j] < max);
                    let stratum = ((p[j] - min) / (max - min) * samples as f64) as usize;
                    hits[stratum] += 1;
                }
                assert!(hits.iter().all(|&h| h == 1), "{samples} samples, parameter {j}: {hits:?}");
            }
        }
        assert_eq!(latin_hypercube(&r, 9, 1), latin_hypercube(&r, 9, 1));
        assert_ne!(latin_hypercube(&r, 9, 1), latin_hypercube(&r, 9, 2));
    }

    #[test]
    fn seeds_are_common_across_scenarios_and_differ_across_replications() {
        let s = |r, sc, st| replication_seed(2020, r, sc, st);
        assert_eq!(s(0, 0, Streams::Common), s(0, 1, Streams::Common));
        assert_ne!(s(0, 0, Streams::Common), s(1, 0, Streams::Common));
        assert_eq!(s(3, 0, Streams::Independent), s(3, 0, Streams::Common));
        assert_ne!(s(3, 1, Streams::Independent), s(3, 0, Streams::Independent));
        assert_ne!(
            replication_seed(2020, 0, 0, Streams::Common),
            replication_seed(2021, 0, 0, Streams::Common)
        );
        let seeds: std::collections::BTreeSet<u64> =
            (0..1000).flat_map(|r| (0..3).map(move |sc| s(r, sc, Streams::Independent))).collect();
        assert_eq!(seeds.len(), 3000);
        assert!(seeds.iter().all(|&x| x < 1 << 53));
    }

    #[test]
    fn fingerprint_separates_parts() {
        assert_ne!(fingerprint([&b"ab"[..], b"c"]), fingerprint([&b"a"[..], b"bc"]));
        assert_eq!(fingerprint([&b"x"[..]]), fingerprint([&b"x"[..]]));
    }
}
