//! Global sensitivity analysis: the designs and the index estimators of the Morris method
//! (elementary effects) and of Sobol' variance-based indices (Saltelli's scheme).
//!
//! Everything works in the unit hypercube `[0, 1]^k`; a caller maps a design's rows onto the
//! parameters' `[min, max]` intervals before running the model, and hands the outputs back in
//! the design's row order. Everything is a pure function of its arguments: the random parts
//! (Morris trajectories, bootstrap resamples) draw from a keyed SplitMix64 stream of a `seed`,
//! so the same call always gives the same numbers.
//!
//! - Sobol' points: [`sobol_points`], a Gray-code generator of the Sobol' sequence with the
//!   Joe & Kuo (2008) direction numbers (`new-joe-kuo-6.21201`, dimensions 1 to
//!   [`SOBOL_MAX_DIMS`]). No maintained Rust crate for the sequence was available offline, so the
//!   generator is our own, written from Joe & Kuo's description (Bratley & Fox 1988, Algorithm
//!   659, with the primitive polynomials and initial numbers of Joe & Kuo).
//! - Saltelli: [`saltelli_design`] lists, for each of `N` base rows, `A`, then `AB_1 .. AB_k`
//!   (`A` with column `i` taken from `B`), then `B`: `N (k + 2)` rows. [`sobol_indices`] estimates
//!   the first-order index `S1_i = mean(f(B) (f(AB_i) - f(A))) / V` (Saltelli et al. 2010, Table
//!   2 (b)) and the total index `ST_i = mean((f(A) - f(AB_i))^2) / (2 V)` (Jansen 1999; Saltelli
//!   et al. 2010, Table 2 (f)), `V` the variance of `f(A)` and `f(B)` together, with percentile
//!   bootstrap 95% intervals over the `N` base rows.
//! - Morris: [`morris_design`] lists `r` trajectories of `k + 1` points on the grid of `p`
//!   levels `{0, 1/(p-1), .., 1}`, each moving one parameter at a time by `Delta = p / (2 (p -
//!   1))` (Morris 1991; Campolongo, Cariboni & Saltelli 2007). [`morris_indices`] gives per
//!   parameter the mean `mu`, the mean of absolute values `mu_star` and the standard deviation
//!   `sigma` of the elementary effects `(f(x + Delta e_i) - f(x)) / Delta` (unit-cube scale),
//!   with percentile bootstrap 95% intervals over the trajectories.

use crate::design::SplitMix64;

/// The most dimensions [`sobol_points`] generates (a Saltelli design over `k` parameters needs
/// `2 k`, so Sobol' designs take at most `SOBOL_MAX_DIMS / 2` parameters).
pub const SOBOL_MAX_DIMS: usize = 21;

/// Bits of each Sobol' coordinate (so at most `2^32 - 1` points).
const BITS: usize = 32;

/// Joe & Kuo (2008) `new-joe-kuo-6.21201`, dimensions 2 to 21: degree `s` of the primitive
/// polynomial, its coefficients `a` (the middle bits), and the initial direction numbers `m`.
/// A data table, not code: the 20 rows were checked one by one against the published file as
/// several public implementations reproduce it (7 December 2026). No maintained crate gives the
/// unscrambled sequence (`sobol_burley` is Owen-scrambled).
const JOE_KUO: [(u32, u32, &[u32]); SOBOL_MAX_DIMS - 1] = [
    (1, 0, &[1]),
    (2, 1, &[1, 3]),
    (3, 1, &[1, 3, 1]),
    (3, 2, &[1, 1, 1]),
    (4, 1, &[1, 1, 3, 3]),
    (4, 4, &[1, 3, 5, 13]),
    (5, 2, &[1, 1, 5, 5, 17]),
    (5, 4, &[1, 1, 5, 5, 5]),
    (5, 7, &[1, 1, 7, 11, 19]),
    (5, 11, &[1, 1, 5, 1, 1]),
    (5, 13, &[1, 1, 1, 3, 11]),
    (5, 14, &[1, 3, 5, 5, 31]),
    (6, 1, &[1, 3, 3, 9, 7, 49]),
    (6, 13, &[1, 1, 1, 15, 21, 21]),
    (6, 16, &[1, 3, 1, 13, 27, 49]),
    (6, 19, &[1, 1, 1, 15, 7, 5]),
    (6, 22, &[1, 3, 1, 15, 13, 25]),
    (6, 25, &[1, 1, 5, 5, 19, 61]),
    (7, 1, &[1, 3, 7, 11, 23, 15, 103]),
    (7, 4, &[1, 3, 7, 13, 13, 15, 69]),
];

/// The direction numbers `V_1 .. V_32` of dimension `dim` (0-based), as 32-bit fractions.
fn directions(dim: usize) -> [u32; BITS] {
    let mut v = [0u32; BITS];
    if dim == 0 {
        for (k, vk) in v.iter_mut().enumerate() {
            *vk = 1 << (BITS - 1 - k);
        }
        return v;
    }
    let (s, a, init) = JOE_KUO[dim - 1];
    let s = s as usize;
    let mut m = [0u64; BITS];
    m[..s].copy_from_slice(&init.iter().map(|&x| u64::from(x)).collect::<Vec<_>>());
    for k in s..BITS {
        // m_k = 2 a_1 m_{k-1} ^ 4 a_2 m_{k-2} ^ .. ^ 2^{s-1} a_{s-1} m_{k-s+1} ^ 2^s m_{k-s} ^ m_{k-s}
        let mut x = m[k - s] ^ (m[k - s] << s);
        for i in 1..s {
            if (a >> (s - 1 - i)) & 1 == 1 {
                x ^= m[k - i] << i;
            }
        }
        m[k] = x;
    }
    for (k, vk) in v.iter_mut().enumerate() {
        *vk = (m[k] << (BITS - 1 - k)) as u32;
    }
    v
}

/// Points `skip .. skip + n` of the `dims`-dimensional Sobol' sequence (point 0 is the origin),
/// or `None` when `dims` exceeds [`SOBOL_MAX_DIMS`] or the points would pass `2^32 - 1`.
pub fn sobol_points(n: usize, dims: usize, skip: usize) -> Option<Vec<Vec<f64>>> {
    if dims > SOBOL_MAX_DIMS || (skip as u64 + n as u64) >= (1u64 << BITS) {
        return None;
    }
    let v: Vec<[u32; BITS]> = (0..dims).map(directions).collect();
    let mut x = vec![0u32; dims];
    let mut out = Vec::with_capacity(n);
    for i in 0..(skip + n) {
        if i > 0 {
            // Gray code: point i differs from point i - 1 by the direction of the lowest zero
            // bit of i - 1.
            let c = (!(i - 1)).trailing_zeros() as usize;
            for (xd, vd) in x.iter_mut().zip(&v) {
                *xd ^= vd[c];
            }
        }
        if i >= skip {
            out.push(x.iter().map(|&u| f64::from(u) / 4_294_967_296.0).collect());
        }
    }
    Some(out)
}

/// One estimated index of one parameter, with its 95% interval.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    /// Position of the parameter in the design's columns.
    pub parameter: usize,
    /// `mu`, `mu_star`, `sigma` (Morris) or `S1`, `ST` (Sobol').
    pub statistic: &'static str,
    /// The estimate from all rows.
    pub value: f64,
    /// 2.5th percentile of the bootstrap estimates.
    pub ci_low: f64,
    /// 97.5th percentile of the bootstrap estimates.
    pub ci_high: f64,
}

/// Bootstrap resamples used by [`sobol_indices`] and [`morris_indices`] by default.
pub const BOOTSTRAP_RESAMPLES: usize = 500;

/// Percentile interval (2.5%, 97.5%) of `values` (finite values only; NaN when none).
fn percentile_interval(values: &mut [f64]) -> (f64, f64) {
    let mut finite: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if finite.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    finite.sort_by(f64::total_cmp);
    let at = |q: f64| {
        let pos = q * (finite.len() - 1) as f64;
        let lo = pos.floor() as usize;
        let hi = pos.ceil() as usize;
        finite[lo] + (finite[hi] - finite[lo]) * (pos - lo as f64)
    };
    (at(0.025), at(0.975))
}

/// The Saltelli design over `k` parameters with `n` base rows, in the unit hypercube: for each
/// base row `j`, the rows `A_j`, `AB_1j`, .., `AB_kj`, `B_j` (`n (k + 2)` rows). `A` and `B` are
/// the first and last `k` coordinates of the `2k`-dimensional Sobol' points `1 ..= n` (the
/// origin is skipped). `None` when `2 k` exceeds [`SOBOL_MAX_DIMS`] or `k` or `n` is zero.
pub fn saltelli_design(k: usize, n: usize) -> Option<Vec<Vec<f64>>> {
    if k == 0 || n == 0 {
        return None;
    }
    let base = sobol_points(n, 2 * k, 1)?;
    let mut rows = Vec::with_capacity(n * (k + 2));
    for p in &base {
        let (a, b) = p.split_at(k);
        rows.push(a.to_vec());
        for i in 0..k {
            let mut ab = a.to_vec();
            ab[i] = b[i];
            rows.push(ab);
        }
        rows.push(b.to_vec());
    }
    Some(rows)
}

/// S1 and ST of every parameter from the rows `rows` (indices of base rows, possibly repeated).
fn sobol_estimates(k: usize, y: &[f64], rows: &[usize]) -> Vec<(f64, f64)> {
    let stride = k + 2;
    let n = rows.len() as f64;
    let ends = || rows.iter().flat_map(|&j| [y[j * stride], y[j * stride + k + 1]]);
    let (lo, hi) = ends().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    // Outputs that do not vary have no variance to share out: the indices are undefined (NaN),
    // not 0/rounding noise.
    let mean = ends().sum::<f64>() / (2.0 * n);
    let var =
        if lo == hi { f64::NAN } else { ends().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (2.0 * n) };
    (0..k)
        .map(|i| {
            let (mut first, mut total) = (0.0, 0.0);
            for &j in rows {
                let ya = y[j * stride];
                let yab = y[j * stride + 1 + i];
                let yb = y[j * stride + k + 1];
                first += yb * (yab - ya);
                total += (ya - yab) * (ya - yab);
            }
            (first / n / var, total / (2.0 * n) / var)
        })
        .collect()
}

/// First-order (`S1`) and total (`ST`) indices of the `k` parameters of a [`saltelli_design`],
/// given the outputs `y` in the design's row order, with percentile bootstrap 95% intervals over
/// `resamples` resamples of the base rows drawn from `seed`. Values are NaN when the outputs do
/// not vary. Panics when `y.len()` is not a multiple of `k + 2`.
pub fn sobol_indices(k: usize, y: &[f64], resamples: usize, seed: u64) -> Vec<Estimate> {
    assert!(k > 0 && y.len().is_multiple_of(k + 2), "outputs of a Saltelli design have n (k + 2) rows");
    let n = y.len() / (k + 2);
    let all: Vec<usize> = (0..n).collect();
    let point = sobol_estimates(k, y, &all);
    let mut rng = SplitMix64::keyed(seed, 0x5_0B01);
    let mut boot: Vec<Vec<(f64, f64)>> = Vec::with_capacity(resamples);
    let mut rows = vec![0; n];
    for _ in 0..resamples {
        for r in &mut rows {
            *r = rng.below(n as u64) as usize;
        }
        boot.push(sobol_estimates(k, y, &rows));
    }
    let mut out = Vec::with_capacity(2 * k);
    for (i, &(s1, st)) in point.iter().enumerate() {
        for (statistic, value, pick) in [("S1", s1, 0), ("ST", st, 1)] {
            let mut b: Vec<f64> = boot.iter().map(|e| if pick == 0 { e[i].0 } else { e[i].1 }).collect();
            let (ci_low, ci_high) = percentile_interval(&mut b);
            out.push(Estimate { parameter: i, statistic, value, ci_low, ci_high });
        }
    }
    out
}

/// The step of a Morris design on `levels` levels: `levels / (2 (levels - 1))`.
pub fn morris_delta(levels: usize) -> f64 {
    levels as f64 / (2.0 * (levels as f64 - 1.0))
}

/// `trajectories` Morris trajectories over `k` parameters on a grid of `levels` levels (even,
/// at least 2), in the unit hypercube: `trajectories (k + 1)` rows. Each trajectory starts at a
/// random grid point and moves every parameter once, in a random order and a random direction,
/// by `Delta` ([`morris_delta`]), staying on the grid. The draws come from `seed` alone. `None`
/// when `k` or `trajectories` is zero or `levels` is odd or below 2.
pub fn morris_design(k: usize, trajectories: usize, levels: usize, seed: u64) -> Option<Vec<Vec<f64>>> {
    if k == 0 || trajectories == 0 || levels < 2 || !levels.is_multiple_of(2) {
        return None;
    }
    let step = levels / 2; // Delta in grid steps.
    let unit = 1.0 / (levels - 1) as f64;
    let mut rng = SplitMix64::keyed(seed, 0x303_4415);
    let mut rows = Vec::with_capacity(trajectories * (k + 1));
    for _ in 0..trajectories {
        // Base level in 0..levels - step, so that both base and base + step are on the grid.
        let mut at: Vec<usize> = Vec::with_capacity(k);
        let mut up: Vec<bool> = Vec::with_capacity(k);
        for _ in 0..k {
            let base = rng.below((levels - step) as u64) as usize;
            let rising = rng.below(2) == 0;
            at.push(if rising { base } else { base + step });
            up.push(rising);
        }
        let mut order: Vec<usize> = (0..k).collect();
        for i in (1..k).rev() {
            let j = rng.below(i as u64 + 1) as usize;
            order.swap(i, j);
        }
        rows.push(at.iter().map(|&l| l as f64 * unit).collect());
        for &i in &order {
            at[i] = if up[i] { at[i] + step } else { at[i] - step };
            rows.push(at.iter().map(|&l| l as f64 * unit).collect());
        }
    }
    Some(rows)
}

/// `(mu, mu_star, sigma)` of every parameter from the elementary effects `ee[t][i]` of the
/// trajectories `picks` (indices, possibly repeated).
fn morris_estimates(k: usize, ee: &[Vec<f64>], picks: &[usize]) -> Vec<(f64, f64, f64)> {
    let r = picks.len() as f64;
    (0..k)
        .map(|i| {
            let mu = picks.iter().map(|&t| ee[t][i]).sum::<f64>() / r;
            let mu_star = picks.iter().map(|&t| ee[t][i].abs()).sum::<f64>() / r;
            let sigma = if picks.len() > 1 {
                (picks.iter().map(|&t| (ee[t][i] - mu).powi(2)).sum::<f64>() / (r - 1.0)).sqrt()
            } else {
                f64::NAN
            };
            (mu, mu_star, sigma)
        })
        .collect()
}

/// `mu`, `mu_star` and `sigma` of the elementary effects of the `k` parameters of a
/// [`morris_design`] (`design` its rows, `y` the outputs in the same order), with percentile
/// bootstrap 95% intervals over `resamples` resamples of the trajectories drawn from `seed`.
/// Effects are per unit of the unit hypercube (multiply by `1 / (max - min)` for the
/// parameter's own unit). Panics when the rows are not trajectories of `k + 1` points that each
/// move one parameter.
pub fn morris_indices(
    k: usize,
    design: &[Vec<f64>],
    y: &[f64],
    resamples: usize,
    seed: u64,
) -> Vec<Estimate> {
    assert!(k > 0 && design.len() == y.len() && design.len().is_multiple_of(k + 1), "a Morris design");
    let trajectories = design.len() / (k + 1);
    let mut ee = vec![vec![f64::NAN; k]; trajectories];
    for (t, effects) in ee.iter_mut().enumerate() {
        for s in 0..k {
            let (a, b) = (t * (k + 1) + s, t * (k + 1) + s + 1);
            let moved: Vec<usize> = (0..k).filter(|&i| design[a][i] != design[b][i]).collect();
            assert_eq!(moved.len(), 1, "each step of a Morris trajectory moves one parameter");
            let i = moved[0];
            effects[i] = (y[b] - y[a]) / (design[b][i] - design[a][i]);
        }
    }
    let all: Vec<usize> = (0..trajectories).collect();
    let point = morris_estimates(k, &ee, &all);
    let mut rng = SplitMix64::keyed(seed, 0x303_4416);
    let mut picks = vec![0; trajectories];
    let mut boot = Vec::with_capacity(resamples);
    for _ in 0..resamples {
        for p in &mut picks {
            *p = rng.below(trajectories as u64) as usize;
        }
        boot.push(morris_estimates(k, &ee, &picks));
    }
    let mut out = Vec::with_capacity(3 * k);
    for (i, &(mu, mu_star, sigma)) in point.iter().enumerate() {
        for (statistic, value, pick) in [("mu", mu, 0), ("mu_star", mu_star, 1), ("sigma", sigma, 2)] {
            let mut b: Vec<f64> = boot
                .iter()
                .map(|e: &Vec<(f64, f64, f64)>| match pick {
                    0 => e[i].0,
                    1 => e[i].1,
                    _ => e[i].2,
                })
                .collect();
            let (ci_low, ci_high) = percentile_interval(&mut b);
            out.push(Estimate { parameter: i, statistic, value, ci_low, ci_high });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    fn get(est: &[Estimate], parameter: usize, statistic: &str) -> Estimate {
        est.iter().find(|e| e.parameter == parameter && e.statistic == statistic).unwrap().clone()
    }

    #[test]
    fn sobol_points_are_stratified_in_every_dimension() {
        // A (t, s)-sequence in base 2: the first 2^m points (from the origin) put exactly one
        // point in each interval [j / 2^m, (j + 1) / 2^m) of every single coordinate.
        let m = 8;
        let pts = sobol_points(1 << m, SOBOL_MAX_DIMS, 0).unwrap();
        for d in 0..SOBOL_MAX_DIMS {
            let mut seen = vec![false; 1 << m];
            for p in &pts {
                let cell = (p[d] * f64::from(1u32 << m)) as usize;
                assert!(!seen[cell], "dimension {d}: cell {cell} twice");
                seen[cell] = true;
            }
        }
        // The first points in Gray-code order, by hand from the direction numbers: dimension 1
        // has V = 1/2, 1/4, ..; dimension 2 (s = 1, m_1 = 1, so m_2 = 3) has V = 1/2, 3/4, ..
        // Point 2 = point 1 ^ V_2, point 3 = point 2 ^ V_1.
        let first: Vec<(f64, f64)> = pts.iter().take(4).map(|p| (p[0], p[1])).collect();
        assert_eq!(first, vec![(0.0, 0.0), (0.5, 0.5), (0.75, 0.25), (0.25, 0.75)]);
        assert!(sobol_points(4, SOBOL_MAX_DIMS + 1, 0).is_none());
    }

    #[test]
    fn sobol_points_in_two_dimensions_fill_elementary_boxes() {
        // Dimensions 1 and 2 form a (0, 2)-sequence: every 2^a x 2^b box with a + b = m holds
        // exactly one of the first 2^m points.
        let m = 6;
        let pts = sobol_points(1 << m, 2, 0).unwrap();
        for a in 0..=m {
            let b = m - a;
            let mut count = vec![0; 1 << m];
            for p in &pts {
                let i = (p[0] * f64::from(1u32 << a)) as usize;
                let j = (p[1] * f64::from(1u32 << b)) as usize;
                count[(i << b) + j] += 1;
            }
            assert!(count.iter().all(|&c| c == 1), "a = {a}");
        }
    }

    fn ishigami(x: &[f64]) -> f64 {
        let (a, b) = (7.0, 0.1);
        let z: Vec<f64> = x.iter().map(|u| -PI + 2.0 * PI * u).collect();
        z[0].sin() + a * z[1].sin().powi(2) + b * z[2].powi(4) * z[0].sin()
    }

    #[test]
    fn saltelli_recovers_the_ishigami_indices() {
        // Ishigami & Homma (1990), a = 7, b = 0.1, x_i uniform on [-pi, pi]. Closed form
        // (Sobol' & Levitan 1999; Saltelli et al. 2008, Primer, section 4.9):
        // V1 = (1 + b pi^4 / 5)^2 / 2, V2 = a^2 / 8, V13 = b^2 pi^8 (1/18 - 1/50),
        // V = V1 + V2 + V13; giving the published S1 = 0.314, 0.442, 0 and ST = 0.558, 0.442,
        // 0.244.
        let (a, b) = (7.0f64, 0.1f64);
        let v1 = (1.0 + b * PI.powi(4) / 5.0).powi(2) / 2.0;
        let v2 = a * a / 8.0;
        let v13 = b * b * PI.powi(8) * (1.0 / 18.0 - 1.0 / 50.0);
        let v = v1 + v2 + v13;
        let s1 = [v1 / v, v2 / v, 0.0];
        let st = [(v1 + v13) / v, v2 / v, v13 / v];
        for (x, published) in s1.iter().zip([0.314, 0.442, 0.0]) {
            assert!((x - published).abs() < 5e-4);
        }
        for (x, published) in st.iter().zip([0.558, 0.442, 0.244]) {
            assert!((x - published).abs() < 5e-4);
        }
        let n = 4096;
        let design = saltelli_design(3, n).unwrap();
        assert_eq!(design.len(), n * 5);
        let y: Vec<f64> = design.iter().map(|x| ishigami(x)).collect();
        let est = sobol_indices(3, &y, 200, 7);
        // Tolerance 0.03: the estimators' error at N = 4096 quasi-random base rows is about
        // 0.01 for this function (Saltelli et al. 2010, Fig. 2-3 at N ~ 4000); 0.03 leaves room
        // and still fails a wrong estimator (swapping S1 and ST of x1 misses by 0.24).
        for i in 0..3 {
            let e1 = get(&est, i, "S1");
            let et = get(&est, i, "ST");
            assert!((e1.value - s1[i]).abs() < 0.03, "S1[{i}] = {} vs {}", e1.value, s1[i]);
            assert!((et.value - st[i]).abs() < 0.03, "ST[{i}] = {} vs {}", et.value, st[i]);
            assert!(e1.ci_low <= e1.value && e1.value <= e1.ci_high, "{e1:?}");
            assert!(et.ci_low <= et.value && et.value <= et.ci_high, "{et:?}");
            // The intervals are narrow at this size and cover the truth up to the tolerance.
            assert!(et.ci_high - et.ci_low < 0.1, "{et:?}");
            assert!(et.ci_low - 0.03 < st[i] && st[i] < et.ci_high + 0.03, "{et:?}");
        }
        // Reproducible: the same seed gives the same intervals, another seed other ones.
        assert_eq!(sobol_indices(3, &y, 200, 7), est);
        assert_ne!(sobol_indices(3, &y, 200, 8), est);
    }

    #[test]
    fn saltelli_recovers_the_sobol_g_indices() {
        // Sobol's G function g(x) = prod (|4 x_i - 2| + a_i) / (1 + a_i) (Saltelli & Sobol'
        // 1995). Closed form, derived from E|4u - 2| = 1 and Var|4u - 2| = 1/3 for u uniform on
        // [0, 1] and the product structure: V_i = 1 / (3 (1 + a_i)^2), V = prod (1 + V_i) - 1,
        // S1_i = V_i / V, ST_i = V_i prod_{j != i} (1 + V_j) / V.
        let a = [0.0, 1.0, 4.5, 9.0, 99.0, 99.0];
        let k = a.len();
        let vi: Vec<f64> = a.iter().map(|ai| 1.0 / (3.0 * (1.0 + ai) * (1.0 + ai))).collect();
        let v = vi.iter().map(|x| 1.0 + x).product::<f64>() - 1.0;
        let s1: Vec<f64> = vi.iter().map(|x| x / v).collect();
        let st: Vec<f64> = (0..k)
            .map(|i| vi[i] * (0..k).filter(|&j| j != i).map(|j| 1.0 + vi[j]).product::<f64>() / v)
            .collect();
        let n = 4096;
        let design = saltelli_design(k, n).unwrap();
        let y: Vec<f64> = design
            .iter()
            .map(|x| x.iter().zip(&a).map(|(u, ai)| ((4.0 * u - 2.0).abs() + ai) / (1.0 + ai)).product())
            .collect();
        let est = sobol_indices(k, &y, 100, 1);
        // Tolerance 0.03 absolute, as for Ishigami (indices range from 0.0001 to 0.72 here).
        for i in 0..k {
            let e1 = get(&est, i, "S1").value;
            let et = get(&est, i, "ST").value;
            assert!((e1 - s1[i]).abs() < 0.03, "S1[{i}] = {e1} vs {}", s1[i]);
            assert!((et - st[i]).abs() < 0.03, "ST[{i}] = {et} vs {}", st[i]);
        }
        // The ranking of the important parameters is right.
        assert!(get(&est, 0, "ST").value > get(&est, 1, "ST").value);
        assert!(get(&est, 1, "ST").value > get(&est, 2, "ST").value);
        assert!(get(&est, 2, "ST").value > get(&est, 4, "ST").value);
    }

    #[test]
    fn constant_outputs_have_undefined_sobol_indices() {
        let y = vec![0.994_016_119_944_494_3; 16 * 4];
        for e in sobol_indices(2, &y, 20, 1) {
            assert!(e.value.is_nan() && e.ci_low.is_nan(), "{e:?}");
        }
    }

    #[test]
    fn morris_design_is_made_of_one_factor_steps_on_the_grid() {
        let (k, r, p) = (4, 10, 4);
        let d = morris_design(k, r, p, 3).unwrap();
        assert_eq!(d.len(), r * (k + 1));
        let delta = morris_delta(p);
        assert!((delta - 2.0 / 3.0).abs() < 1e-12);
        for t in 0..r {
            let mut moved = vec![false; k];
            for s in 0..k {
                let (a, b) = (&d[t * (k + 1) + s], &d[t * (k + 1) + s + 1]);
                let diff: Vec<usize> = (0..k).filter(|&i| a[i] != b[i]).collect();
                assert_eq!(diff.len(), 1);
                assert!(((a[diff[0]] - b[diff[0]]).abs() - delta).abs() < 1e-12);
                moved[diff[0]] = true;
            }
            assert!(moved.iter().all(|&m| m));
        }
        for x in d.iter().flatten() {
            let level = x * (p - 1) as f64;
            assert!((0.0..=1.0).contains(x) && (level - level.round()).abs() < 1e-12);
        }
        assert_eq!(morris_design(k, r, p, 3), Some(d));
        assert!(morris_design(k, r, 5, 3).is_none());
    }

    #[test]
    fn morris_separates_inert_linear_and_nonlinear_parameters() {
        // f = 3 x0 + x1^2 * 10 + 0 x2 + sin(2 pi x3) x0: x2 is inert (every effect is 0);
        // x0's effects vary with x3 (interaction); x1's with x1 itself (nonlinear).
        let f = |x: &[f64]| 3.0 * x[0] + 10.0 * x[1] * x[1] + (2.0 * PI * x[3]).sin() * x[0];
        let k = 4;
        let design = morris_design(k, 20, 4, 11).unwrap();
        let y: Vec<f64> = design.iter().map(|x| f(x)).collect();
        let est = morris_indices(k, &design, &y, 100, 2);
        let inert = get(&est, 2, "mu_star");
        assert!(inert.value.abs() < 1e-12 && inert.ci_high.abs() < 1e-12, "{inert:?}");
        assert!(get(&est, 2, "sigma").value.abs() < 1e-12);
        // x1: effect of a step of 2/3 from level l: 10 ((l + 2/3)^2 - l^2) / (2/3) = 10 (2 l +
        // 2/3), l in {0, 1/3}: 20/3 or 40/3, so mu_star is between them and sigma > 0.
        let m1 = get(&est, 1, "mu_star").value;
        assert!((20.0 / 3.0..=40.0 / 3.0).contains(&m1), "{m1}");
        assert!(get(&est, 1, "sigma").value > 1.0);
        // mu of x1 equals mu_star (all effects positive).
        assert!((get(&est, 1, "mu").value - m1).abs() < 1e-12);
        // x0 matters, and the inert one ranks last.
        for i in [0, 1, 3] {
            assert!(get(&est, i, "mu_star").value > 0.5, "parameter {i}");
        }
    }
}
