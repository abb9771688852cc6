//! The few statistics a sweep report computes from run-level values: means with 95% Student-t
//! intervals over replications, marginal responses (averaged over the other parameters first,
//! replication by replication), binned means for scattered designs, and daily means.
//!
//! Sums run in replication order, as in `scslab-experiment`, so a response at a design point
//! reproduces the sweep's own `summary.csv`. Non-finite values propagate: an outcome a scenario
//! lacks (NaN) stays NaN and is never drawn.

use std::collections::BTreeMap;

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

/// The 0.975 quantile of Student's t with `df` (at least 1) whole degrees of freedom: a table up
/// to 30, the Cornish-Fisher expansion in 1/df beyond (Abramowitz and Stegun 26.7.5, error
/// below 1e-6), as `scslab-experiment` computes it.
pub(crate) fn t_quantile_975(df: usize) -> f64 {
    if let Some(t) = T975.get(df.max(1) - 1) {
        return *t;
    }
    let (z, df) = (Z975, df as f64);
    let (z3, z5, z7, z9) = (z.powi(3), z.powi(5), z.powi(7), z.powi(9));
    let g1 = (z3 + z) / 4.0;
    let g2 = (5.0 * z5 + 16.0 * z3 + 3.0 * z) / 96.0;
    let g3 = (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / 384.0;
    let g4 = (79.0 * z9 + 776.0 * z7 + 1482.0 * z5 - 1920.0 * z3 - 945.0 * z) / 92160.0;
    z + g1 / df + g2 / df.powi(2) + g3 / df.powi(3) + g4 / df.powi(4)
}

/// A mean over replications and its 95% interval (NaN ends when there are fewer than two).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Estimate {
    /// Number of replications.
    pub n: usize,
    /// The mean.
    pub mean: f64,
    /// Lower end of the 95% interval.
    pub low: f64,
    /// Upper end of the 95% interval.
    pub high: f64,
}

/// Mean and 95% Student-t interval of independent values: `mean ± t(0.975, n − 1) · sd / √n`.
pub(crate) fn mean_ci(xs: &[f64]) -> Estimate {
    let n = xs.len();
    let mean = xs.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return Estimate { n, mean, low: f64::NAN, high: f64::NAN };
    }
    let variance = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64;
    let half_width = t_quantile_975(n - 1) * variance.sqrt() / (n as f64).sqrt();
    Estimate { n, mean, low: mean - half_width, high: mean + half_width }
}

/// One run's value of an outcome, at the value `x` of the parameter on the horizontal axis.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Observation {
    /// The parameter's value.
    pub x: f64,
    /// The run's replication.
    pub replication: u64,
    /// The outcome.
    pub y: f64,
}

/// The response of an outcome to one parameter of a grid, from one scenario's runs: for each
/// value of the parameter (ascending), each replication's runs at that value are averaged (over
/// the other parameters' values, if any vary), and these per-replication averages give the mean
/// and its 95% interval. Replications are independent (each has its own seed), so the interval is
/// that of the marginal mean; with one run per value and replication it is the sweep's own.
pub(crate) fn marginal_response(observations: &[Observation]) -> Vec<(f64, Estimate)> {
    let mut values: Vec<f64> = observations.iter().map(|o| o.x).collect();
    values.sort_by(f64::total_cmp);
    values.dedup();
    values
        .into_iter()
        .map(|x| {
            let mut by_replication: BTreeMap<u64, (f64, usize)> = BTreeMap::new();
            for o in observations.iter().filter(|o| o.x == x) {
                let (sum, count) = by_replication.entry(o.replication).or_default();
                *sum += o.y;
                *count += 1;
            }
            let averages: Vec<f64> = by_replication.values().map(|(sum, n)| sum / *n as f64).collect();
            (x, mean_ci(&averages))
        })
        .collect()
}

/// Means of `y` in `bins` bins of equal width over `[lo, hi]`, as (bin centre, mean), leaving
/// out empty bins. A value at `hi` falls in the last bin; values outside the interval, and
/// non-finite ones, are left out.
pub(crate) fn binned_means(points: &[(f64, f64)], lo: f64, hi: f64, bins: usize) -> Vec<(f64, f64)> {
    if bins == 0 || !(lo.is_finite() && hi.is_finite()) || hi <= lo {
        return Vec::new();
    }
    let width = (hi - lo) / bins as f64;
    let mut sums = vec![(0.0, 0usize); bins];
    for &(x, y) in points {
        if !(x.is_finite() && y.is_finite()) || x < lo || x > hi {
            continue;
        }
        let bin = (((x - lo) / width) as usize).min(bins - 1);
        sums[bin].0 += y;
        sums[bin].1 += 1;
    }
    sums.iter()
        .enumerate()
        .filter(|(_, (_, n))| *n > 0)
        .map(|(i, (sum, n))| (lo + (i as f64 + 0.5) * width, sum / *n as f64))
        .collect()
}

/// The number of bins for the binned mean of `points` design points: about their square root,
/// from 2 to 8.
pub(crate) fn bin_count(points: usize) -> usize {
    ((points as f64).sqrt().round() as usize).clamp(2, 8)
}

/// Means of `y` by day over the rows whose `keep` is true, for the days in `days` (ascending,
/// distinct); a day without rows is NaN.
pub(crate) fn daily_means(day: &[f64], y: &[f64], keep: &[bool], days: &[f64]) -> Vec<f64> {
    let mut sums = vec![(0.0, 0usize); days.len()];
    for ((d, v), _) in day.iter().zip(y).zip(keep).filter(|(_, k)| **k) {
        if let Ok(i) = days.binary_search_by(|probe| probe.total_cmp(d)) {
            sums[i].0 += v;
            sums[i].1 += 1;
        }
    }
    sums.iter().map(|(sum, n)| if *n == 0 { f64::NAN } else { sum / *n as f64 }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * b.abs().max(1.0)
    }

    #[test]
    fn t_quantiles_match_published_values() {
        assert!(close(t_quantile_975(1), 12.706204736));
        assert!(close(t_quantile_975(0), 12.706204736));
        assert!(close(t_quantile_975(4), 2.776445105));
        assert!(close(t_quantile_975(30), 2.042272456));
        // Published: t(0.975, 40) = 2.021075, t(0.975, 120) = 1.979930.
        assert!((t_quantile_975(40) - 2.021075).abs() < 1e-5);
        assert!((t_quantile_975(120) - 1.979930).abs() < 1e-5);
    }

    #[test]
    fn mean_ci_is_the_student_t_interval() {
        let e = mean_ci(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!((e.n, e.mean), (4, 2.5));
        // sd = sqrt(5/3), se = sd / 2, t(3) = 3.182446305.
        let half = 3.182446305 * (5.0f64 / 3.0).sqrt() / 2.0;
        assert!(close(e.low, 2.5 - half) && close(e.high, 2.5 + half));
        let one = mean_ci(&[7.0]);
        assert_eq!(one.mean, 7.0);
        assert!(one.low.is_nan() && one.high.is_nan());
        let flat = mean_ci(&[3.0, 3.0]);
        assert_eq!((flat.low, flat.high), (3.0, 3.0));
    }

    fn obs(x: f64, replication: u64, y: f64) -> Observation {
        Observation { x, replication, y }
    }

    #[test]
    fn a_marginal_response_averages_other_parameters_within_each_replication() {
        // x = 0 or 1; a second parameter (not shown) takes two values, so each (x, replication)
        // has two runs. Replication 0 averages to 2 and 6, replication 1 to 4 and 10.
        let o = [
            obs(1.0, 0, 5.0),
            obs(1.0, 0, 7.0),
            obs(0.0, 0, 1.0),
            obs(0.0, 0, 3.0),
            obs(0.0, 1, 4.0),
            obs(0.0, 1, 4.0),
            obs(1.0, 1, 12.0),
            obs(1.0, 1, 8.0),
        ];
        let r = marginal_response(&o);
        assert_eq!(r.iter().map(|p| p.0).collect::<Vec<_>>(), [0.0, 1.0]);
        assert_eq!(r[0].1, mean_ci(&[2.0, 4.0]));
        assert_eq!(r[1].1, mean_ci(&[6.0, 10.0]));
        assert_eq!(r[1].1.n, 2);
    }

    #[test]
    fn a_response_without_other_parameters_is_the_mean_of_the_replications() {
        let o = [obs(0.5, 0, 1.0), obs(0.5, 1, 2.0), obs(0.5, 2, 6.0)];
        assert_eq!(marginal_response(&o), [(0.5, mean_ci(&[1.0, 2.0, 6.0]))]);
        let missing = marginal_response(&[obs(0.5, 0, f64::NAN), obs(0.5, 1, f64::NAN)]);
        assert!(missing[0].1.mean.is_nan());
    }

    #[test]
    fn binned_means_cover_the_interval_and_skip_empty_bins() {
        let pts = [(0.0, 1.0), (0.1, 3.0), (0.9, 10.0), (1.0, 20.0), (2.0, 99.0), (0.5, f64::NAN)];
        let b = binned_means(&pts, 0.0, 1.0, 4);
        assert_eq!(b, [(0.125, 2.0), (0.875, 15.0)]);
        assert!(binned_means(&pts, 1.0, 1.0, 4).is_empty());
        assert_eq!((bin_count(1), bin_count(9), bin_count(20), bin_count(400)), (2, 3, 4, 8));
    }

    #[test]
    fn daily_means_average_the_kept_rows_of_each_day() {
        let day = [0.0, 1.0, 0.0, 1.0, 0.0];
        let y = [1.0, 2.0, 3.0, 4.0, 100.0];
        let keep = [true, true, true, true, false];
        let m = daily_means(&day, &y, &keep, &[0.0, 1.0, 2.0]);
        assert_eq!(m[..2], [2.0, 3.0]);
        assert!(m[2].is_nan());
    }
}
