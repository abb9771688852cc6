//! The equivalence criterion, pure arithmetic over replications: one outcome (a headline, or a
//! series on one day) of variant B against variant A, a daily series over its days, and a family
//! of headlines. Definitions and reasons: docs/EXPERIMENTS.md, "Equivalence of two variants".

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

/// A daily series compared day by day.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SeriesVerdict {
    /// Days compared (passed or failed; undefined days left out).
    pub compared: usize,
    /// Days that failed.
    pub failed: usize,
    /// Days undefined in both variants.
    pub undefined: usize,
    /// Failing days allowed: [`allowed_failures`] of `compared`.
    pub allowed: u64,
    /// The largest |diff| / tolerance over the compared days (infinite if a day failed for
    /// want of defined replications).
    pub worst_ratio: f64,
    /// The day (0-based) of `worst_ratio`.
    pub worst_day: Option<u32>,
    /// Pass when `failed <= allowed`; undefined when no day could be compared.
    pub status: Status,
}

/// The verdict of a series from its days' comparisons (day `d` at index `d`).
///
/// With hundreds of days some fail by chance, so the series passes when no more fail than
/// chance allows. Days of a series are correlated (a stock that is high one day is high the
/// next), so failing days come in runs and the binomial allowance is a yardstick, not an exact
/// 1% test: docs/EXPERIMENTS.md says so, and `worst_ratio` shows how far the worst day is.
pub fn series_verdict(days: &[Comparison]) -> SeriesVerdict {
    let mut v = SeriesVerdict {
        compared: 0,
        failed: 0,
        undefined: 0,
        allowed: 0,
        worst_ratio: f64::NAN,
        worst_day: None,
        status: Status::Undefined,
    };
    for (d, c) in days.iter().enumerate() {
        match c.status {
            Status::Undefined => {
                v.undefined += 1;
                continue;
            }
            Status::Fail => v.failed += 1,
            Status::Pass => {}
        }
        v.compared += 1;
        let r = c.ratio();
        if v.worst_day.is_none() || r > v.worst_ratio {
            v.worst_ratio = r;
            v.worst_day = Some(d as u32);
        }
    }
    v.allowed = allowed_failures(v.compared);
    if v.compared > 0 {
        v.status = if v.failed as u64 <= v.allowed { Status::Pass } else { Status::Fail };
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

/// The headlines of one scenario, taken together.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HeadlineVerdict {
    /// Headlines compared (passed or failed).
    pub compared: usize,
    /// Headlines that failed.
    pub failed: usize,
    /// Headlines undefined in both variants.
    pub undefined: usize,
    /// Compared headlines whose tolerance is their interval: each fails by chance with
    /// probability about [`CHANCE_FAILURE`] (the others less).
    pub interval_bound: usize,
    /// Failures expected by chance if A and B are the same model: [`CHANCE_FAILURE`] x
    /// `interval_bound`.
    pub expected: f64,
    /// Failures allowed: [`allowed_failures`] of `interval_bound`.
    pub allowed: u64,
    /// Pass if none failed, pass within chance if at most `allowed` did, else fail.
    pub verdict: Verdict,
}

/// The verdict of a scenario's headlines.
///
/// Each headline is its own test at 95%; with a few dozen of them, one or two fail by chance
/// even when A and B are the same model. A failure is never hidden: the verdict is `Pass` only
/// when none failed, and `PassWithinChance` (still a pass, exit code 0) when no more failed than
/// chance explains 99% of the time among the headlines whose tolerance is their interval.
pub fn headline_verdict(headlines: &[Comparison]) -> HeadlineVerdict {
    let compared: Vec<&Comparison> = headlines.iter().filter(|c| c.status != Status::Undefined).collect();
    let failed = compared.iter().filter(|c| c.status == Status::Fail).count();
    let interval_bound = compared.iter().filter(|c| c.interval_bound).count();
    let allowed = allowed_failures(interval_bound);
    let verdict = match failed {
        0 => Verdict::Pass,
        f if f as u64 <= allowed => Verdict::PassWithinChance,
        _ => Verdict::Fail,
    };
    HeadlineVerdict {
        compared: compared.len(),
        failed,
        undefined: headlines.len() - compared.len(),
        interval_bound,
        expected: CHANCE_FAILURE * interval_bound as f64,
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
        // 365 days: up to 29 may fail (the 99% quantile of Binomial(365, 0.05)).
        let mut days: Vec<Comparison> = (0..365).map(|_| day(Status::Pass, 0.5)).collect();
        for d in days.iter_mut().take(29) {
            *d = day(Status::Fail, 1.2);
        }
        days[100] = day(Status::Fail, 3.0);
        let v = series_verdict(&days);
        assert_eq!((v.compared, v.failed, v.allowed), (365, 30, 29));
        assert_eq!(v.status, Status::Fail);
        assert_eq!((v.worst_ratio, v.worst_day), (3.0, Some(100)));
        days[100] = day(Status::Pass, 0.9);
        let v = series_verdict(&days);
        assert_eq!((v.failed, v.status), (29, Status::Pass));
        // Undefined days are counted apart and shrink the allowance.
        days[300] = day(Status::Undefined, 0.0);
        let v = series_verdict(&days);
        assert_eq!((v.compared, v.undefined, v.allowed), (364, 1, allowed_failures(364)));
        // No day defined: undefined.
        let v = series_verdict(&[day(Status::Undefined, 0.0); 3]);
        assert_eq!((v.status, v.worst_day), (Status::Undefined, None));
    }

    #[test]
    fn headlines_report_their_failures_and_the_chance_expectation() {
        let mut h: Vec<Comparison> = (0..20).map(|_| day(Status::Pass, 0.5)).collect();
        for c in &mut h {
            c.interval_bound = true;
        }
        let v = headline_verdict(&h);
        assert_eq!((v.verdict, v.failed, v.allowed), (Verdict::Pass, 0, 4));
        assert!((v.expected - 1.0).abs() < 1e-12);
        h[3].status = Status::Fail;
        assert_eq!(headline_verdict(&h).verdict, Verdict::PassWithinChance);
        for c in h.iter_mut().take(5) {
            c.status = Status::Fail;
        }
        assert_eq!(headline_verdict(&h).verdict, Verdict::Fail);
        // Headlines whose tolerance is the 2% rule allow no chance failure.
        let mut h: Vec<Comparison> = (0..20).map(|_| day(Status::Pass, 0.5)).collect();
        h[0].status = Status::Fail;
        let v = headline_verdict(&h);
        assert_eq!((v.interval_bound, v.allowed, v.verdict), (0, 0, Verdict::Fail));
        h[1].status = Status::Undefined;
        assert_eq!(headline_verdict(&h).undefined, 1);
        assert!(Verdict::Pass < Verdict::PassWithinChance && Verdict::PassWithinChance < Verdict::Fail);
    }
}
