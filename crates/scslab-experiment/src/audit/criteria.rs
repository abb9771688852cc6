//! The arithmetic of the audit: one replication's counters ([`Counts`]) turned into statistics,
//! intervals over replications (means, and ratios on the log scale) and the finding of each
//! criterion. Everything here is a pure function of numbers, so it is tested on hand-made
//! counters.

use crate::stats::{mean_ci, t_quantile_975};

/// De minimis share: a share of sanctions counts as established when its whole 95% interval lies
/// above it.
pub const DE_MINIMIS: f64 = 0.01;

/// Disparate impact: a ratio of sanction rates counts as established when its whole 95% interval
/// lies outside `[1 / FOUR_FIFTHS_HIGH, FOUR_FIFTHS_HIGH]` (the four-fifths rule, both ways).
pub const FOUR_FIFTHS_HIGH: f64 = 1.25;

/// Sanctions added to each side of a ratio of rates, so that a group without sanctions gives a
/// finite ratio (Haldane-Anscombe correction).
pub const CONTINUITY: f64 = 0.5;

/// Provinces holding less than this share of adult-days are left out of the most/least affected
/// province comparison: tiny samples would otherwise decide the extremes.
pub const MIN_PROVINCE_SHARE: f64 = 0.01;

/// The criteria of the audit, in the order of Art. 5(1)(c) of Regulation (EU) 2024/1689.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Criterion {
    /// Art. 5(1)(c)(i): detrimental treatment in social contexts unrelated to the contexts in which
    /// the data were generated.
    UnrelatedContexts,
    /// Art. 5(1)(c)(ii): detrimental treatment unjustified or disproportionate to the social
    /// behaviour or its gravity.
    Disproportionate,
    /// Disparate impact between groups (recital 31: discriminatory outcomes and exclusion).
    DisparateImpact,
    /// Sanctions resting on a false record (accuracy).
    FalseSanctions,
}

impl Criterion {
    /// All criteria, in order.
    pub const ALL: [Criterion; 4] = [
        Criterion::UnrelatedContexts,
        Criterion::Disproportionate,
        Criterion::DisparateImpact,
        Criterion::FalseSanctions,
    ];

    /// Stable key, used in the files.
    pub fn key(self) -> &'static str {
        match self {
            Criterion::UnrelatedContexts => "art5_1c_i_unrelated_contexts",
            Criterion::Disproportionate => "art5_1c_ii_disproportionate",
            Criterion::DisparateImpact => "disparate_impact",
            Criterion::FalseSanctions => "false_sanctions",
        }
    }

    /// Short title, for tables.
    pub fn title(self) -> &'static str {
        match self {
            Criterion::UnrelatedContexts => "5(1)(c)(i) unrelated contexts",
            Criterion::Disproportionate => "5(1)(c)(ii) disproportionate",
            Criterion::DisparateImpact => "disparate impact",
            Criterion::FalseSanctions => "false sanctions",
        }
    }
}

/// The verdict of one criterion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The whole 95% interval lies beyond the threshold.
    Met,
    /// The estimate lies beyond the threshold but its interval does not.
    Indicated,
    /// The estimate does not reach the threshold.
    NotMet,
    /// The regime imposed no detrimental treatment in any replication.
    NotApplicable,
    /// The headline statistic is undefined in at least one replication (a share of sanctions in
    /// a replication without a sanction, a ratio with a group without adults): nothing is
    /// concluded.
    Undefined,
}

impl Verdict {
    /// Plain words.
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Met => "met",
            Verdict::Indicated => "indicated (interval reaches the threshold)",
            Verdict::NotMet => "not met",
            Verdict::NotApplicable => "not applicable",
            Verdict::Undefined => "n/a (undefined in some replication)",
        }
    }
}

/// A point estimate with its 95% interval over replications.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interval {
    /// Replications.
    pub n: usize,
    /// The estimate: the mean, or for a ratio the geometric mean.
    pub estimate: f64,
    /// Lower end of the 95% interval.
    pub low: f64,
    /// Upper end of the 95% interval.
    pub high: f64,
}

/// The values that are defined (not NaN), in replication order.
pub fn defined(values: &[f64]) -> Vec<f64> {
    values.iter().copied().filter(|v| !v.is_nan()).collect()
}

/// Mean and Student-t interval of per-replication values, over the replications where the value
/// is defined (a share of sanctions is undefined in a replication without any sanction: that
/// replication says nothing about it). `n` counts them; the estimate is NaN if there is none and
/// the interval NaN if there are fewer than two.
pub fn mean_interval(values: &[f64]) -> Interval {
    let e = mean_ci(&defined(values));
    Interval { n: e.n, estimate: e.mean, low: e.ci_low(), high: e.ci_high() }
}

/// Interval of a ratio over replications: the ratio is taken in each replication, the Student-t
/// interval is computed on the log ratios, and the mean and both ends are transformed back. The
/// estimate is the geometric mean of the ratios; the interval is not symmetric around it.
/// Undefined (NaN) ratios are left out as in [`mean_interval`]; a non-positive ratio has no
/// logarithm and makes the whole estimate NaN.
pub fn ratio_interval(ratios: &[f64]) -> Interval {
    let ratios = defined(ratios);
    let n = ratios.len();
    if n == 0 || ratios.iter().any(|&r| r <= 0.0) {
        return Interval { n, estimate: f64::NAN, low: f64::NAN, high: f64::NAN };
    }
    let logs: Vec<f64> = ratios.iter().map(|r| r.ln()).collect();
    let e = mean_ci(&logs);
    let half = if n < 2 { f64::NAN } else { t_quantile_975(n as f64 - 1.0) * e.se };
    Interval { n, estimate: e.mean.exp(), low: (e.mean - half).exp(), high: (e.mean + half).exp() }
}

/// Ratio of two sanction rates with the continuity correction: `((a + c) / na) / ((b + c) / nb)`.
/// NaN if either group has no adults.
pub fn rate_ratio(sanctions_a: f64, adults_a: f64, sanctions_b: f64, adults_b: f64) -> f64 {
    if adults_a <= 0.0 || adults_b <= 0.0 {
        return f64::NAN;
    }
    ((sanctions_a + CONTINUITY) / adults_a) / ((sanctions_b + CONTINUITY) / adults_b)
}

/// `a / b`, undefined (NaN) when `b` is not positive: a share of no sanctions is not 0.
fn share(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { f64::NAN }
}

/// What a statistic's numbers are, so that each is shown in its unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// A share in [0, 1], shown as a percentage; differences in percentage points.
    Share,
    /// A count summed over the horizon, shown without decimals.
    Count,
    /// Events per 1,000 (or per million) adults a year, as the label says.
    Rate,
    /// A ratio of two rates (1 = no difference).
    Ratio,
    /// Yuan (per recorded violation, as the label says).
    Yuan,
    /// A plain number per recorded violation.
    PerViolation,
}

impl Unit {
    /// Stable key, written in `audit.csv`'s `unit` column.
    pub fn key(self) -> &'static str {
        match self {
            Unit::Share => "share",
            Unit::Count => "count",
            Unit::Rate => "rate",
            Unit::Ratio => "ratio",
            Unit::Yuan => "yuan",
            Unit::PerViolation => "per_violation",
        }
    }

    /// A value in this unit, for a lay reader ("n/a" when undefined).
    pub fn show(self, x: f64) -> String {
        use crate::format;
        match self {
            Unit::Share => format::percent(x),
            Unit::Count => format::count(x),
            Unit::Yuan => format::yuan(x),
            Unit::Rate | Unit::Ratio | Unit::PerViolation => format::number(x),
        }
    }

    /// A difference of two values in this unit, signed (shares in percentage points).
    pub fn show_difference(self, x: f64) -> String {
        use crate::format;
        match self {
            Unit::Share => format::points(x),
            Unit::Count if x.is_finite() && x > 0.0 => format!("+{}", format::count(x)),
            Unit::Count => format::count(x),
            Unit::Yuan if x.is_finite() && x > 0.0 => format!("+{}", format::yuan(x)),
            Unit::Yuan => format::yuan(x),
            Unit::Rate | Unit::Ratio | Unit::PerViolation => format::signed(x),
        }
    }
}

/// Sanctions and adult-days of one group.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Group {
    /// Group name (`q1`, `rural`, a province).
    pub name: String,
    /// Sanctions on persons of the group.
    pub sanctions: f64,
    /// Adult-days of the group.
    pub adult_days: f64,
}

/// What one replication counted, summed over days (persons and firms unless said otherwise).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Counts {
    /// Adult-days (persons).
    pub adult_days: f64,
    /// Sanctions: impositions of blacklist measures.
    pub sanctions: f64,
    /// Sanctions in a context unrelated to the list's grounds.
    pub spillover: f64,
    /// Sanctions resting on a false record.
    pub false_sanctions: f64,
    /// False sanctions on persons.
    pub person_false_sanctions: f64,
    /// Recorded violations (true and false records).
    pub recorded_violations: f64,
    /// Fines, yuan.
    pub fines_yuan: f64,
    /// Impositions of severe measures (travel ban, job exclusion, detention, closure).
    pub severe: f64,
    /// Impositions of severe measures at entry into a list that a minor record can trigger.
    pub severe_after_minor: f64,
    /// Spillover impositions of each blacklist measure: (measure, count).
    pub spillover_by_measure: Vec<(String, f64)>,
    /// Income quintiles, `q1` (lowest) to `q5`.
    pub income: Vec<Group>,
    /// `rural` and `urban`.
    pub urban_rural: Vec<Group>,
    /// Provinces.
    pub province: Vec<Group>,
}

/// One statistic over replications.
#[derive(Clone, Debug, PartialEq)]
pub struct Statistic {
    /// Its criterion.
    pub criterion: Criterion,
    /// Stable key.
    pub key: String,
    /// What it means, with its unit.
    pub label: String,
    /// Value in each replication.
    pub values: Vec<f64>,
    /// Estimate and interval.
    pub interval: Interval,
    /// True for a ratio (interval on the log scale).
    pub is_ratio: bool,
    /// What its numbers are.
    pub unit: Unit,
}

/// The finding of one criterion.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// The criterion.
    pub criterion: Criterion,
    /// Its headline statistic's key.
    pub statistic: String,
    /// The verdict.
    pub verdict: Verdict,
    /// The finding in plain words, with the numbers.
    pub text: String,
}

/// The interval clipped to the values the statistic can take: a share lies in [0, 1], counts,
/// rates and money are never negative. A Student-t interval can reach beyond (few replications,
/// a share near 0 or 1); the clipped interval still holds the true value whenever the unclipped
/// one does, and a reader never sees a negative share or count. The estimate is unchanged.
pub fn clip(i: Interval, unit: Unit) -> Interval {
    let (lo, hi) = match unit {
        Unit::Share => (0.0, 1.0),
        Unit::Ratio => return i,
        Unit::Count | Unit::Rate | Unit::Yuan | Unit::PerViolation => (0.0, f64::INFINITY),
    };
    let c = |x: f64| if x.is_nan() { x } else { x.clamp(lo, hi) };
    Interval { low: c(i.low), high: c(i.high), ..i }
}

fn stat(criterion: Criterion, key: &str, label: &str, unit: Unit, values: Vec<f64>) -> Statistic {
    let interval = clip(mean_interval(&values), unit);
    Statistic { criterion, key: key.into(), label: label.into(), values, interval, is_ratio: false, unit }
}

fn ratio_stat(criterion: Criterion, key: &str, label: String, values: Vec<f64>) -> Statistic {
    let interval = ratio_interval(&values);
    Statistic { criterion, key: key.into(), label, values, interval, is_ratio: true, unit: Unit::Ratio }
}

/// The sanction rate ratio of group `a` to group `b` (NaN if either is missing or has no
/// adults).
pub fn group_ratio(groups: &[Group], a: &str, b: &str) -> f64 {
    let get = |n: &str| groups.iter().find(|g| g.name == n);
    match (get(a), get(b)) {
        (Some(x), Some(y)) => rate_ratio(x.sanctions, x.adult_days, y.sanctions, y.adult_days),
        _ => f64::NAN,
    }
}

/// The most and least affected provinces, by sanctions per adult-day pooled over replications,
/// among provinces holding at least [`MIN_PROVINCE_SHARE`] of adult-days. Ties go to the first
/// province in census order.
pub fn extreme_provinces(reps: &[Counts]) -> Option<(String, String)> {
    let first = reps.first()?;
    let total: f64 = reps.iter().map(|c| c.adult_days).sum();
    let mut best: Option<(usize, f64)> = None;
    let mut worst: Option<(usize, f64)> = None;
    for i in 0..first.province.len() {
        let pooled =
            |f: fn(&Group) -> f64| reps.iter().map(|c| c.province.get(i).map_or(0.0, f)).sum::<f64>();
        let days = pooled(|g| g.adult_days);
        if total <= 0.0 || days / total < MIN_PROVINCE_SHARE {
            continue;
        }
        let rate = pooled(|g| g.sanctions) / days;
        if worst.is_none_or(|(_, r)| rate > r) {
            worst = Some((i, rate));
        }
        if best.is_none_or(|(_, r)| rate < r) {
            best = Some((i, rate));
        }
    }
    let (w, b) = (worst?.0, best?.0);
    Some((first.province[w].name.clone(), first.province[b].name.clone()))
}

/// Every statistic of the audit, criterion by criterion, from the replications' counters.
pub fn statistics(reps: &[Counts], measures: &[String]) -> Vec<Statistic> {
    use Criterion::*;
    let per = |f: &dyn Fn(&Counts) -> f64| reps.iter().map(f).collect::<Vec<f64>>();
    let years = |c: &Counts| c.adult_days / 365.0;
    let mut s = vec![
        stat(
            UnrelatedContexts,
            "spillover_share",
            "Share of sanctions from an unrelated context",
            Unit::Share,
            per(&|c| share(c.spillover, c.sanctions)),
        ),
        stat(
            UnrelatedContexts,
            "sanctions_per_1000_adults_year",
            "Sanctions per 1,000 adults a year (persons and firms)",
            Unit::Rate,
            per(&|c| share(c.sanctions, years(c)) * 1e3),
        ),
        stat(
            UnrelatedContexts,
            "spillover_sanctions",
            "Cross-context sanctions (count)",
            Unit::Count,
            per(&|c| c.spillover),
        ),
    ];
    for m in measures {
        let values = per(&|c| {
            share(c.spillover_by_measure.iter().find(|(n, _)| n == m).map_or(f64::NAN, |x| x.1), c.sanctions)
        });
        s.push(stat(
            UnrelatedContexts,
            &format!("spillover_share_{m}"),
            &format!("Share of sanctions: {m} in an unrelated context"),
            Unit::Share,
            values,
        ));
    }
    s.extend([
        stat(
            Disproportionate,
            "severe_after_minor_share",
            "Share of sanctions: severe measure at entry into a list a minor record can trigger",
            Unit::Share,
            per(&|c| share(c.severe_after_minor, c.sanctions)),
        ),
        stat(
            Disproportionate,
            "severe_share",
            "Share of sanctions: severe measure (travel ban, job exclusion, detention, closure)",
            Unit::Share,
            per(&|c| share(c.severe, c.sanctions)),
        ),
        stat(
            Disproportionate,
            "sanctions_per_recorded_violation",
            "Sanctions per recorded violation",
            Unit::PerViolation,
            per(&|c| share(c.sanctions, c.recorded_violations)),
        ),
        stat(
            Disproportionate,
            "fines_yuan_per_recorded_violation",
            "Fines (yuan) per recorded violation",
            Unit::Yuan,
            per(&|c| share(c.fines_yuan, c.recorded_violations)),
        ),
    ]);
    s.push(ratio_stat(
        DisparateImpact,
        "ratio_income_q1_q5",
        "Sanction rate ratio, lowest / highest income quintile".into(),
        per(&|c| group_ratio(&c.income, "q1", "q5")),
    ));
    s.push(ratio_stat(
        DisparateImpact,
        "ratio_rural_urban",
        "Sanction rate ratio, rural / urban".into(),
        per(&|c| group_ratio(&c.urban_rural, "rural", "urban")),
    ));
    if let Some((most, least)) = extreme_provinces(reps) {
        s.push(ratio_stat(
            DisparateImpact,
            "ratio_province_most_least",
            format!("Sanction rate ratio, most / least affected province ({most} / {least})"),
            per(&|c| group_ratio(&c.province, &most, &least)),
        ));
    }
    s.extend([
        stat(
            FalseSanctions,
            "false_sanction_share",
            "Share of sanctions resting on a false record",
            Unit::Share,
            per(&|c| share(c.false_sanctions, c.sanctions)),
        ),
        stat(
            FalseSanctions,
            "false_sanctions_per_million_adults_year",
            "False sanctions on persons per million adults a year",
            Unit::Rate,
            per(&|c| share(c.person_false_sanctions, years(c)) * 1e6),
        ),
    ]);
    s
}

fn pct(x: f64) -> String {
    crate::format::percent(x)
}

fn num(x: f64) -> String {
    crate::format::number(x)
}

fn share_verdict(i: &Interval) -> Verdict {
    if i.low > DE_MINIMIS {
        Verdict::Met
    } else if i.estimate > DE_MINIMIS {
        Verdict::Indicated
    } else {
        Verdict::NotMet
    }
}

fn ratio_verdict(i: &Interval) -> Verdict {
    let outside = |x: f64| !(1.0 / FOUR_FIFTHS_HIGH..=FOUR_FIFTHS_HIGH).contains(&x);
    if i.estimate.is_nan() {
        Verdict::Undefined
    } else if (i.low > FOUR_FIFTHS_HIGH) || (i.high < 1.0 / FOUR_FIFTHS_HIGH) {
        Verdict::Met
    } else if outside(i.estimate) {
        Verdict::Indicated
    } else {
        Verdict::NotMet
    }
}

/// The finding of each criterion. A regime that imposed no sanction in any replication gets
/// [`Verdict::NotApplicable`] everywhere: there is no detrimental treatment to assess.
pub fn findings(reps: &[Counts], stats: &[Statistic]) -> Vec<Finding> {
    let get = |k: &str| stats.iter().find(|s| s.key == k);
    let no_treatment = reps.iter().all(|c| c.sanctions == 0.0);
    let mut out = Vec::new();
    for criterion in Criterion::ALL {
        let headline = match criterion {
            Criterion::UnrelatedContexts => "spillover_share",
            Criterion::Disproportionate => "severe_after_minor_share",
            Criterion::DisparateImpact => "ratio_income_q1_q5",
            Criterion::FalseSanctions => "false_sanction_share",
        };
        if no_treatment {
            out.push(Finding {
                criterion,
                statistic: headline.into(),
                verdict: Verdict::NotApplicable,
                text: "no detrimental treatment: no sanction in any replication".into(),
            });
            continue;
        }
        let Some(h) = get(headline) else { continue };
        let i = &h.interval;
        if criterion != Criterion::DisparateImpact && i.estimate.is_nan() {
            out.push(Finding {
                criterion,
                statistic: headline.into(),
                verdict: Verdict::Undefined,
                text: format!(
                    "{} is undefined in every replication; nothing is concluded",
                    h.label.to_lowercase()
                ),
            });
            continue;
        }
        let over = if i.n < h.values.len() {
            format!(
                " (over the {} of {} replications with a sanction; the others had none)",
                i.n,
                h.values.len()
            )
        } else {
            String::new()
        };
        let ci = |i: &Interval| {
            if i.low.is_nan() || i.high.is_nan() {
                "(95% CI n/a)".to_string()
            } else {
                format!("(95% CI {} to {})", pct(i.low), pct(i.high))
            }
        };
        let (verdict, text) = match criterion {
            Criterion::UnrelatedContexts => {
                let v = share_verdict(i);
                (
                    v,
                    format!(
                        "detrimental treatment from unrelated contexts: {} {} of sanctions{over}; criterion (i) {}",
                        pct(i.estimate),
                        ci(i),
                        v.word()
                    ),
                )
            }
            Criterion::Disproportionate => {
                let v = share_verdict(i);
                (
                    v,
                    format!(
                        "severe measures reachable from a minor record: {} {} of sanctions{over}; criterion (ii) {}",
                        pct(i.estimate),
                        ci(i),
                        v.word()
                    ),
                )
            }
            Criterion::DisparateImpact => {
                let ratios: Vec<&Statistic> = stats.iter().filter(|s| s.criterion == criterion).collect();
                let verdicts: Vec<Verdict> = ratios.iter().map(|s| ratio_verdict(&s.interval)).collect();
                let v = if verdicts.contains(&Verdict::Met) {
                    Verdict::Met
                } else if verdicts.contains(&Verdict::Indicated) {
                    Verdict::Indicated
                } else if verdicts.contains(&Verdict::Undefined) {
                    Verdict::Undefined
                } else {
                    Verdict::NotMet
                };
                let parts: Vec<String> = ratios
                    .iter()
                    .map(|s| {
                        let i = &s.interval;
                        // The province ratio names its two provinces, as its label does.
                        let which = match s.label.rsplit_once(" (") {
                            Some((_, names)) if s.key == "ratio_province_most_least" => format!(" ({names}"),
                            _ => String::new(),
                        };
                        format!(
                            "{}{which} {} (95% CI {} to {})",
                            s.key.trim_start_matches("ratio_"),
                            num(i.estimate),
                            num(i.low),
                            num(i.high)
                        )
                    })
                    .collect();
                (v, format!("sanction rate ratios {}; outside 0.80-1.25: {}", parts.join(", "), v.word()))
            }
            Criterion::FalseSanctions => {
                let v = share_verdict(i);
                let rate =
                    get("false_sanctions_per_million_adults_year").map_or(f64::NAN, |s| s.interval.estimate);
                (
                    v,
                    format!(
                        "{} {} of sanctions rest on a false record{over} ({} per million adults a year); material error rate {}",
                        pct(i.estimate),
                        ci(i),
                        num(rate),
                        v.word()
                    ),
                )
            }
        };
        out.push(Finding { criterion, statistic: headline.into(), verdict, text });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) {
        assert!((a - b).abs() < tol, "{a} vs {b}");
    }

    fn groups(names: &[&str], sanctions: &[f64], adults: &[f64]) -> Vec<Group> {
        names
            .iter()
            .zip(sanctions.iter().zip(adults))
            .map(|(n, (s, a))| Group { name: n.to_string(), sanctions: *s, adult_days: *a })
            .collect()
    }

    fn counts(sanctions: f64, spillover: f64, false_sanctions: f64) -> Counts {
        let q: Vec<String> = (1..=5).map(|i| format!("q{i}")).collect();
        let qn: Vec<&str> = q.iter().map(String::as_str).collect();
        Counts {
            adult_days: 365_000.0,
            sanctions,
            spillover,
            false_sanctions,
            person_false_sanctions: false_sanctions,
            recorded_violations: 50.0,
            fines_yuan: 5000.0,
            severe: sanctions / 2.0,
            severe_after_minor: sanctions / 4.0,
            spillover_by_measure: vec![("flight_ban".into(), spillover)],
            income: groups(&qn, &[40.0, 20.0, 20.0, 10.0, 10.0], &[73_000.0; 5]),
            urban_rural: groups(&["rural", "urban"], &[60.0, 40.0], &[146_000.0, 219_000.0]),
            province: groups(&["A", "B", "C"], &[10.0, 80.0, 10.0], &[200_000.0, 100_000.0, 65_000.0]),
        }
    }

    #[test]
    fn ratio_interval_is_a_t_interval_on_the_log_scale() {
        let i = ratio_interval(&[2.0, 2.0, 2.0]);
        close(i.estimate, 2.0, 1e-12);
        close(i.low, 2.0, 1e-12);
        let r = [1.5, 2.0, 3.0];
        let i = ratio_interval(&r);
        let logs: Vec<f64> = r.iter().map(|x: &f64| x.ln()).collect();
        let m = logs.iter().sum::<f64>() / 3.0;
        let sd = (logs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / 2.0).sqrt();
        let half = 4.302652730 * sd / 3f64.sqrt();
        close(i.estimate, m.exp(), 1e-12);
        close(i.low, (m - half).exp(), 1e-12);
        close(i.high, (m + half).exp(), 1e-12);
        // Symmetric on the log scale: estimate^2 = low * high.
        close(i.estimate * i.estimate, i.low * i.high, 1e-9);
        assert!(ratio_interval(&[1.0, 0.0]).estimate.is_nan());
        assert!(ratio_interval(&[1.0]).low.is_nan());
    }

    #[test]
    fn rate_ratio_corrects_for_zero_counts() {
        close(rate_ratio(10.0, 100.0, 5.0, 100.0), 10.5 / 5.5, 1e-12);
        close(rate_ratio(0.0, 100.0, 0.0, 100.0), 1.0, 1e-12);
        assert!(rate_ratio(1.0, 0.0, 1.0, 1.0).is_nan());
    }

    #[test]
    fn statistics_of_hand_made_counters() {
        let reps = vec![counts(100.0, 30.0, 5.0), counts(100.0, 40.0, 5.0), counts(100.0, 35.0, 5.0)];
        let s = statistics(&reps, &["flight_ban".into()]);
        let get = |k: &str| s.iter().find(|x| x.key == k).unwrap_or_else(|| panic!("{k}"));
        close(get("spillover_share").interval.estimate, 0.35, 1e-12);
        close(get("spillover_share_flight_ban").interval.estimate, 0.35, 1e-12);
        close(get("sanctions_per_1000_adults_year").interval.estimate, 100.0, 1e-9);
        close(get("severe_after_minor_share").interval.estimate, 0.25, 1e-12);
        close(get("severe_share").interval.estimate, 0.5, 1e-12);
        close(get("sanctions_per_recorded_violation").interval.estimate, 2.0, 1e-12);
        close(get("fines_yuan_per_recorded_violation").interval.estimate, 100.0, 1e-12);
        close(get("ratio_income_q1_q5").interval.estimate, 40.5 / 10.5, 1e-9);
        close(get("ratio_rural_urban").interval.estimate, (60.5 / 146_000.0) / (40.5 / 219_000.0), 1e-9);
        let p = get("ratio_province_most_least");
        assert!(p.label.contains("(B / A)"), "{}", p.label);
        close(p.interval.estimate, (80.5 / 100_000.0) / (10.5 / 200_000.0), 1e-9);
        close(get("false_sanction_share").interval.estimate, 0.05, 1e-12);
        close(get("false_sanctions_per_million_adults_year").interval.estimate, 5000.0, 1e-9);
        assert_eq!(get("spillover_share").interval.n, 3);
    }

    #[test]
    fn findings_follow_the_thresholds() {
        let reps = vec![counts(100.0, 30.0, 0.0), counts(100.0, 40.0, 0.0), counts(100.0, 35.0, 0.0)];
        let s = statistics(&reps, &[]);
        let f = findings(&reps, &s);
        assert_eq!(f.len(), 4);
        assert_eq!(f[0].verdict, Verdict::Met);
        assert!(f[0].text.contains("35%"), "{}", f[0].text);
        assert_eq!(f[1].verdict, Verdict::Met);
        assert_eq!(f[2].verdict, Verdict::Met, "{}", f[2].text);
        assert_eq!(f[3].verdict, Verdict::NotMet);
        // Noisy spillover around 2%: the interval reaches below 1%.
        let reps = vec![counts(100.0, 0.0, 0.0), counts(100.0, 5.0, 0.0), counts(100.0, 1.0, 0.0)];
        let f = findings(&reps, &statistics(&reps, &[]));
        assert_eq!(f[0].verdict, Verdict::Indicated);
        // No sanctions at all: nothing to assess.
        let reps = vec![counts(0.0, 0.0, 0.0), counts(0.0, 0.0, 0.0)];
        let f = findings(&reps, &statistics(&reps, &[]));
        assert!(f.iter().all(|f| f.verdict == Verdict::NotApplicable));
    }

    #[test]
    fn ratio_verdicts_use_the_four_fifths_band() {
        let i = |estimate, low, high| Interval { n: 3, estimate, low, high };
        assert_eq!(ratio_verdict(&i(2.0, 1.3, 3.0)), Verdict::Met);
        assert_eq!(ratio_verdict(&i(0.5, 0.3, 0.7)), Verdict::Met);
        assert_eq!(ratio_verdict(&i(1.5, 1.0, 2.0)), Verdict::Indicated);
        assert_eq!(ratio_verdict(&i(1.1, 0.9, 1.3)), Verdict::NotMet);
    }
}

#[cfg(test)]
mod clip_tests {
    use super::*;

    #[test]
    fn shares_and_counts_are_never_shown_below_zero() {
        // Before: "7.4% (95% CI -16.0% to 30.8%)", "80.9% (95% CI 55.3% to 106.5%)".
        let i = Interval { n: 4, estimate: 0.074, low: -0.16, high: 0.308 };
        assert_eq!(clip(i, Unit::Share), Interval { n: 4, estimate: 0.074, low: 0.0, high: 0.308 });
        let i = Interval { n: 4, estimate: 0.809, low: 0.553, high: 1.065 };
        assert_eq!(clip(i, Unit::Share).high, 1.0);
        let i = Interval { n: 4, estimate: 39.0, low: -3.0, high: 81.0 };
        assert_eq!(clip(i, Unit::Count).low, 0.0);
        let i = Interval { n: 4, estimate: 0.5, low: 0.2, high: 1.3 };
        assert_eq!(clip(i, Unit::Ratio), i);
        let reps = vec![
            Counts { sanctions: 10.0, false_sanctions: 0.0, adult_days: 365.0, ..Counts::default() },
            Counts { sanctions: 10.0, false_sanctions: 5.0, adult_days: 365.0, ..Counts::default() },
        ];
        let s = statistics(&reps, &[]);
        let f = s.iter().find(|x| x.key == "false_sanction_share").unwrap();
        assert_eq!(f.interval.estimate, 0.25);
        assert_eq!(f.interval.low, 0.0);
    }
}
