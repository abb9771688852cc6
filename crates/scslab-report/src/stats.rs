//! The few statistics a sweep report computes from run-level values: means with 95% Student-t
//! intervals over replications, marginal responses (averaged over the other parameters first,
//! replication by replication), binned means for scattered designs, and daily means.
//!
//! Sums run in replication order and intervals come from `scslab-stats`, as in
//! `scslab-experiment`, so a response at a design point reproduces the sweep's own `summary.csv`.
//! Non-finite values propagate: an outcome a scenario lacks (NaN) stays NaN and is never drawn.

use std::collections::BTreeMap;

/// Means with 95% Student-t intervals: the shared arithmetic of `scslab-stats`, the very one
/// the sweep used for its `summary.csv`.
pub(crate) use scslab_stats::{Estimate, mean_ci};

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
