//! Headline outcomes of a run, computed from its daily series: the numbers printed at the end of
//! a run and compared between a scenario and its counterfactual.

use crate::series::SeriesBuilder;

/// One headline outcome.
#[derive(Clone, Debug, PartialEq)]
pub struct Headline {
    /// Stable key (snake case).
    pub key: &'static str,
    /// What it means, with its unit.
    pub label: &'static str,
    /// Its value; NaN when it is undefined (a ratio whose denominator is zero, such as the false
    /// share of sanctions in a run without sanctions).
    pub value: f64,
    /// Its unit, as written in the `unit` column of `summary.csv`: `share` (a fraction of 1),
    /// `count`, `yuan`, `per_1000_adults_year`, `per_100k_adults`, `ratio` (of two rates),
    /// `index` (a number on a fixed scale, such as 0-1) or `per_firm_year`.
    pub unit: &'static str,
}

/// The unit of every headline outcome, by key (see [`Headline::unit`]).
pub const UNITS: [(&str, &str); 26] = [
    ("compliance_rate", "share"),
    ("violations_per_1000", "per_1000_adults_year"),
    ("recorded_share", "share"),
    ("criticism_per_1000", "per_1000_adults_year"),
    ("chilling_effect", "share"),
    ("silent_dissenters", "share"),
    ("blacklisted_per_100k", "per_100k_adults"),
    ("redlisted_per_100k", "per_100k_adults"),
    ("sanctions", "count"),
    ("false_sanctions", "count"),
    ("false_sanction_share", "share"),
    ("spillover_share", "share"),
    ("flights_blocked", "count"),
    ("trains_blocked", "count"),
    ("sanction_disparity_income", "ratio"),
    ("sanction_disparity_rural", "ratio"),
    ("wealth_gini", "index"),
    ("mean_trust", "index"),
    ("mean_resentment", "index"),
    ("fines_yuan", "yuan"),
    ("firm_closures", "count"),
    ("firm_value_lost_yuan", "yuan"),
    ("firms_blacklisted", "count"),
    ("funds_extracted_yuan", "yuan"),
    ("large_firm_criticism_before", "per_firm_year"),
    ("large_firm_criticism_after", "per_firm_year"),
];

/// The unit of a headline outcome (from [`UNITS`]), if `key` is one.
pub fn unit_of(key: &str) -> Option<&'static str> {
    UNITS.iter().find(|(k, _)| *k == key).map(|(_, u)| *u)
}

fn sum(x: Option<&[f64]>) -> f64 {
    x.map_or(0.0, |v| v.iter().sum())
}

fn last(x: Option<&[f64]>) -> f64 {
    x.and_then(|v| v.last().copied()).unwrap_or(0.0)
}

/// `a / b`, or NaN (undefined, shown as "n/a") when `b` is not positive.
pub(crate) fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { f64::NAN }
}

/// `1 - min(1, a / b)`: the share of a quantity not realised; NaN when `b` is not positive.
pub(crate) fn shortfall(a: f64, b: f64) -> f64 {
    let r = ratio(a, b);
    if r.is_nan() { r } else { 1.0 - r.min(1.0) }
}

/// Violation events of persons (the regime's breaches of law or contract).
const VIOLATIONS: [&str; 5] =
    ["tax_evasion", "traffic_violation", "loan_default", "judgment_default", "littering"];

/// Computes the headline outcomes. `intervention_day` splits large firms' criticism into
/// before and after a targeted enforcement.
pub fn headlines(s: &SeriesBuilder, intervention_day: Option<u32>) -> Vec<Headline> {
    let adult_days = sum(s.person("adults"));
    let per_1000_year = |x: f64| ratio(x, adult_days) * 365_000.0;
    let adults_end = last(s.person("adults"));
    let violations: f64 = VIOLATIONS.iter().map(|e| sum(s.person(&format!("true_{e}")))).sum();
    let recorded: f64 = VIOLATIONS.iter().map(|e| sum(s.person(&format!("recorded_{e}")))).sum();
    let sanctions = sum(s.person("sanctions")) + sum(s.firm("sanctions"));
    let false_sanctions = sum(s.person("false_sanctions")) + sum(s.firm("false_sanctions"));
    let spill = sum(s.person("spillover_sanctions")) + sum(s.firm("spillover_sanctions"));
    let desired = sum(s.person("desired_criticism_fp"));
    let expressed = sum(s.person("expressed_criticism_fp"));
    let rate_by = |dim: &str, num: &str| -> Vec<(String, f64)> {
        let n = s.person_by_group(dim, "adults");
        s.person_by_group(dim, num).into_iter().zip(n).map(|((g, x), (_, a))| (g, ratio(x, a))).collect()
    };
    let disparity = |dim: &str, lo: &str, hi: &str| {
        let r = rate_by(dim, "sanctions");
        let get = |g: &str| r.iter().find(|x| x.0 == g).map_or(f64::NAN, |x| x.1);
        ratio(get(lo), get(hi))
    };
    let (before, after) = match intervention_day {
        Some(d) => {
            let crit = s.firm("large_firm_criticism").unwrap_or(&[]);
            let alive = s.firm("large_firms_alive").unwrap_or(&[]);
            let d = (d as usize).min(crit.len());
            let rate = |r: std::ops::Range<usize>| {
                ratio(crit[r.clone()].iter().sum(), alive[r].iter().sum()) * 365.0
            };
            (rate(0..d), rate(d..crit.len()))
        }
        None => (f64::NAN, f64::NAN),
    };
    let mut h = vec![
        Headline {
            key: "compliance_rate",
            label: "Adult-days without a violation (share)",
            value: ratio(sum(s.person("compliant")), adult_days),
            unit: "",
        },
        Headline {
            key: "violations_per_1000",
            label: "True violations per 1,000 adults a year",
            value: per_1000_year(violations),
            unit: "",
        },
        Headline {
            key: "recorded_share",
            label: "Share of true violations recorded",
            value: ratio(recorded, violations),
            unit: "",
        },
        Headline {
            key: "criticism_per_1000",
            label: "Criticism expressed per 1,000 adults a year",
            value: per_1000_year(sum(s.person("true_criticism"))),
            unit: "",
        },
        Headline {
            key: "chilling_effect",
            label: "Chilling effect: 1 - expressed / desired criticism",
            value: shortfall(expressed, desired),
            unit: "",
        },
        Headline {
            key: "silent_dissenters",
            label: "Silent share of private dissenters (last day)",
            value: last(s.person("silent_share_of_dissenters")),
            unit: "",
        },
        Headline {
            key: "blacklisted_per_100k",
            label: "Persons on a blacklist per 100,000 adults (last day)",
            value: ratio(last(s.person("blacklisted")), adults_end) * 1e5,
            unit: "",
        },
        Headline {
            key: "redlisted_per_100k",
            label: "Persons on a redlist per 100,000 adults (last day)",
            value: ratio(last(s.person("redlisted")), adults_end) * 1e5,
            unit: "",
        },
        Headline {
            key: "sanctions",
            label: "Sanctions imposed (persons and firms)",
            value: sanctions,
            unit: "",
        },
        Headline {
            key: "false_sanctions",
            label: "False sanctions (no true violation behind them)",
            value: false_sanctions,
            unit: "",
        },
        Headline {
            key: "false_sanction_share",
            label: "False share of sanctions",
            value: ratio(false_sanctions, sanctions),
            unit: "",
        },
        Headline {
            key: "spillover_share",
            label: "Cross-context share of sanctions",
            value: ratio(spill, sanctions),
            unit: "",
        },
        Headline {
            key: "flights_blocked",
            label: "Flights refused",
            value: sum(s.person("flights_blocked")),
            unit: "",
        },
        Headline {
            key: "trains_blocked",
            label: "High-speed trains refused",
            value: sum(s.person("trains_blocked")),
            unit: "",
        },
        Headline {
            key: "sanction_disparity_income",
            label: "Sanctions per adult, poorest / richest quintile",
            value: disparity("income", "q1", "q5"),
            unit: "",
        },
        Headline {
            key: "sanction_disparity_rural",
            label: "Sanctions per adult, rural / urban",
            value: disparity("urban_rural", "rural", "urban"),
            unit: "",
        },
        Headline {
            key: "wealth_gini",
            label: "Wealth Gini (last day)",
            value: s.gini().last().copied().unwrap_or(0.0),
            unit: "",
        },
        Headline {
            key: "mean_trust",
            label: "Mean trust in the system (last day, 0-1)",
            value: last(s.person("mean_trust")),
            unit: "",
        },
        Headline {
            key: "mean_resentment",
            label: "Mean resentment of the system (last day, 0-1)",
            value: last(s.person("mean_resentment")),
            unit: "",
        },
        Headline {
            key: "fines_yuan",
            label: "Fines collected, persons and firms (yuan)",
            value: sum(s.person("fines_yuan")) + sum(s.firm("fines_yuan")),
            unit: "",
        },
        Headline { key: "firm_closures", label: "Firm closures", value: sum(s.firm("closures")), unit: "" },
        Headline {
            key: "firm_value_lost_yuan",
            label: "Firm value lost to measures (yuan)",
            value: sum(s.firm("value_lost_yuan")),
            unit: "",
        },
        Headline {
            key: "firms_blacklisted",
            label: "Firms on a blacklist (last day)",
            value: last(s.firm("blacklisted")),
            unit: "",
        },
    ];
    if intervention_day.is_some() {
        h.push(Headline {
            key: "funds_extracted_yuan",
            label: "Funds extracted by targeted enforcement (yuan)",
            value: sum(s.firm("funds_extracted_yuan")),
            unit: "",
        });
        h.push(Headline {
            key: "large_firm_criticism_before",
            label: "Criticism per other large firm a year, before",
            value: before,
            unit: "",
        });
        h.push(Headline {
            key: "large_firm_criticism_after",
            label: "Criticism per other large firm a year, after",
            value: after,
            unit: "",
        });
    }
    for x in &mut h {
        x.unit = unit_of(x.key).unwrap_or("number");
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_headline_has_a_unit_and_undefined_ratios_are_nan() {
        let keys: Vec<&str> = UNITS.iter().map(|(k, _)| *k).collect();
        let mut unique = keys.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), keys.len(), "a headline key is listed twice");
        assert!(ratio(1.0, 0.0).is_nan() && shortfall(1.0, 0.0).is_nan());
        assert_eq!(shortfall(3.0, 2.0), 0.0);
        assert_eq!(shortfall(1.0, 4.0), 0.75);
    }
}
