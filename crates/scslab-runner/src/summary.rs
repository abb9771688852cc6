//! Headline outcomes of a run, computed from its daily series: the numbers printed at the end of
//! a run and compared between a scenario and its counterfactual.
//!
//! Each outcome is declared once, as an [`Outcome`] with its key, label and unit; its value is
//! computed from the series through the counters' typed handles (`PersonCols`, `FirmCols`), so a
//! counter that is renamed or removed is a compile error, never a silent 0.

use scslab_model::vocab::{PERSON_EVENTS, Valence};
use scslab_output::format::Unit;

use crate::series::{Derived, Dimension, SeriesBuilder, ratio, shortfall};

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
    /// Its unit, written in the `unit` column of `summary.csv` by its key: `share` (a fraction
    /// of 1), `count`, `yuan`, `per_1000_adults_year`, `per_100k_adults`, `ratio` (of two rates),
    /// `index` (a number on a fixed scale, such as 0-1) or `per_firm_year`.
    pub unit: Unit,
}

/// A headline outcome: its key, label and unit are declared here, once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Adult-days without a violation (share).
    ComplianceRate,
    /// True violations per 1,000 adults a year.
    ViolationsPer1000,
    /// Share of true violations recorded.
    RecordedShare,
    /// Criticism expressed per 1,000 adults a year.
    CriticismPer1000,
    /// 1 - expressed / desired criticism.
    ChillingEffect,
    /// Silent share of private dissenters (last day).
    SilentDissenters,
    /// Persons on a blacklist per 100,000 adults (last day).
    BlacklistedPer100k,
    /// Persons on a redlist per 100,000 adults (last day).
    RedlistedPer100k,
    /// Sanctions imposed (persons and firms).
    Sanctions,
    /// False sanctions.
    FalseSanctions,
    /// False share of sanctions.
    FalseSanctionShare,
    /// Cross-context share of sanctions.
    SpilloverShare,
    /// Flights refused.
    FlightsBlocked,
    /// High-speed trains refused.
    TrainsBlocked,
    /// Sanctions per adult, poorest / richest quintile.
    SanctionDisparityIncome,
    /// Sanctions per adult, rural / urban.
    SanctionDisparityRural,
    /// Wealth Gini (last day).
    WealthGini,
    /// Mean trust (last day).
    MeanTrust,
    /// Mean resentment (last day).
    MeanResentment,
    /// Fines collected, persons and firms.
    FinesYuan,
    /// Firm closures.
    FirmClosures,
    /// Firm value lost to measures.
    FirmValueLostYuan,
    /// Firms on a blacklist (last day).
    FirmsBlacklisted,
    /// Funds extracted by targeted enforcement (only with an intervention).
    FundsExtractedYuan,
    /// Criticism per other large firm a year, before the intervention.
    LargeFirmCriticismBefore,
    /// Criticism per other large firm a year, after the intervention.
    LargeFirmCriticismAfter,
    /// Expression theory: share of adult-days compliant (desired dissent tolerated).
    ShareCompliant,
    /// Expression theory: share of adult-days self-censoring.
    ShareSelfCensoring,
    /// Expression theory: share of adult-days defiant.
    ShareDefiant,
    /// Expression theory: mean desired dissent.
    MeanDesired,
    /// Expression theory: mean expressed dissent.
    MeanExpressed,
    /// Expression theory: the largest expressed dissent (last day).
    MaxExpressed,
    /// Expression theory: the lowest desired dissent among the defiant (last day; empty if none).
    DefianceThreshold,
    /// Reputation theory: cooperation rate (second half of the run).
    CooperationRate,
    /// Reputation theory: share of good reputations (second half).
    GoodShare,
    /// Reputation theory: agreement between observers (second half).
    Agreement,
    /// Reputation theory: frequency of unconditional cooperators (second half).
    FreqAllc,
    /// Reputation theory: frequency of unconditional defectors (second half).
    FreqAlld,
    /// Reputation theory: frequency of discriminators (second half).
    FreqDisc,
}

impl Outcome {
    /// Every outcome, in the order a run reports them.
    pub const ALL: [Outcome; 39] = [
        Outcome::ComplianceRate,
        Outcome::ViolationsPer1000,
        Outcome::RecordedShare,
        Outcome::CriticismPer1000,
        Outcome::ChillingEffect,
        Outcome::SilentDissenters,
        Outcome::BlacklistedPer100k,
        Outcome::RedlistedPer100k,
        Outcome::Sanctions,
        Outcome::FalseSanctions,
        Outcome::FalseSanctionShare,
        Outcome::SpilloverShare,
        Outcome::FlightsBlocked,
        Outcome::TrainsBlocked,
        Outcome::SanctionDisparityIncome,
        Outcome::SanctionDisparityRural,
        Outcome::WealthGini,
        Outcome::MeanTrust,
        Outcome::MeanResentment,
        Outcome::FinesYuan,
        Outcome::FirmClosures,
        Outcome::FirmValueLostYuan,
        Outcome::FirmsBlacklisted,
        Outcome::FundsExtractedYuan,
        Outcome::LargeFirmCriticismBefore,
        Outcome::LargeFirmCriticismAfter,
        Outcome::ShareCompliant,
        Outcome::ShareSelfCensoring,
        Outcome::ShareDefiant,
        Outcome::MeanDesired,
        Outcome::MeanExpressed,
        Outcome::MaxExpressed,
        Outcome::DefianceThreshold,
        Outcome::CooperationRate,
        Outcome::GoodShare,
        Outcome::Agreement,
        Outcome::FreqAllc,
        Outcome::FreqAlld,
        Outcome::FreqDisc,
    ];

    /// Its declaration: (key, label, unit).
    const fn declaration(self) -> (&'static str, &'static str, Unit) {
        use Outcome as O;
        match self {
            O::ComplianceRate => ("compliance_rate", "Adult-days without a violation (share)", Unit::Share),
            O::ViolationsPer1000 => {
                ("violations_per_1000", "True violations per 1,000 adults a year", Unit::Per1000AdultsYear)
            }
            O::RecordedShare => ("recorded_share", "Share of true violations recorded", Unit::Share),
            O::CriticismPer1000 => {
                ("criticism_per_1000", "Criticism expressed per 1,000 adults a year", Unit::Per1000AdultsYear)
            }
            O::ChillingEffect => {
                ("chilling_effect", "Chilling effect: 1 - expressed / desired criticism", Unit::Share)
            }
            O::SilentDissenters => {
                ("silent_dissenters", "Silent share of private dissenters (last day)", Unit::Share)
            }
            O::BlacklistedPer100k => (
                "blacklisted_per_100k",
                "Persons on a blacklist per 100,000 adults (last day)",
                Unit::Per100kAdults,
            ),
            O::RedlistedPer100k => (
                "redlisted_per_100k",
                "Persons on a redlist per 100,000 adults (last day)",
                Unit::Per100kAdults,
            ),
            O::Sanctions => ("sanctions", "Sanctions imposed (persons and firms)", Unit::Count),
            O::FalseSanctions => {
                ("false_sanctions", "False sanctions (no true violation behind them)", Unit::Count)
            }
            O::FalseSanctionShare => ("false_sanction_share", "False share of sanctions", Unit::Share),
            O::SpilloverShare => ("spillover_share", "Cross-context share of sanctions", Unit::Share),
            O::FlightsBlocked => ("flights_blocked", "Flights refused", Unit::Count),
            O::TrainsBlocked => ("trains_blocked", "High-speed trains refused", Unit::Count),
            O::SanctionDisparityIncome => {
                ("sanction_disparity_income", "Sanctions per adult, poorest / richest quintile", Unit::Ratio)
            }
            O::SanctionDisparityRural => {
                ("sanction_disparity_rural", "Sanctions per adult, rural / urban", Unit::Ratio)
            }
            O::WealthGini => ("wealth_gini", "Wealth Gini (last day)", Unit::Index),
            O::MeanTrust => ("mean_trust", "Mean trust in the system (last day, 0-1)", Unit::Index),
            O::MeanResentment => {
                ("mean_resentment", "Mean resentment of the system (last day, 0-1)", Unit::Index)
            }
            O::FinesYuan => ("fines_yuan", "Fines collected, persons and firms (yuan)", Unit::Yuan),
            O::FirmClosures => ("firm_closures", "Firm closures", Unit::Count),
            O::FirmValueLostYuan => {
                ("firm_value_lost_yuan", "Firm value lost to measures (yuan)", Unit::Yuan)
            }
            O::FirmsBlacklisted => ("firms_blacklisted", "Firms on a blacklist (last day)", Unit::Count),
            O::FundsExtractedYuan => {
                ("funds_extracted_yuan", "Funds extracted by targeted enforcement (yuan)", Unit::Yuan)
            }
            O::LargeFirmCriticismBefore => (
                "large_firm_criticism_before",
                "Criticism per other large firm a year, before",
                Unit::PerFirmYear,
            ),
            O::LargeFirmCriticismAfter => (
                "large_firm_criticism_after",
                "Criticism per other large firm a year, after",
                Unit::PerFirmYear,
            ),
            O::ShareCompliant => ("share_compliant", "Expression: compliant adults (share)", Unit::Share),
            O::ShareSelfCensoring => {
                ("share_self_censoring", "Expression: self-censoring adults (share)", Unit::Share)
            }
            O::ShareDefiant => ("share_defiant", "Expression: defiant adults (share)", Unit::Share),
            O::MeanDesired => ("mean_desired", "Expression: mean desired dissent (0-1)", Unit::Index),
            O::MeanExpressed => ("mean_expressed", "Expression: mean expressed dissent (0-1)", Unit::Index),
            O::MaxExpressed => {
                ("max_expressed", "Expression: largest expressed dissent (last day)", Unit::Index)
            }
            O::DefianceThreshold => {
                ("defiance_threshold", "Expression: defiance threshold (last day)", Unit::Index)
            }
            O::CooperationRate => {
                ("cooperation_rate", "Reputation: cooperation rate (second half)", Unit::Share)
            }
            O::GoodShare => ("good_share", "Reputation: good reputations (second half)", Unit::Share),
            O::Agreement => ("agreement", "Reputation: agreement of observers (second half)", Unit::Share),
            O::FreqAllc => ("freq_allc", "Reputation: always cooperate (second half)", Unit::Share),
            O::FreqAlld => ("freq_alld", "Reputation: always defect (second half)", Unit::Share),
            O::FreqDisc => ("freq_disc", "Reputation: discriminators (second half)", Unit::Share),
        }
    }

    /// Stable key (snake case), as written in `summary.csv`.
    pub const fn key(self) -> &'static str {
        self.declaration().0
    }

    /// What it means, with its unit.
    pub const fn label(self) -> &'static str {
        self.declaration().1
    }

    /// Its unit.
    pub const fn unit(self) -> Unit {
        self.declaration().2
    }

    /// The outcome with this key, if `key` is one.
    pub fn from_key(key: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.key() == key)
    }

    fn headline(self, value: f64) -> Headline {
        Headline { key: self.key(), label: self.label(), value, unit: self.unit() }
    }
}

/// The unit key of a headline outcome (see [`Headline::unit`]), if `key` is one.
pub fn unit_of(key: &str) -> Option<Unit> {
    Outcome::from_key(key).map(Outcome::unit)
}

fn sum(x: &[f64]) -> f64 {
    x.iter().sum()
}

fn last(x: &[f64]) -> f64 {
    x.last().copied().unwrap_or(0.0)
}

/// Computes the headline outcomes. `intervention_day` splits large firms' criticism into
/// before and after a targeted enforcement.
pub fn headlines(s: &SeriesBuilder, intervention_day: Option<u32>) -> Vec<Headline> {
    let (p, f) = (s.person_cols(), s.firm_cols());
    let person = |col: usize| sum(s.person_at(col));
    let firm = |col: usize| sum(s.firm_at(col));
    let adult_days = person(p.adults);
    let per_1000_year = |x: f64| ratio(x, adult_days) * 365_000.0;
    let adults_end = last(s.person_at(p.adults));
    // Violations are the person events the regime counts as breaches of law or contract.
    let violations = || (0..PERSON_EVENTS.len()).filter(|&e| PERSON_EVENTS[e].valence == Valence::Violation);
    let true_violations: f64 = violations().map(|e| person(p.true_event(e))).sum();
    let recorded: f64 = violations().map(|e| person(p.recorded_event(e))).sum();
    let sanctions = person(p.sanctions) + firm(f.sanctions);
    let false_sanctions = person(p.false_sanctions) + firm(f.false_sanctions);
    let spill = person(p.spillover_sanctions) + firm(f.spillover_sanctions);
    let desired = person(p.desired_criticism);
    let expressed = person(p.expressed_criticism);
    let disparity = |dim: Dimension, lo: &str, hi: &str| {
        let adults = s.person_by_group(dim, p.adults);
        let rates: Vec<(String, f64)> = s
            .person_by_group(dim, p.sanctions)
            .into_iter()
            .zip(adults)
            .map(|((g, x), (_, a))| (g, ratio(x, a)))
            .collect();
        let get = |g: &str| rates.iter().find(|x| x.0 == g).map_or(f64::NAN, |x| x.1);
        ratio(get(lo), get(hi))
    };
    use Outcome as O;
    let mut h = vec![
        O::ComplianceRate.headline(ratio(person(p.compliant), adult_days)),
        O::ViolationsPer1000.headline(per_1000_year(true_violations)),
        O::RecordedShare.headline(ratio(recorded, true_violations)),
        O::CriticismPer1000.headline(per_1000_year(person(p.true_event(scslab_model::vocab::EV_CRITICISM)))),
        O::ChillingEffect.headline(shortfall(expressed, desired)),
        O::SilentDissenters.headline(last(s.derived(Derived::SilentShare))),
        O::BlacklistedPer100k.headline(ratio(last(s.person_at(p.blacklisted)), adults_end) * 1e5),
        O::RedlistedPer100k.headline(ratio(last(s.person_at(p.redlisted)), adults_end) * 1e5),
        O::Sanctions.headline(sanctions),
        O::FalseSanctions.headline(false_sanctions),
        O::FalseSanctionShare.headline(ratio(false_sanctions, sanctions)),
        O::SpilloverShare.headline(ratio(spill, sanctions)),
        O::FlightsBlocked.headline(person(p.flights_blocked)),
        O::TrainsBlocked.headline(person(p.trains_blocked)),
        O::SanctionDisparityIncome.headline(disparity(Dimension::Income, "q1", "q5")),
        O::SanctionDisparityRural.headline(disparity(Dimension::UrbanRural, "rural", "urban")),
        O::WealthGini.headline(s.gini().last().copied().unwrap_or(0.0)),
        O::MeanTrust.headline(last(s.derived(Derived::MeanTrust))),
        O::MeanResentment.headline(last(s.derived(Derived::MeanResentment))),
        O::FinesYuan.headline(person(p.fines_yuan) + firm(f.fines_yuan)),
        O::FirmClosures.headline(firm(f.closures)),
        O::FirmValueLostYuan.headline(firm(f.value_lost_yuan)),
        O::FirmsBlacklisted.headline(last(s.firm_at(f.blacklisted))),
    ];
    if let Some(d) = intervention_day {
        let crit = s.firm_at(f.large_criticism);
        let alive = s.firm_at(f.large_alive);
        let d = (d as usize).min(crit.len());
        let rate =
            |r: std::ops::Range<usize>| ratio(crit[r.clone()].iter().sum(), alive[r].iter().sum()) * 365.0;
        h.push(O::FundsExtractedYuan.headline(firm(f.funds_extracted_yuan)));
        h.push(O::LargeFirmCriticismBefore.headline(rate(0..d)));
        h.push(O::LargeFirmCriticismAfter.headline(rate(d..crit.len())));
    }
    h.extend(theory_headlines(s));
    h
}

/// The behaviour theory's headlines: none under deterrence.
fn theory_headlines(s: &SeriesBuilder) -> Vec<Headline> {
    use Outcome as O;
    let p = s.person_cols();
    if let Some(c) = p.expression {
        let total = |col: usize| sum(s.person_at(col));
        let (compliant, censoring, defiant) = (total(c.compliant), total(c.self_censoring), total(c.defiant));
        let chose = compliant + censoring + defiant;
        let last_value =
            |name: &str| s.theory(name).map_or(f64::NAN, |v| v.last().copied().unwrap_or(f64::NAN));
        return vec![
            O::ShareCompliant.headline(ratio(compliant, chose)),
            O::ShareSelfCensoring.headline(ratio(censoring, chose)),
            O::ShareDefiant.headline(ratio(defiant, chose)),
            O::MeanDesired.headline(ratio(total(c.desired), chose)),
            O::MeanExpressed.headline(ratio(total(c.expressed), chose)),
            O::MaxExpressed.headline(last_value("max_expressed")),
            O::DefianceThreshold.headline(last_value("defiance_threshold")),
        ];
    }
    // The reputation theory reports its values averaged over the second half of the run, as
    // Radzvilavicius et al. (2021) do.
    let second_half = |name: &str| {
        s.theory(name).map(|v| {
            let half = &v[v.len() / 2..];
            ratio(half.iter().sum(), half.len() as f64)
        })
    };
    let outcomes = [
        (O::CooperationRate, "cooperation_rate"),
        (O::GoodShare, "good_share"),
        (O::Agreement, "agreement"),
        (O::FreqAllc, "freq_allc"),
        (O::FreqAlld, "freq_alld"),
        (O::FreqDisc, "freq_disc"),
    ];
    outcomes.into_iter().filter_map(|(o, name)| second_half(name).map(|v| o.headline(v))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_headline_has_one_key_and_undefined_ratios_are_nan() {
        let keys: Vec<&str> = Outcome::ALL.iter().map(|o| o.key()).collect();
        let mut unique = keys.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), keys.len(), "a headline key is declared twice");
        for o in Outcome::ALL {
            assert_eq!(Outcome::from_key(o.key()), Some(o));
            assert_eq!(unit_of(o.key()), Some(o.unit()));
        }
        assert_eq!(unit_of("no_such_outcome"), None);
        assert!(ratio(1.0, 0.0).is_nan() && shortfall(1.0, 0.0).is_nan());
        assert_eq!(shortfall(3.0, 2.0), 0.0);
        assert_eq!(shortfall(1.0, 4.0), 0.75);
    }
}
