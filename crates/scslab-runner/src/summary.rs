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
    /// Its value.
    pub value: f64,
}

fn sum(x: Option<&[f64]>) -> f64 {
    x.map_or(0.0, |v| v.iter().sum())
}

fn last(x: Option<&[f64]>) -> f64 {
    x.and_then(|v| v.last().copied()).unwrap_or(0.0)
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { 0.0 }
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
        let get = |g: &str| r.iter().find(|x| x.0 == g).map_or(0.0, |x| x.1);
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
        None => (0.0, 0.0),
    };
    let mut h = vec![
        Headline {
            key: "compliance_rate",
            label: "Adult-days without a violation (share)",
            value: ratio(sum(s.person("compliant")), adult_days),
        },
        Headline {
            key: "violations_per_1000",
            label: "True violations per 1,000 adults a year",
            value: per_1000_year(violations),
        },
        Headline {
            key: "recorded_share",
            label: "Share of true violations recorded",
            value: ratio(recorded, violations),
        },
        Headline {
            key: "criticism_per_1000",
            label: "Criticism expressed per 1,000 adults a year",
            value: per_1000_year(sum(s.person("true_criticism"))),
        },
        Headline {
            key: "chilling_effect",
            label: "Chilling effect: 1 - expressed / desired criticism",
            value: 1.0 - ratio(expressed, desired).min(1.0),
        },
        Headline {
            key: "silent_dissenters",
            label: "Silent share of private dissenters (last day)",
            value: last(s.person("silent_share_of_dissenters")),
        },
        Headline {
            key: "blacklisted_per_100k",
            label: "Persons on a blacklist per 100,000 adults (last day)",
            value: ratio(last(s.person("blacklisted")), adults_end) * 1e5,
        },
        Headline {
            key: "redlisted_per_100k",
            label: "Persons on a redlist per 100,000 adults (last day)",
            value: ratio(last(s.person("redlisted")), adults_end) * 1e5,
        },
        Headline { key: "sanctions", label: "Sanctions imposed (persons and firms)", value: sanctions },
        Headline {
            key: "false_sanctions",
            label: "False sanctions (no true violation behind them)",
            value: false_sanctions,
        },
        Headline {
            key: "false_sanction_share",
            label: "False share of sanctions",
            value: ratio(false_sanctions, sanctions),
        },
        Headline {
            key: "spillover_share",
            label: "Cross-context share of sanctions",
            value: ratio(spill, sanctions),
        },
        Headline {
            key: "flights_blocked",
            label: "Flights refused",
            value: sum(s.person("flights_blocked")),
        },
        Headline {
            key: "trains_blocked",
            label: "High-speed trains refused",
            value: sum(s.person("trains_blocked")),
        },
        Headline {
            key: "sanction_disparity_income",
            label: "Sanctions per adult, poorest / richest quintile",
            value: disparity("income", "q1", "q5"),
        },
        Headline {
            key: "sanction_disparity_rural",
            label: "Sanctions per adult, rural / urban",
            value: disparity("urban_rural", "rural", "urban"),
        },
        Headline {
            key: "wealth_gini",
            label: "Wealth Gini (last day)",
            value: s.gini().last().copied().unwrap_or(0.0),
        },
        Headline {
            key: "mean_trust",
            label: "Mean trust in the system (last day, 0-1)",
            value: last(s.person("mean_trust")),
        },
        Headline {
            key: "mean_resentment",
            label: "Mean resentment of the system (last day, 0-1)",
            value: last(s.person("mean_resentment")),
        },
        Headline {
            key: "fines_yuan",
            label: "Fines collected, persons and firms (yuan)",
            value: sum(s.person("fines_yuan")) + sum(s.firm("fines_yuan")),
        },
        Headline { key: "firm_closures", label: "Firm closures", value: sum(s.firm("closures")) },
        Headline {
            key: "firm_value_lost_yuan",
            label: "Firm value lost to measures (yuan)",
            value: sum(s.firm("value_lost_yuan")),
        },
        Headline {
            key: "firms_blacklisted",
            label: "Firms on a blacklist (last day)",
            value: last(s.firm("blacklisted")),
        },
    ];
    if intervention_day.is_some() {
        h.push(Headline {
            key: "funds_extracted_yuan",
            label: "Funds extracted by targeted enforcement (yuan)",
            value: sum(s.firm("funds_extracted_yuan")),
        });
        h.push(Headline {
            key: "large_firm_criticism_before",
            label: "Criticism per other large firm a year, before",
            value: before,
        });
        h.push(Headline {
            key: "large_firm_criticism_after",
            label: "Criticism per other large firm a year, after",
            value: after,
        });
    }
    h
}
