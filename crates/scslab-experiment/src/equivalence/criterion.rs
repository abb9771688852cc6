//! The equivalence criterion, pure arithmetic over replications: one outcome (a headline, or a
//! series on one day) of variant B against variant A, a daily series over its days, and a family
//! of headlines. Definitions and reasons: docs/EXPERIMENTS.md, "Equivalence of two variants".

use scslab_core::rng::mix64;

use crate::stats::{binomial_quantile, mean_ci, welch_difference};

/// The relative tolerance: a difference within 2% of |mean A| passes even when its interval
/// excludes 0 (issue 14: "within its 95% interval or within 2% of the outcome's value, whichever
/// is wider").
pub const RELATIVE_TOLERANCE: f64 = 0.02;

/// The chance that an outcome on which A and B agree fails anyway: its 95% interval misses 0
/// (at most; less where the 2% rule is the wider tolerance).
pub const CHANCE_FAILURE: f64 = 0.05;

/// Failures allowed among many comparisons (the days of a series, the headlines of a scenario):
/// as many as chance alone exceeds only 1% of the time, the 99% quantile of
/// Binomial(comparisons, [`CHANCE_FAILURE`]).
pub const ALLOWANCE_QUANTILE: f64 = 0.99;

/// A failure this many times beyond its tolerance (|diff| / tolerance above it) is never excused
/// as chance: with 6 seeds per variant Welch's t would have to exceed 4 x its 95% quantile,
/// which happens by chance about once in 7,000 comparisons at the fewest degrees of freedom (5)
/// and once in 200,000 at 10. Measured A against A (docs/EXPERIMENTS.md), the largest ratio
/// over 240 base seeds was 3.4 (a few days of mean fear, whose spread over runs is skewed).
pub const GROSS_RATIO: f64 = 4.0;

/// An event count (a day's sanctions) averaging fewer events a day than this, over every run and
/// day of both variants, is sparse: it is compared on windows of days long enough to hold this
/// many events on average ([`window_days`]), where Welch's interval covers as it should.
pub const SPARSE_EVENTS: f64 = 20.0;

/// Splits of the pooled runs drawn at random for [`permutation_allowance`] when there are more
/// than this many (besides the observed one); fewer are all enumerated.
pub const PERMUTATION_SPLITS: usize = 999;

/// The lag-1 autocorrelation used for a series' allowance is clamped to [0, this].
pub const MAX_AUTOCORRELATION: f64 = 0.99;

/// How one comparison came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// The difference B - A lies within its tolerance.
    Pass,
    /// It does not; or the outcome is undefined (NaN) in every replication of one variant and
    /// not of the other; or a variant has a single defined replication, too few for an interval.
    Fail,
    /// Undefined in every replication of both variants (e.g. a share of sanctions in a regime
    /// without sanctions): reported, counted neither as a pass nor as a failure.
    Undefined,
}

impl Status {
    /// As written in the `pass` column: `true`, `false`, or empty for undefined.
    pub fn pass_field(self) -> &'static str {
        match self {
            Status::Pass => "true",
            Status::Fail => "false",
            Status::Undefined => "",
        }
    }
}

/// One outcome of B against A.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Comparison {
    /// Mean of A over its defined replications (NaN if none).
    pub mean_a: f64,
    /// Mean of B over its defined replications (NaN if none).
    pub mean_b: f64,
    /// `mean_b - mean_a`.
    pub diff: f64,
    /// Lower end of Welch's 95% interval of the difference.
    pub ci_low: f64,
    /// Upper end of Welch's 95% interval of the difference.
    pub ci_high: f64,
    /// The wider of the interval's half-width and 2% of |mean A|: the difference passes when
    /// |diff| <= tolerance (the interval is symmetric, so |diff| <= half-width is "contains 0").
    pub tolerance: f64,
    /// Whether the interval, not the 2% rule, set the tolerance: then a chance failure has
    /// probability about [`CHANCE_FAILURE`]; otherwise less.
    pub interval_bound: bool,
    /// Replications of A where the outcome is defined (finite).
    pub defined_a: usize,
    /// Replications of B where the outcome is defined.
    pub defined_b: usize,
    /// The outcome.
    pub status: Status,
}

impl Comparison {
    /// |diff| / tolerance: below 1 passes. 0 when both are 0, infinite when only the tolerance
    /// is, NaN when the comparison is undefined.
    pub fn ratio(&self) -> f64 {
        match self.status {
            Status::Undefined => f64::NAN,
            _ if !self.diff.is_finite() || !self.tolerance.is_finite() => f64::INFINITY,
            _ if self.diff == 0.0 => 0.0,
            _ => self.diff.abs() / self.tolerance,
        }
    }
}

impl Comparison {
    /// Failed by more than [`GROSS_RATIO`] times its tolerance, with at least two defined runs
    /// in each variant (a failure for want of defined runs is an ordinary failure): never
    /// excused as chance.
    pub fn gross(&self) -> bool {
        self.status == Status::Fail
            && self.defined_a >= 2
            && self.defined_b >= 2
            && self.ratio() > GROSS_RATIO
    }
}

/// Compares one outcome's replications of B with A's (independent seeds: Welch's unpaired
/// difference). Undefined replications (NaN, infinite) are left out of the means and counted in
/// `defined_a`/`defined_b`; see [`Status`] for when they decide the outcome.
pub fn compare(a: &[f64], b: &[f64]) -> Comparison {
    let finite = |x: &[f64]| -> Vec<f64> { x.iter().copied().filter(|v| v.is_finite()).collect() };
    let (da, db) = (finite(a), finite(b));
    let (ea, eb) = (mean_ci(&da), mean_ci(&db));
    let w = welch_difference(&db, &da);
    let mut c = Comparison {
        mean_a: ea.mean,
        mean_b: eb.mean,
        diff: eb.mean - ea.mean,
        ci_low: w.ci_low(),
        ci_high: w.ci_high(),
        tolerance: f64::NAN,
        interval_bound: false,
        defined_a: da.len(),
        defined_b: db.len(),
        status: Status::Fail,
    };
    if da.is_empty() && db.is_empty() {
        c.status = Status::Undefined;
        return c;
    }
    if da.len() < 2 || db.len() < 2 {
        return c;
    }
    let relative = RELATIVE_TOLERANCE * c.mean_a.abs();
    c.interval_bound = w.half_width >= relative;
    c.tolerance = w.half_width.max(relative);
    if c.diff.abs() <= c.tolerance {
        c.status = Status::Pass;
    }
    c
}

/// Failures allowed among `n` comparisons that each fail by chance with probability
/// [`CHANCE_FAILURE`] at most.
pub fn allowed_failures(n: usize) -> u64 {
    binomial_quantile(n as u64, CHANCE_FAILURE, ALLOWANCE_QUANTILE)
}

/// The lag-1 autocorrelation of a series' run-to-run noise, pooled over both variants' runs:
/// each run's value in a period (a day or a window) is standardised against its own variant's
/// mean and standard deviation in that period, and the products of consecutive standardised
/// values are summed over every run. `a[r][t]` is run `r`'s value in period `t`.
///
/// Within a variant, a run's deviation from the variant's mean is chance alone, whatever the
/// difference between the variants; the difference of the two means on a day is an average of
/// such deviations, so it carries their autocorrelation, estimated here from 2N runs rather than
/// from one series of differences. Periods where a variant has fewer than two defined runs or no
/// spread are skipped. Clamped to [0, [`MAX_AUTOCORRELATION`]]; 0 when nothing can be estimated.
pub fn lag1_autocorrelation(a: &[Vec<f64>], b: &[Vec<f64>]) -> f64 {
    let (mut cross, mut now, mut before) = (0.0, 0.0, 0.0);
    for runs in [a, b] {
        let periods = runs.iter().map(Vec::len).max().unwrap_or(0);
        // Each period's mean and standard deviation over the variant's defined runs; `None`
        // where fewer than two are defined or they do not spread.
        let value = |r: &Vec<f64>, t: usize| r.get(t).copied().unwrap_or(f64::NAN);
        let moments: Vec<Option<(f64, f64)>> = (0..periods)
            .map(|t| {
                let values: Vec<f64> = runs.iter().map(|r| value(r, t)).filter(|v| v.is_finite()).collect();
                let e = mean_ci(&values);
                (values.len() >= 2 && e.sd > 0.0 && e.sd.is_finite()).then_some((e.mean, e.sd))
            })
            .collect();
        let standardised: Vec<Vec<f64>> = runs
            .iter()
            .map(|r| {
                moments
                    .iter()
                    .enumerate()
                    .map(|(t, m)| m.map_or(f64::NAN, |(mean, sd)| (value(r, t) - mean) / sd))
                    .collect()
            })
            .collect();
        for z in &standardised {
            for pair in z.windows(2) {
                let (y, x) = (pair[0], pair[1]);
                if x.is_finite() && y.is_finite() {
                    cross += x * y;
                    now += x * x;
                    before += y * y;
                }
            }
        }
    }
    let rho = cross / (now * before).sqrt();
    if rho.is_finite() { rho.clamp(0.0, MAX_AUTOCORRELATION) } else { 0.0 }
}

/// The effective number of independent periods among `n` whose noise has lag-1 autocorrelation
/// `rho` (that of an AR(1) process: n (1 - rho) / (1 + rho)), at least 1 and at most `n`.
pub fn effective_periods(n: usize, rho: f64) -> f64 {
    let rho = if rho.is_finite() { rho.clamp(0.0, MAX_AUTOCORRELATION) } else { 0.0 };
    (n as f64 * (1.0 - rho) / (1.0 + rho)).clamp(1.0_f64.min(n as f64), n as f64)
}

/// Failing periods allowed among `n` compared periods whose noise has lag-1 autocorrelation
/// `rho`: the failures of correlated periods come in runs of about n / n_eff, so the allowance
/// is [`allowed_failures`] of n_eff (rounded, at least 1) independent periods, scaled back by
/// n / n_eff and rounded, at least [`allowed_failures`] of `n` (its value at `rho` = 0) and at
/// most `n`.
pub fn allowed_failures_correlated(n: usize, rho: f64) -> u64 {
    if n == 0 {
        return 0;
    }
    let independent = (effective_periods(n, rho).round() as usize).clamp(1, n);
    let scaled = allowed_failures(independent) as f64 * n as f64 / independent as f64;
    // Correlation widens the count's distribution without moving its mean: never fewer than
    // for independent periods (rounding the effective number could otherwise shave one off).
    (scaled.round() as u64).max(allowed_failures(n)).min(n as u64)
}

/// Days per window for an event count averaging `mean_daily` events a day over `days` days: 1
/// when it is not sparse (at least [`SPARSE_EVENTS`] a day) or has no event at all, else the
/// fewest days that hold [`SPARSE_EVENTS`] events on average, at most `days`.
pub fn window_days(mean_daily: f64, days: usize) -> usize {
    // NaN fails `is_finite`; a mean of 0 or less has no event to pool.
    if !mean_daily.is_finite() || mean_daily <= 0.0 || mean_daily >= SPARSE_EVENTS || days == 0 {
        return 1;
    }
    ((SPARSE_EVENTS / mean_daily).ceil() as usize).clamp(1, days)
}

/// The windows of `window` days that cover `days` days, as (first day, length): consecutive,
/// not overlapping, from day 0; the days left over at the end join the last window.
pub fn windows(days: usize, window: usize) -> Vec<(usize, usize)> {
    let window = window.max(1);
    let count = (days / window).max(1);
    (0..count)
        .map(|i| {
            let first = i * window;
            let len = if i + 1 == count { days - first } else { window };
            (first, len)
        })
        .filter(|&(_, len)| len > 0)
        .collect()
}

/// How many of a family of comparisons fail by chance, from the runs themselves: the allowance
/// (the [`ALLOWANCE_QUANTILE`] quantile) and the mean of the number of failures over splits of
/// the pooled runs into two groups of the variants' sizes. `a[j]` and `b[j]` are comparison
/// `j`'s values in A's and B's runs.
///
/// If A and B are the same model, their runs are exchangeable: every split is as likely as the
/// observed one, and its number of failures is a draw from the null distribution of the count,
/// whatever the correlations between the comparisons (a sanction count and its mean over days
/// move together; so do fear, criticism and resentment) and however well each interval covers.
/// Every split is used when there are at most [`PERMUTATION_SPLITS`] + 1 (6 seeds per variant:
/// 924), else the observed one and [`PERMUTATION_SPLITS`] drawn from a fixed counter-based
/// stream, so the result is reproducible. Returns (0, 0.0) for an empty family.
///
/// `None` when there are fewer than [`MIN_SPLITS`] splits (fewer than 5 runs per variant): the
/// observed split and its mirror are then more than 1% of them, and no count could exceed the
/// quantile; [`headline_allowance`] falls back on the binomial allowance.
pub fn permutation_allowance(a: &[Vec<f64>], b: &[Vec<f64>]) -> Option<(u64, f64)> {
    let (na, nb) = (a.first().map_or(0, Vec::len), b.first().map_or(0, Vec::len));
    if a.is_empty() || na + nb == 0 {
        return Some((0, 0.0));
    }
    if permutation_splits(na, nb) < MIN_SPLITS {
        return None;
    }
    let pooled: Vec<Vec<f64>> = a.iter().zip(b).map(|(x, y)| x.iter().chain(y).copied().collect()).collect();
    let mut counts = Vec::new();
    let mut count = |in_a: &[bool]| {
        let failed = pooled
            .iter()
            .filter(|values| {
                let pick = |side: bool| -> Vec<f64> {
                    values.iter().zip(in_a).filter(|&(_, &s)| s == side).map(|(&v, _)| v).collect()
                };
                compare(&pick(true), &pick(false)).status == Status::Fail
            })
            .count();
        counts.push(failed as u64);
    };
    let total = na + nb;
    if permutation_splits(na, nb) <= PERMUTATION_SPLITS {
        // Every subset of `na` runs as A, in lexicographic order of their indices.
        let mut chosen: Vec<usize> = (0..na).collect();
        loop {
            let mut in_a = vec![false; total];
            chosen.iter().for_each(|&i| in_a[i] = true);
            count(&in_a);
            let Some(i) = (0..na).rev().find(|&i| chosen[i] < total - na + i) else { break };
            chosen[i] += 1;
            for k in i + 1..na {
                chosen[k] = chosen[k - 1] + 1;
            }
        }
    } else {
        let observed: Vec<bool> = (0..total).map(|i| i < na).collect();
        count(&observed);
        for split in 1..=PERMUTATION_SPLITS as u64 {
            let key = |i: usize| mix64(mix64(PERMUTATION_STREAM ^ split).wrapping_add(i as u64));
            let mut order: Vec<usize> = (0..total).collect();
            order.sort_by_key(|&i| (key(i), i));
            let mut in_a = vec![false; total];
            order[..na].iter().for_each(|&i| in_a[i] = true);
            count(&in_a);
        }
    }
    counts.sort_unstable();
    let at = ((ALLOWANCE_QUANTILE * counts.len() as f64).ceil() as usize).clamp(1, counts.len()) - 1;
    let expected = counts.iter().sum::<u64>() as f64 / counts.len() as f64;
    Some((counts[at], expected))
}

/// Fewest splits for [`permutation_allowance`]: the observed split and its mirror (B as A) are
/// at most 1% of them.
pub const MIN_SPLITS: usize = 200;

/// The failures allowed and expected among a scenario's headline-like comparisons: by
/// [`permutation_allowance`] when the runs allow it, else (fewer than 5 runs per variant) the
/// [`allowed_failures`] of the comparisons whose tolerance is their interval, each failing by
/// chance with probability [`CHANCE_FAILURE`] (which correlated comparisons exceed).
pub fn headline_allowance(comparisons: &[Comparison], a: &[Vec<f64>], b: &[Vec<f64>]) -> (u64, f64) {
    permutation_allowance(a, b).unwrap_or_else(|| {
        let m = comparisons.iter().filter(|c| c.status != Status::Undefined && c.interval_bound).count();
        (allowed_failures(m), CHANCE_FAILURE * m as f64)
    })
}

/// The key of the splits' random stream (fixed: the splits depend on nothing but the sizes).
const PERMUTATION_STREAM: u64 = 0x6571_7569_7661_6c65;

/// The splits [`permutation_allowance`] uses for variants of `na` and `nb` runs: all of them
/// (the ways to choose `na` of `na + nb`) when there are at most [`PERMUTATION_SPLITS`] + 1,
/// else the observed one and [`PERMUTATION_SPLITS`] drawn.
pub fn permutation_splits(na: usize, nb: usize) -> usize {
    let mut c: u128 = 1;
    for i in 0..na.min(nb) {
        c = c * (na + nb - i) as u128 / (i + 1) as u128;
        if c > PERMUTATION_SPLITS as u128 + 1 {
            return PERMUTATION_SPLITS + 1;
        }
    }
    c as usize
}

/// A daily series compared day by day, or window by window for a sparse event count.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SeriesVerdict {
    /// Days per compared period: 1, or the window of a sparse event count ([`window_days`]).
    pub window: u32,
    /// Periods compared (passed or failed; undefined periods left out).
    pub compared: usize,
    /// Periods that failed.
    pub failed: usize,
    /// Periods that failed grossly ([`Comparison::gross`]).
    pub gross: usize,
    /// Periods undefined in both variants.
    pub undefined: usize,
    /// The lag-1 autocorrelation of the runs' noise ([`lag1_autocorrelation`]).
    pub autocorrelation: f64,
    /// The effective number of independent periods ([`effective_periods`] of `compared`).
    pub effective: f64,
    /// Failing periods allowed: [`allowed_failures_correlated`] of `compared`.
    pub allowed: u64,
    /// The largest |diff| / tolerance over the compared periods (infinite if a period failed
    /// for want of defined replications).
    pub worst_ratio: f64,
    /// The first day (0-based) of the period of `worst_ratio`.
    pub worst_day: Option<u32>,
    /// Pass when `failed <= allowed` and none failed grossly; undefined when no period could be
    /// compared.
    pub status: Status,
}

/// The verdict of a series from its periods' comparisons: `periods[i]` covers the days from
/// `first_days[i]` for `window` days, and `rho` is the runs' lag-1 autocorrelation over the
/// periods ([`lag1_autocorrelation`]).
///
/// With many periods some fail by chance, so the series passes when no more fail than chance
/// allows. Periods of a persistent series are nearly the same test again (a stock that is high
/// one day is high the next), so its failures come in runs: the allowance counts effective
/// independent periods ([`allowed_failures_correlated`]). A very persistent series is then
/// allowed to fail on most days; its mean over days, a headline-like comparison, is the test
/// that catches a small persistent difference (docs/EXPERIMENTS.md), and a period that fails by
/// more than [`GROSS_RATIO`] times its tolerance fails the series whatever the allowance.
pub fn series_verdict(periods: &[Comparison], first_days: &[u32], window: u32, rho: f64) -> SeriesVerdict {
    let mut v = SeriesVerdict {
        window,
        compared: 0,
        failed: 0,
        gross: 0,
        undefined: 0,
        autocorrelation: rho,
        effective: 0.0,
        allowed: 0,
        worst_ratio: f64::NAN,
        worst_day: None,
        status: Status::Undefined,
    };
    for (c, &d) in periods.iter().zip(first_days) {
        match c.status {
            Status::Undefined => {
                v.undefined += 1;
                continue;
            }
            Status::Fail => v.failed += 1,
            Status::Pass => {}
        }
        v.gross += usize::from(c.gross());
        v.compared += 1;
        let r = c.ratio();
        if v.worst_day.is_none() || r > v.worst_ratio {
            v.worst_ratio = r;
            v.worst_day = Some(d);
        }
    }
    v.effective = effective_periods(v.compared, rho);
    v.allowed = allowed_failures_correlated(v.compared, rho);
    if v.compared > 0 {
        v.status = if v.failed as u64 <= v.allowed && v.gross == 0 { Status::Pass } else { Status::Fail };
    }
    v
}

/// A verdict over several comparisons.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    /// Nothing failed.
    Pass,
    /// Some headlines failed, no more than chance allows (listed in the table: look at them).
    PassWithinChance,
    /// More failed than chance allows, or a series failed.
    Fail,
}

impl Verdict {
    /// In words, for the tables.
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::PassWithinChance => "PASS (failures within chance)",
            Verdict::Fail => "FAIL",
        }
    }

    /// Its key in `manifest.json` and `equivalence.csv`.
    pub fn key(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::PassWithinChance => "pass_within_chance",
            Verdict::Fail => "fail",
        }
    }
}

/// The headlines of one scenario and its series' means over days, taken together.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HeadlineVerdict {
    /// Headlines and series means compared (passed or failed).
    pub compared: usize,
    /// Those that failed.
    pub failed: usize,
    /// Failures beyond [`GROSS_RATIO`] times their tolerance, with at least two defined runs
    /// in each variant: never excused as chance.
    pub gross: usize,
    /// Headlines and series means undefined in both variants.
    pub undefined: usize,
    /// Compared ones whose tolerance is their interval (the others are bounded by the 2% rule).
    pub interval_bound: usize,
    /// Failures expected by chance if A and B are the same model: the mean number over splits
    /// of the pooled runs ([`permutation_allowance`]).
    pub expected: f64,
    /// Failures allowed: the [`ALLOWANCE_QUANTILE`] quantile of that number over the splits.
    pub allowed: u64,
    /// Pass if none failed, pass within chance if at most `allowed` did and none grossly, else
    /// fail.
    pub verdict: Verdict,
}

/// The verdict of a scenario's headline-like comparisons (its headlines and its series' means
/// over days), given the failures chance allows and expects ([`permutation_allowance`]).
///
/// Each is its own test at 95%; with a few dozen of them, some fail by chance even when A and B
/// are the same model, and they fail together when correlated. A failure is never hidden: the
/// verdict is `Pass` only when none failed, and `PassWithinChance` (still a pass, exit code 0)
/// when no more than `allowed` failed and none by more than [`GROSS_RATIO`] times its
/// tolerance.
pub fn headline_verdict(headlines: &[Comparison], allowed: u64, expected: f64) -> HeadlineVerdict {
    let compared: Vec<&Comparison> = headlines.iter().filter(|c| c.status != Status::Undefined).collect();
    let failed = compared.iter().filter(|c| c.status == Status::Fail).count();
    let gross = compared.iter().filter(|c| c.gross()).count();
    let interval_bound = compared.iter().filter(|c| c.interval_bound).count();
    let verdict = match failed {
        0 => Verdict::Pass,
        f if f as u64 <= allowed && gross == 0 => Verdict::PassWithinChance,
        _ => Verdict::Fail,
    };
    HeadlineVerdict {
        compared: compared.len(),
        failed,
        gross,
        undefined: headlines.len() - compared.len(),
        interval_bound,
        expected,
        allowed,
        verdict,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_difference_inside_its_interval_passes_and_outside_fails() {
        // Means 10 and 11, sd 1 on both sides, n = 5: Welch half-width t(8) * sqrt(2/5) = 1.46.
        let a = [9.0, 9.5, 10.0, 10.5, 11.0];
        let b: Vec<f64> = a.iter().map(|x| x + 1.0).collect();
        let c = compare(&a, &b);
        assert_eq!((c.mean_a, c.mean_b, c.diff), (10.0, 11.0, 1.0));
        assert!(c.ci_low < 0.0 && c.ci_high > 0.0, "{c:?}");
        assert!(c.interval_bound && (c.tolerance - (c.ci_high - c.diff)).abs() < 1e-12);
        assert_eq!(c.status, Status::Pass);
        assert!(c.ratio() > 0.0 && c.ratio() < 1.0);
        // Shifted by 3: the interval excludes 0 and 3 is far beyond 2% of 10.
        let b: Vec<f64> = a.iter().map(|x| x + 3.0).collect();
        let c = compare(&a, &b);
        assert!(c.ci_low > 0.0, "{c:?}");
        assert_eq!(c.status, Status::Fail);
        assert!(c.ratio() > 1.0);
    }

    #[test]
    fn the_two_percent_rule_passes_a_precise_small_difference() {
        // Almost no noise: the interval excludes 0 but the difference is 1.5% of A.
        let a = [100.0, 100.01, 99.99, 100.0];
        let b: Vec<f64> = a.iter().map(|x| x + 1.5).collect();
        let c = compare(&a, &b);
        assert!(c.ci_low > 0.0, "the interval excludes 0: {c:?}");
        assert!(!c.interval_bound);
        assert!((c.tolerance - 2.0).abs() < 1e-9, "{c:?}");
        assert_eq!(c.status, Status::Pass);
        // 2.5%: beyond both.
        let b: Vec<f64> = a.iter().map(|x| x + 2.5).collect();
        assert_eq!(compare(&a, &b).status, Status::Fail);
        // Of |mean A|: a negative outcome gets a positive tolerance.
        let neg: Vec<f64> = a.iter().map(|x| -x).collect();
        let b: Vec<f64> = neg.iter().map(|x| x - 1.5).collect();
        assert_eq!(compare(&neg, &b).status, Status::Pass);
    }

    #[test]
    fn identical_constant_outcomes_pass_and_different_constants_fail() {
        let c = compare(&[0.0, 0.0, 0.0], &[0.0, 0.0, 0.0]);
        assert_eq!((c.status, c.tolerance, c.ratio()), (Status::Pass, 0.0, 0.0));
        let c = compare(&[0.0, 0.0, 0.0], &[1.0, 1.0, 1.0]);
        assert_eq!(c.status, Status::Fail);
        assert_eq!(c.ratio(), f64::INFINITY);
    }

    #[test]
    fn undefined_values_are_reported_never_a_silent_pass() {
        let nan = f64::NAN;
        // Undefined everywhere on both sides: undefined, neither pass nor fail.
        let c = compare(&[nan, nan], &[nan, nan]);
        assert_eq!(c.status, Status::Undefined);
        assert_eq!(Status::Undefined.pass_field(), "");
        assert!(c.ratio().is_nan() && c.mean_a.is_nan());
        // Undefined on one side only: a difference between the variants, a failure.
        let c = compare(&[0.1, 0.2, 0.3], &[nan, nan, nan]);
        assert_eq!((c.status, c.defined_a, c.defined_b), (Status::Fail, 3, 0));
        // A single defined replication gives no interval: a failure, not a pass.
        assert_eq!(compare(&[0.1, 0.2, 0.3], &[nan, 0.2, nan]).status, Status::Fail);
        // Partly undefined: compared over the defined replications, which are counted.
        let c = compare(&[0.1, nan, 0.3, 0.2], &[0.2, 0.1, 0.3, nan]);
        assert_eq!((c.defined_a, c.defined_b), (3, 3));
        assert_eq!(c.status, Status::Pass);
        assert!((c.mean_a - 0.2).abs() < 1e-12);
        // Infinite values count as undefined.
        assert_eq!(compare(&[f64::INFINITY, 1.0, 1.0], &[1.0, 1.0]).defined_a, 2);
    }

    fn day(status: Status, ratio: f64) -> Comparison {
        let mut c = compare(&[1.0, 1.0], &[1.0, 1.0]);
        c.status = status;
        c.diff = ratio;
        c.tolerance = 1.0;
        c
    }

    #[test]
    fn a_series_passes_with_the_failing_days_chance_allows() {
        // 365 independent days (rho 0): up to 29 may fail (the 99% quantile of
        // Binomial(365, 0.05)).
        let first: Vec<u32> = (0..365).collect();
        let mut days: Vec<Comparison> = (0..365).map(|_| day(Status::Pass, 0.5)).collect();
        for d in days.iter_mut().take(29) {
            *d = day(Status::Fail, 1.2);
        }
        days[100] = day(Status::Fail, 3.0);
        let v = series_verdict(&days, &first, 1, 0.0);
        assert_eq!((v.compared, v.failed, v.allowed, v.window), (365, 30, 29, 1));
        assert_eq!(v.status, Status::Fail);
        assert_eq!((v.worst_ratio, v.worst_day), (3.0, Some(100)));
        // The same failures in a persistent series (rho 0.5: 122 effective days) are chance.
        let v = series_verdict(&days, &first, 1, 0.5);
        assert_eq!(v.allowed, allowed_failures_correlated(365, 0.5));
        assert!(v.allowed > 30 && (v.effective - 365.0 / 3.0).abs() < 1e-9, "{v:?}");
        assert_eq!(v.status, Status::Pass);
        days[100] = day(Status::Pass, 0.9);
        let v = series_verdict(&days, &first, 1, 0.0);
        assert_eq!((v.failed, v.status), (29, Status::Pass));
        // Undefined days are counted apart and shrink the allowance.
        days[300] = day(Status::Undefined, 0.0);
        let v = series_verdict(&days, &first, 1, 0.0);
        assert_eq!((v.compared, v.undefined, v.allowed), (364, 1, allowed_failures(364)));
        // A period failing by more than four times its tolerance fails even a persistent series.
        let mut persistent: Vec<Comparison> = (0..60).map(|_| day(Status::Fail, 1.5)).collect();
        let v = series_verdict(&persistent, &first[..60], 1, 0.99);
        assert_eq!((v.failed, v.allowed, v.gross, v.status), (60, 60, 0, Status::Pass));
        persistent[30] = day(Status::Fail, 4.2);
        let v = series_verdict(&persistent, &first[..60], 1, 0.99);
        assert_eq!((v.gross, v.status), (1, Status::Fail));
        // Windows report the first day of the worst one.
        let v = series_verdict(&[day(Status::Pass, 0.2), day(Status::Fail, 1.5)], &[0, 14], 14, 0.0);
        assert_eq!((v.worst_day, v.window, v.failed, v.allowed), (Some(14), 14, 1, 1));
        // No day defined: undefined.
        let v = series_verdict(&[day(Status::Undefined, 0.0); 3], &[0, 1, 2], 1, 0.0);
        assert_eq!((v.status, v.worst_day), (Status::Undefined, None));
    }

    #[test]
    fn the_allowance_counts_effective_independent_days() {
        // Independent days: the binomial allowance unchanged.
        for n in [1, 20, 60, 365] {
            assert_eq!(allowed_failures_correlated(n, 0.0), allowed_failures(n));
        }
        // rho 0.5: 60 days are 20 independent ones, whose 99% quantile (4) is scaled by 3.
        assert_eq!(allowed_failures(20), 4);
        assert_eq!(allowed_failures_correlated(60, 0.5), 12);
        assert!((effective_periods(60, 0.5) - 20.0).abs() < 1e-12);
        // A series as persistent as the clamp allows is one test: any number of days may fail.
        assert_eq!(allowed_failures_correlated(60, 0.999), 60);
        assert_eq!(effective_periods(60, 0.999), 1.0);
        // Negative or undefined autocorrelation counts as none; no day allows nothing.
        assert_eq!(allowed_failures_correlated(60, -0.4), allowed_failures(60));
        assert_eq!(allowed_failures_correlated(60, f64::NAN), allowed_failures(60));
        assert_eq!(allowed_failures_correlated(0, 0.5), 0);
        // Persistence never allows fewer failing days than independence, and allows more as it
        // grows (not day for day: the binomial quantile is a step function).
        for i in 0..=99 {
            assert!(allowed_failures_correlated(365, i as f64 / 100.0) >= allowed_failures(365), "{i}");
        }
        let at = |rho: f64| allowed_failures_correlated(365, rho);
        assert!(at(0.0) < at(0.3) && at(0.3) < at(0.6) && at(0.6) < at(0.9) && at(0.9) < at(0.99));
    }

    /// Runs of a deterministic noise in [-0.5, 0.5): `runs` runs over `days` days, each day's
    /// value `persistence` x the day before's + fresh noise, plus `shift`.
    fn noisy_runs(runs: u64, days: usize, persistence: f64, shift: f64, salt: u64) -> Vec<Vec<f64>> {
        (0..runs)
            .map(|r| {
                let mut x = 0.0;
                (0..days)
                    .map(|d| {
                        let u = scslab_core::rng::unit(mix64(salt ^ mix64(r * 1_000_003 + d as u64))) - 0.5;
                        x = persistence * x + u;
                        x + shift
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn the_autocorrelation_is_that_of_the_runs_noise() {
        // Fresh noise every day: about 0 (clamped at 0 from below).
        let (a, b) = (noisy_runs(6, 200, 0.0, 0.0, 1), noisy_runs(6, 200, 0.0, 0.0, 2));
        assert!(lag1_autocorrelation(&a, &b) < 0.1, "{}", lag1_autocorrelation(&a, &b));
        // AR(1) with coefficient 0.8 (stationary after a burn-in): about 0.8.
        let burn = |r: Vec<Vec<f64>>| -> Vec<Vec<f64>> { r.into_iter().map(|v| v[50..].to_vec()).collect() };
        let (a, b) = (burn(noisy_runs(10, 400, 0.8, 0.0, 3)), burn(noisy_runs(10, 400, 0.8, 0.0, 4)));
        let rho = lag1_autocorrelation(&a, &b);
        assert!((rho - 0.8).abs() < 0.08, "{rho}");
        // A difference between the variants, even a drifting one, is not noise: unchanged.
        let drift: Vec<Vec<f64>> = b
            .iter()
            .map(|r| r.iter().enumerate().map(|(d, x)| x + 0.01 * d as f64 + 5.0).collect())
            .collect();
        assert!((lag1_autocorrelation(&a, &drift) - rho).abs() < 1e-9);
        // A random walk: close to 1. Constant runs: nothing to estimate, 0.
        let (a, b) = (noisy_runs(6, 200, 1.0, 0.0, 5), noisy_runs(6, 200, 1.0, 0.0, 6));
        assert!(lag1_autocorrelation(&a, &b) > 0.95, "{}", lag1_autocorrelation(&a, &b));
        assert_eq!(lag1_autocorrelation(&vec![vec![1.0; 5]; 3], &vec![vec![1.0; 5]; 3]), 0.0);
    }

    #[test]
    fn sparse_counts_get_windows_holding_twenty_events() {
        assert_eq!(window_days(25.0, 365), 1);
        assert_eq!(window_days(0.0, 365), 1);
        assert_eq!(window_days(f64::NAN, 365), 1);
        assert_eq!(window_days(3.0, 365), 7);
        assert_eq!(window_days(0.01, 365), 365);
        assert_eq!(windows(20, 7), vec![(0, 7), (7, 13)]);
        assert_eq!(windows(21, 7), vec![(0, 7), (7, 7), (14, 7)]);
        assert_eq!(windows(5, 7), vec![(0, 5)]);
        assert_eq!(windows(3, 1), vec![(0, 1), (1, 1), (2, 1)]);
    }

    #[test]
    fn the_permutation_allowance_follows_the_correlation_of_the_family() {
        // 30 comparisons, 6 runs per variant, all from the same model.
        let columns = |salt: u64, copies: usize| -> Vec<Vec<f64>> {
            let runs = noisy_runs(6, 30 / copies, 0.0, 0.0, salt);
            (0..30).map(|j| runs.iter().map(|r| r[j % (30 / copies)]).collect()).collect()
        };
        let (a, b) = (columns(7, 1), columns(8, 1));
        let (allowed, expected) = permutation_allowance(&a, &b).unwrap();
        // Independent comparisons: about 5% fail by chance, a few allowed.
        assert!(expected > 0.5 && expected < 3.0 && (2..=6).contains(&allowed), "{allowed} {expected}");
        // The same 3 comparisons ten times each fail ten at a time: the allowance knows it.
        let (a, b) = (columns(7, 10), columns(8, 10));
        let (allowed, _) = permutation_allowance(&a, &b).unwrap();
        assert!(allowed >= 10 && allowed % 10 == 0, "{allowed}");
        // 20 runs per variant: splits drawn, not enumerated, and reproducible.
        let many = |salt: u64| -> Vec<Vec<f64>> {
            let runs = noisy_runs(20, 30, 0.0, 0.0, salt);
            (0..30).map(|j| runs.iter().map(|r| r[j]).collect()).collect()
        };
        let (a, b) = (many(9), many(10));
        let first = permutation_allowance(&a, &b).unwrap();
        assert_eq!(Some(first), permutation_allowance(&a, &b));
        assert!((1..=6).contains(&first.0), "{first:?}");
        assert_eq!(permutation_allowance(&[], &[]), Some((0, 0.0)));
        // 4 runs per variant: 70 splits, too few; the binomial allowance of the interval-bound.
        let four = |salt: u64| -> Vec<Vec<f64>> {
            let runs = noisy_runs(4, 30, 0.0, 0.0, salt);
            (0..30).map(|j| runs.iter().map(|r| r[j]).collect()).collect()
        };
        let (a, b) = (four(11), four(12));
        assert_eq!(permutation_allowance(&a, &b), None);
        let comparisons: Vec<Comparison> = a.iter().zip(&b).map(|(x, y)| compare(x, y)).collect();
        let m = comparisons.iter().filter(|c| c.interval_bound).count();
        assert_eq!(headline_allowance(&comparisons, &a, &b), (allowed_failures(m), 0.05 * m as f64));
        assert_eq!((permutation_splits(6, 6), permutation_splits(2, 2)), (924, 6));
        assert_eq!(permutation_splits(20, 20), PERMUTATION_SPLITS + 1);
    }

    #[test]
    fn headlines_report_their_failures_and_the_chance_expectation() {
        let h: Vec<Comparison> = (0..20).map(|_| day(Status::Pass, 0.5)).collect();
        let v = headline_verdict(&h, 4, 1.0);
        assert_eq!((v.verdict, v.failed, v.allowed, v.expected), (Verdict::Pass, 0, 4, 1.0));
        let mut h = h;
        h[3].status = Status::Fail;
        h[3].diff = 1.5;
        assert_eq!(headline_verdict(&h, 4, 1.0).verdict, Verdict::PassWithinChance);
        for c in h.iter_mut().take(5) {
            c.status = Status::Fail;
        }
        assert_eq!(headline_verdict(&h, 4, 1.0).verdict, Verdict::Fail);
        // One failure more than four times beyond its tolerance is never chance.
        let mut h: Vec<Comparison> = (0..20).map(|_| day(Status::Pass, 0.5)).collect();
        h[0] = day(Status::Fail, 4.5);
        let v = headline_verdict(&h, 4, 1.0);
        assert_eq!((v.gross, v.verdict), (1, Verdict::Fail));
        // ... unless it failed for want of defined runs (then an ordinary failure).
        h[0].defined_b = 1;
        assert_eq!(headline_verdict(&h, 4, 1.0).verdict, Verdict::PassWithinChance);
        h[1].status = Status::Undefined;
        assert_eq!(headline_verdict(&h, 4, 1.0).undefined, 1);
        assert!(Verdict::Pass < Verdict::PassWithinChance && Verdict::PassWithinChance < Verdict::Fail);
    }
}
