//! Statistics over replications, shared by the sweeps, the audit, the calibration
//! (`scslab-experiment`) and the report (`scslab-report`): the 0.975 quantile of Student's t,
//! means with 95% confidence intervals, paired differences (common random numbers), Welch's
//! unpaired difference, and the quantiles of a binomial count (how many of many tests fail by
//! chance: the equivalence suite).
//!
//! It sits apart from both so that the report, which depends on no model crate, computes its
//! intervals with the very arithmetic the sweep used for `summary.csv`. Pure arithmetic: no
//! dependencies, no I/O, no allocation beyond a paired difference's vector; it cannot fail.
//!
//! Sums run in replication order, so results do not depend on how runs were scheduled.
//!
//! **Undefined values.** An outcome that is undefined in a replication (a ratio with a zero
//! denominator) is NaN there, and an estimate over replications that include it is NaN as well:
//! mean, interval and difference alike, deliberately (IEEE arithmetic propagates it; nothing
//! here sorts, compares or drops values, so NaN never panics and never becomes 0). Files write
//! it as an empty field and tables show "n/a"; the per-replication values (`runs.csv`,
//! `audit_replications.csv`) show which replications it came from.
//!
//! ```
//! use scslab_stats::{mean_ci, t_quantile_975};
//! let e = mean_ci(&[1.0, 2.0, 3.0, 4.0, 5.0]);
//! assert_eq!(e.mean, 3.0);
//! // mean ± t(0.975, 4) · sd / √n, with sd = √2.5.
//! let half = t_quantile_975(4.0) * (2.5f64 / 5.0).sqrt();
//! assert!((e.ci_high() - (3.0 + half)).abs() < 1e-12);
//! ```

/// The 0.975 quantile of Student's t distribution for 1 to 30 degrees of freedom.
const T975: [f64; 30] = [
    12.706204736,
    4.302652730,
    3.182446305,
    2.776445105,
    2.570581836,
    2.446911851,
    2.364624252,
    2.306004135,
    2.262157163,
    2.228138852,
    2.200985160,
    2.178812830,
    2.160368656,
    2.144786688,
    2.131449546,
    2.119905299,
    2.109815578,
    2.100922040,
    2.093024054,
    2.085963447,
    2.079613845,
    2.073873068,
    2.068657610,
    2.063898562,
    2.059538553,
    2.055529439,
    2.051830516,
    2.048407142,
    2.045229642,
    2.042272456,
];

/// The 0.975 quantile of the standard normal distribution.
const Z975: f64 = 1.959963984540054;

/// The 0.975 quantile of Student's t with `df` degrees of freedom (two-sided 95% intervals).
///
/// For `df` up to 30 it is read from a table (linear in 1/df between whole degrees, for Welch's
/// fractional degrees of freedom); beyond, the Cornish-Fisher expansion in 1/df (Abramowitz and
/// Stegun 26.7.5) is accurate to better than 1e-6. `df` below 1 counts as 1; NaN gives NaN.
pub fn t_quantile_975(df: f64) -> f64 {
    if df.is_nan() {
        return f64::NAN;
    }
    let df = df.max(1.0);
    if df <= 30.0 {
        let lo = df.floor();
        let hi = df.ceil();
        let (t_lo, t_hi) = (T975[lo as usize - 1], T975[hi as usize - 1]);
        if lo == hi {
            return t_lo;
        }
        let w = (1.0 / lo - 1.0 / df) / (1.0 / lo - 1.0 / hi);
        return t_lo + w * (t_hi - t_lo);
    }
    let z = Z975;
    let (z3, z5, z7, z9) = (z.powi(3), z.powi(5), z.powi(7), z.powi(9));
    let g1 = (z3 + z) / 4.0;
    let g2 = (5.0 * z5 + 16.0 * z3 + 3.0 * z) / 96.0;
    let g3 = (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / 384.0;
    let g4 = (79.0 * z9 + 776.0 * z7 + 1482.0 * z5 - 1920.0 * z3 - 945.0 * z) / 92160.0;
    z + g1 / df + g2 / df.powi(2) + g3 / df.powi(3) + g4 / df.powi(4)
}

/// A mean (or a difference of means) with its 95% confidence interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// Number of replications (of each side, for a difference).
    pub n: usize,
    /// The mean, or the mean difference.
    pub mean: f64,
    /// Standard deviation of the values (of the paired differences); NaN for Welch and n < 2.
    pub sd: f64,
    /// Standard error of the mean.
    pub se: f64,
    /// Degrees of freedom of the t quantile (fractional for Welch).
    pub df: f64,
    /// Half-width of the 95% interval: the interval is `mean ± half_width`. NaN when n < 2.
    pub half_width: f64,
}

impl Estimate {
    /// Whether the mean is defined (no replication was undefined, and there was at least one).
    pub fn is_defined(&self) -> bool {
        !self.mean.is_nan()
    }

    /// Lower end of the 95% interval.
    pub fn ci_low(&self) -> f64 {
        self.mean - self.half_width
    }

    /// Upper end of the 95% interval.
    pub fn ci_high(&self) -> f64 {
        self.mean + self.half_width
    }
}

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

/// Sample variance (n - 1 in the denominator); NaN for fewer than two values.
fn variance(xs: &[f64]) -> f64 {
    if xs.len() < 2 {
        return f64::NAN;
    }
    let m = mean(xs);
    xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (xs.len() - 1) as f64
}

/// Mean, standard deviation and 95% Student-t interval of independent replications.
pub fn mean_ci(xs: &[f64]) -> Estimate {
    let n = xs.len();
    let sd = variance(xs).sqrt();
    let se = sd / (n as f64).sqrt();
    let df = n as f64 - 1.0;
    let half_width = if n < 2 { f64::NAN } else { t_quantile_975(df) * se };
    Estimate { n, mean: if n == 0 { f64::NAN } else { mean(xs) }, sd, se, df, half_width }
}

/// Paired difference `x[i] - baseline[i]` over replications run with common random numbers:
/// the interval of the mean difference is computed from the differences themselves.
///
/// Only the first `min(x.len(), baseline.len())` pairs are used.
pub fn paired_difference(x: &[f64], baseline: &[f64]) -> Estimate {
    let d: Vec<f64> = x.iter().zip(baseline).map(|(a, b)| a - b).collect();
    mean_ci(&d)
}

/// Unpaired difference `mean(x) - mean(baseline)` with Welch's interval (unequal variances,
/// Welch-Satterthwaite degrees of freedom): the right interval when the two sides were run on
/// independent random streams.
pub fn welch_difference(x: &[f64], baseline: &[f64]) -> Estimate {
    let (a, b) = (mean_ci(x), mean_ci(baseline));
    let (va, vb) = (a.se * a.se, b.se * b.se);
    let se = (va + vb).sqrt();
    let df = if se > 0.0 {
        (va + vb).powi(2) / (va * va / (a.n as f64 - 1.0) + vb * vb / (b.n as f64 - 1.0))
    } else {
        (a.n + b.n) as f64 - 2.0
    };
    let half_width = if a.n < 2 || b.n < 2 { f64::NAN } else { t_quantile_975(df) * se };
    Estimate { n: a.n.min(b.n), mean: a.mean - b.mean, sd: f64::NAN, se, df, half_width }
}

/// The `q` quantile of Binomial(`n`, `p`): the smallest `k` with P(X <= k) >= `q`.
///
/// How many of `n` independent tests, each failing with probability `p` by chance alone, fail
/// with probability `q` or more (the equivalence suite allows a series that many failing days).
/// The probabilities are summed in log space from k = 0 upwards, so that `(1 - p)^n` never
/// underflows however large `n` is. `p` is clamped to [0, 1], `q` to [0, 1]; `n` = 0 gives 0.
pub fn binomial_quantile(n: u64, p: f64, q: f64) -> u64 {
    let (p, q) = (p.clamp(0.0, 1.0), q.clamp(0.0, 1.0));
    if n == 0 || p == 0.0 || q == 0.0 {
        return 0;
    }
    if p == 1.0 {
        return n;
    }
    // ln P(X = k), from ln P(X = 0) = n ln(1 - p) by the ratio of successive terms.
    let mut ln_pmf = n as f64 * (-p).ln_1p();
    let odds = (p / (1.0 - p)).ln();
    let mut cdf = 0.0;
    for k in 0..n {
        cdf += ln_pmf.exp();
        // Rounding can leave the total a hair below 1: `q` = 1 returns `n` below.
        if cdf >= q {
            return k;
        }
        ln_pmf += ((n - k) as f64 / (k + 1) as f64).ln() + odds;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) {
        assert!((a - b).abs() < tol, "{a} vs {b}");
    }

    #[test]
    fn t_quantiles_match_published_tables() {
        // Two-sided 95% critical values as printed in standard tables (three decimals).
        for (df, printed) in
            [(1.0, 12.706), (2.0, 4.303), (5.0, 2.571), (10.0, 2.228), (20.0, 2.086), (30.0, 2.042)]
        {
            close(t_quantile_975(df), printed, 5e-4);
        }
        assert!(t_quantile_975(f64::NAN).is_nan());
    }

    #[test]
    fn t_quantiles_match_published_values() {
        close(t_quantile_975(1.0), 12.7062, 1e-4);
        close(t_quantile_975(2.0), 4.3027, 1e-4);
        close(t_quantile_975(4.0), 2.7764, 1e-4);
        close(t_quantile_975(9.0), 2.2622, 1e-4);
        close(t_quantile_975(30.0), 2.0423, 1e-4);
        close(t_quantile_975(31.0), 2.039513, 1e-5);
        close(t_quantile_975(40.0), 2.021075, 1e-5);
        close(t_quantile_975(60.0), 2.000298, 1e-5);
        close(t_quantile_975(120.0), 1.979930, 1e-5);
        close(t_quantile_975(1e9), 1.959964, 1e-6);
        // Fractional degrees of freedom fall between the neighbours; below 1 counts as 1.
        let t = t_quantile_975(9.5);
        assert!(t < t_quantile_975(9.0) && t > t_quantile_975(10.0));
        assert_eq!(t_quantile_975(0.3), t_quantile_975(1.0));
        // The expansion joins the table without a jump.
        close(t_quantile_975(30.000001), t_quantile_975(30.0), 1e-5);
    }

    #[test]
    fn mean_and_interval_of_a_small_sample() {
        let e = mean_ci(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(e.n, 5);
        close(e.mean, 3.0, 1e-12);
        close(e.sd, 2.5f64.sqrt(), 1e-12);
        close(e.half_width, 2.776445105 * (2.5f64 / 5.0).sqrt(), 1e-9);
        close(e.ci_low(), 3.0 - e.half_width, 1e-12);
        let one = mean_ci(&[7.0]);
        assert_eq!(one.mean, 7.0);
        assert!(one.sd.is_nan() && one.half_width.is_nan());
        assert_eq!(mean_ci(&[2.0, 2.0, 2.0]).half_width, 0.0);
    }

    #[test]
    fn pairing_removes_the_shared_variation() {
        let base = [10.0, 20.0, 30.0, 40.0];
        let x = [11.0, 21.5, 30.5, 41.0];
        let p = paired_difference(&x, &base);
        let w = welch_difference(&x, &base);
        close(p.mean, 1.0, 1e-12);
        close(w.mean, 1.0, 1e-12);
        assert!(p.half_width * 10.0 < w.half_width, "{p:?} {w:?}");
    }

    #[test]
    fn an_undefined_replication_makes_the_estimate_undefined_never_zero() {
        let e = mean_ci(&[0.2, f64::NAN, 0.4]);
        assert!(!e.is_defined() && e.ci_low().is_nan() && e.ci_high().is_nan(), "{e:?}");
        let p = paired_difference(&[0.2, f64::NAN, 0.4], &[0.1, 0.1, 0.1]);
        assert!(p.mean.is_nan() && p.half_width.is_nan(), "{p:?}");
        let p = paired_difference(&[0.2, 0.3, 0.4], &[0.1, f64::NAN, 0.1]);
        assert!(p.mean.is_nan(), "{p:?}");
        let w = welch_difference(&[0.2, 0.3], &[f64::NAN, f64::NAN]);
        assert!(w.mean.is_nan() && w.half_width.is_nan(), "{w:?}");
        assert!(mean_ci(&[]).mean.is_nan());
        assert!(mean_ci(&[f64::NAN]).mean.is_nan());
        // Defined everywhere: unchanged.
        assert!(mean_ci(&[0.2, 0.4]).is_defined());
    }

    #[test]
    fn welch_degrees_of_freedom() {
        // Equal variances and sizes: Welch's df is 2n - 2.
        let w = welch_difference(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]);
        close(w.df, 4.0, 1e-12);
        close(w.mean, -3.0, 1e-12);
        close(w.half_width, 2.776445105 * (2.0f64 / 3.0).sqrt(), 1e-9);
        // Unequal variances: between min(n) - 1 and the pooled df.
        let w = welch_difference(&[1.0, 2.0, 3.0, 4.0], &[0.0, 10.0, 20.0]);
        assert!(w.df > 2.0 && w.df < 5.0, "{}", w.df);
    }
    #[test]
    fn binomial_quantiles_match_direct_sums() {
        // Binomial(20, 0.05): P(X <= 2) = 0.9245, P(X <= 3) = 0.9841, P(X <= 4) = 0.9974.
        assert_eq!(binomial_quantile(20, 0.05, 0.99), 4);
        assert_eq!(binomial_quantile(20, 0.05, 0.98), 3);
        assert_eq!(binomial_quantile(20, 0.05, 0.5), 1);
        // Binomial(365, 0.05): mean 18.25, sd 4.16; the 99% quantile is 29 (R: qbinom(0.99, 365, 0.05)).
        assert_eq!(binomial_quantile(365, 0.05, 0.99), 29);
        // Large n does not underflow: (0.95)^20000 is 1e-446, below the smallest double.
        assert_eq!(binomial_quantile(20_000, 0.05, 0.99), 1072);
        assert_eq!(binomial_quantile(0, 0.05, 0.99), 0);
        assert_eq!(binomial_quantile(10, 0.0, 0.99), 0);
        assert_eq!(binomial_quantile(10, 1.0, 0.99), 10);
        assert_eq!(binomial_quantile(10, 0.05, 1.0), 10);
    }
}
