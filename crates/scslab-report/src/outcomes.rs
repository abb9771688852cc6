//! What the headline outcomes are, in words: each key's unit (when a folder's CSV files do not
//! say it), its name for a lay reader, and whether it is a total that can be scaled from the
//! synthetic sample to a real population. Also the plain-words names of swept parameters.

use crate::format::{self, Unit};

/// A headline outcome a report knows by its key.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Known {
    pub key: &'static str,
    pub unit: Unit,
    /// The outcome in plain words, starting with a capital.
    pub name: &'static str,
    /// A total over the run (persons and firms, or money) that grows with the population, so
    /// that scaling it to a real population is meaningful.
    pub total: bool,
}

const fn known(key: &'static str, unit: Unit, name: &'static str, total: bool) -> Known {
    Known { key, unit, name, total }
}

/// The headline outcomes `scslab run` writes, in its order.
pub(crate) const KNOWN: [Known; 39] = [
    known("compliance_rate", Unit::Share, "Adult-days without a violation", false),
    known("violations_per_1000", Unit::Per1000AdultsYear, "True violations", false),
    known("recorded_share", Unit::Share, "Share of true violations that were recorded", false),
    known("criticism_per_1000", Unit::Per1000AdultsYear, "Public criticism expressed", false),
    known("chilling_effect", Unit::Share, "Chilling effect (wanted criticism left unsaid)", false),
    known("silent_dissenters", Unit::Share, "Private dissenters who have fallen silent (last day)", false),
    known("blacklisted_per_100k", Unit::Per100kAdults, "Persons on a blacklist (last day)", false),
    known("redlisted_per_100k", Unit::Per100kAdults, "Persons on a redlist (last day)", false),
    known("sanctions", Unit::Count, "Sanctions imposed on persons and firms", true),
    known("false_sanctions", Unit::Count, "Sanctions with no true violation behind them", true),
    known(
        "false_sanction_share",
        Unit::Share,
        "Share of sanctions with no true violation behind them",
        false,
    ),
    known("spillover_share", Unit::Share, "Share of sanctions imposed in an unrelated context", false),
    known("flights_blocked", Unit::Count, "Flights refused", true),
    known("trains_blocked", Unit::Count, "High-speed train trips refused", true),
    known(
        "sanction_disparity_income",
        Unit::Ratio,
        "Sanctions per adult, poorest fifth vs richest fifth",
        false,
    ),
    known("sanction_disparity_rural", Unit::Ratio, "Sanctions per adult, rural vs urban", false),
    known("wealth_gini", Unit::Index, "Wealth inequality (Gini index, 0 to 1, last day)", false),
    known("mean_trust", Unit::Index, "Mean trust in the system (0 to 1, last day)", false),
    known("mean_resentment", Unit::Index, "Mean resentment of the system (0 to 1, last day)", false),
    known("fines_yuan", Unit::Yuan, "Fines collected from persons and firms", true),
    known("firm_closures", Unit::Count, "Firms closed", true),
    known("firm_value_lost_yuan", Unit::Yuan, "Firm value lost to measures", true),
    known("firms_blacklisted", Unit::Count, "Firms on a blacklist (last day)", true),
    known("funds_extracted_yuan", Unit::Yuan, "Funds extracted by targeted enforcement", true),
    known(
        "large_firm_criticism_before",
        Unit::PerFirmYear,
        "Criticism by the leaders of the other large firms, before the intervention",
        false,
    ),
    known(
        "large_firm_criticism_after",
        Unit::PerFirmYear,
        "Criticism by the leaders of the other large firms, after the intervention",
        false,
    ),
    // The behaviour theories (docs/THEORIES.md): expression, then reputation.
    known("share_compliant", Unit::Share, "Adults whose wish to dissent the authority tolerates", false),
    known(
        "share_self_censoring",
        Unit::Share,
        "Adults who say less than they would like (self-censorship)",
        false,
    ),
    known("share_defiant", Unit::Share, "Adults who say all they want despite punishment (defiance)", false),
    known("mean_desired", Unit::Index, "Mean dissent people would like to express (0 to 1)", false),
    known("mean_expressed", Unit::Index, "Mean dissent people do express (0 to 1)", false),
    known("max_expressed", Unit::Index, "Largest dissent anyone expresses (0 to 1, last day)", false),
    known(
        "defiance_threshold",
        Unit::Index,
        "Lowest wish to dissent among those who defy (0 to 1, last day)",
        false,
    ),
    known(
        "cooperation_rate",
        Unit::Share,
        "Help given when asked (donation game, second half of the run)",
        false,
    ),
    known("good_share", Unit::Share, "Reputations judged good (second half of the run)", false),
    known(
        "agreement",
        Unit::Share,
        "Observers agreeing on someone's reputation (second half of the run)",
        false,
    ),
    known("freq_allc", Unit::Share, "People who always help", false),
    known("freq_alld", Unit::Share, "People who never help", false),
    known("freq_disc", Unit::Share, "People who help only those in good standing", false),
];

/// The known outcome with this key.
pub(crate) fn find(key: &str) -> Option<&'static Known> {
    KNOWN.iter().find(|k| k.key == key)
}

/// The unit of an outcome: the one written in the file if any, else the known one, else `None`
/// (a plain number).
pub(crate) fn unit(key: &str, written: Option<&str>) -> Option<Unit> {
    written.and_then(Unit::from_key).or_else(|| find(key).map(|k| k.unit))
}

/// A value in its unit, or a plain number without one.
pub(crate) fn value(x: f64, unit: Option<Unit>) -> String {
    match unit {
        Some(u) => format::value(x, u),
        None => format::number(x),
    }
}

/// A signed difference in its unit, or a plain signed number without one.
pub(crate) fn difference(x: f64, unit: Option<Unit>) -> String {
    match unit {
        Some(u) => format::difference(x, u),
        None if !x.is_finite() => format::NOT_AVAILABLE.to_string(),
        None if x > 0.0 => format!("+{}", format::number(x)),
        None => format::number(x),
    }
}

/// An interval `[low, high]` in its unit: "12.1% to 14.0%"; "n/a" when either end is not finite.
pub(crate) fn interval(low: f64, high: f64, unit: Option<Unit>, signed: bool) -> String {
    if !(low.is_finite() && high.is_finite()) {
        return format::NOT_AVAILABLE.to_string();
    }
    let f = |x| if signed { difference(x, unit) } else { value(x, unit) };
    format::range(&f(low), &f(high))
}

/// The name of an outcome: the known one, else the label written beside it, else the key.
pub(crate) fn name(key: &str, label: Option<&str>) -> String {
    match (find(key), label) {
        (Some(k), _) => k.name.to_string(),
        (None, Some(l)) if !l.is_empty() => l.to_string(),
        _ => words(key),
    }
}

/// `fear_perception` -> "Fear perception".
pub(crate) fn words(key: &str) -> String {
    let text = key.replace(['_', '.'], " ");
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A swept parameter's key in plain words: `behaviour.fear_perception` -> "Fear perception";
/// `authority.court_defaulters.detect.judgment_default` -> "Detection of judgment default by
/// court defaulters".
pub(crate) fn parameter(key: &str) -> String {
    let parts: Vec<&str> = key.split('.').collect();
    match parts.as_slice() {
        ["authority", authority, "detect", event] => {
            format!("Detection of {} by {}", words(event).to_lowercase(), words(authority).to_lowercase())
        }
        ["authority", authority, "points", event] => {
            format!("Points for {} at {}", words(event).to_lowercase(), words(authority).to_lowercase())
        }
        ["authority", authority, field] => format!("{} of {}", words(field), words(authority).to_lowercase()),
        [.., last] => words(last),
        [] => key.to_string(),
    }
}

/// The population of China at the 2020 census (National Bureau of Statistics, 7th census),
/// the real population the `census_2020` province weights describe.
pub(crate) const CHINA_2020: f64 = 1_411_778_724.0;

/// The real population a scenario models, when its text says so: China at the 2020 census for a
/// scenario with `province_weights = "census_2020"`.
pub(crate) fn real_population(scenario_text: Option<&str>) -> Option<(f64, &'static str)> {
    let text = scenario_text?;
    text.lines()
        .map(|l| l.split('#').next().unwrap_or(""))
        .any(|l| l.contains("province_weights") && l.contains("census_2020"))
        .then_some((CHINA_2020, "China's 1.41 billion people (2020 census)"))
}

/// A real population in words: 1,411,780,000 -> "1.41 billion".
pub(crate) fn real_population_words(x: f64) -> String {
    if !x.is_finite() {
        return format::NOT_AVAILABLE.to_string();
    }
    if x >= 1e9 {
        format!("{:.2} billion", x / 1e9)
    } else if x >= 1e6 {
        format!("{:.1} million", x / 1e6)
    } else {
        format::count(x)
    }
}

/// A day of the run as a date, when the scenario has a start date: `start_date = "2020-01-01"`
/// in its `[scenario]` table (also `start = ...`). Returns the (year, month, day) of day 0.
pub(crate) fn start_date(scenario_text: Option<&str>) -> Option<(i64, u32, u32)> {
    let text = scenario_text?;
    let mut in_scenario = false;
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.starts_with('[') {
            in_scenario = line == "[scenario]";
            continue;
        }
        let Some((key, value)) = line.split_once('=') else { continue };
        if in_scenario && matches!(key.trim(), "start_date" | "start") {
            return parse_date(value.trim().trim_matches('"'));
        }
    }
    None
}

/// `2020-01-31` -> (2020, 1, 31).
pub(crate) fn parse_date(s: &str) -> Option<(i64, u32, u32)> {
    let mut it = s.trim().splitn(3, '-');
    let y = it.next()?.parse().ok()?;
    let m: u32 = it.next()?.parse().ok()?;
    let d: u32 = it.next()?.get(..2)?.parse().ok()?;
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some((y, m, d))
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
pub(crate) fn days_from_civil((y, m, d): (i64, u32, u32)) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

pub(crate) use scslab_output::format::civil_from_days;

/// Month names for dates.
pub(crate) const MONTHS: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// A date as "5 Mar 2020".
pub(crate) fn date_text((y, m, d): (i64, u32, u32)) -> String {
    format!("{d} {} {y}", MONTHS[(m - 1) as usize])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_outcome_has_a_distinct_key() {
        for (i, k) in KNOWN.iter().enumerate() {
            assert!(KNOWN[..i].iter().all(|o| o.key != k.key), "{}", k.key);
        }
    }

    #[test]
    fn a_written_unit_wins_over_the_known_one() {
        assert_eq!(unit("sanctions", Some("yuan")), Some(Unit::Yuan));
        assert_eq!(unit("sanctions", None), Some(Unit::Count));
        assert_eq!(unit("sanctions", Some("")), Some(Unit::Count));
        assert_eq!(unit("mystery", None), None);
        assert_eq!(value(2.5, None), "2.5");
        assert_eq!(difference(f64::NAN, None), "n/a");
        assert_eq!(difference(3.0, None), "+3");
    }

    #[test]
    fn parameters_read_as_words() {
        assert_eq!(parameter("behaviour.fear_perception"), "Fear perception");
        assert_eq!(
            parameter("authority.national_score.detect.criticism"),
            "Detection of criticism by national score"
        );
        assert_eq!(parameter("people"), "People");
    }

    #[test]
    fn china_is_recognised_by_its_census_weights() {
        let text = "[population]\nprovince_weights = \"census_2020\"   # S:S5\n";
        assert_eq!(real_population(Some(text)).map(|p| p.0), Some(CHINA_2020));
        assert_eq!(real_population(Some("# province_weights = \"census_2020\"\n")), None);
        assert_eq!(real_population(None), None);
    }

    #[test]
    fn start_dates_are_read_and_days_become_dates() {
        let text = "[scenario]\nname = \"x\"\nstart_date = \"2020-01-01\"  # day 0\n[population]\n";
        let start = start_date(Some(text)).unwrap();
        assert_eq!(start, (2020, 1, 1));
        assert_eq!(start_date(Some("[population]\nstart_date = \"2020-01-01\"\n")), None);
        let day0 = days_from_civil(start);
        assert_eq!(civil_from_days(day0 + 59), (2020, 2, 29));
        assert_eq!(civil_from_days(day0 + 365), (2020, 12, 31));
        assert_eq!(civil_from_days(day0 + 366), (2021, 1, 1));
        assert_eq!(days_from_civil((1970, 1, 1)), 0);
        assert_eq!(date_text((2013, 10, 1)), "1 Oct 2013");
        assert_eq!(parse_date("2013-10-01"), Some((2013, 10, 1)));
        assert_eq!(parse_date("2013-13-01"), None);
    }
}
