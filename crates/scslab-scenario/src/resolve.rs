//! From the raw mirror to model parameters: every value checked, every name resolved.

use scslab_model::params::{
    Authority, AuthorityKind, Behaviour, Coverage, DirectGrade, Grade, Intervention, ListColor, ListRule,
    Measure, MeasureEffect, Memorandum, Network, Params, PointsScheme, Population, Rollout, ScoreRule,
    Subject, TraitDist,
};
use scslab_model::vocab::{
    CONTEXTS, Context, EventInfo, FIRM_EVENTS, FIRM_MEASURE_KINDS, N_PROVINCES, PERSON_EVENTS,
    PERSON_MEASURE_KINDS, PROVINCE_POPULATION_2020, PROVINCES,
};
use scslab_model::world::MAX_DIRECT_SCHEMES;
use toml::Spanned;

use crate::error::{ScenarioError, Source, choices, key_span};
use crate::keys::{AUTHORITY_KEYS, AUTHORITY_KINDS, AuthorityShape, measure_keys, measure_parameters};
use crate::raw::*;

mod policy;

type R<T> = Result<T, ScenarioError>;

/// Most persons a run can hold (ids are 32-bit).
pub const MAX_PEOPLE: u64 = u32::MAX as u64 - 1;
/// Longest run in days (100 years).
pub const MAX_DAYS: u32 = 36_500;
/// Most lists per subject (one bit each in a byte).
pub const MAX_LISTS: usize = 8;
/// Most characters of any name in a scenario (scenario, authority, measure, grade...).
pub const MAX_NAME_CHARS: usize = 64;
/// Largest amount of money that concerns one person or one measure, in yuan (one billion): a
/// person's wealth is held in 32-bit yuan, so that more could never be paid or held.
pub const MAX_PERSON_YUAN: f64 = 1e9;
/// Largest value of a firm or platform and largest fine, in yuan (ten trillion, about a tenth of
/// China's GDP in 2020).
pub const MAX_VALUE_YUAN: f64 = 1e13;

/// What a scenario name must look like, as said in error messages. The name becomes the output
/// folder `out/NAME` and `against-NAME/`, so it must not be able to name another folder.
pub const NAME_RULE: &str = "a short name for the output folder: 1 to 64 characters among a-z, 0-9, \
                             `-`, `_` and `.`, starting and ending with a letter or digit, without `..`";

/// Whether `name` is a safe scenario name (see [`NAME_RULE`]): it can only ever name one folder
/// inside the output folder, never a parent, the root, a drive or the folder itself.
pub fn is_safe_name(name: &str) -> bool {
    let b = name.as_bytes();
    let allowed = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit() || b"-_.".contains(c);
    let alnum = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    !b.is_empty()
        && b.len() <= MAX_NAME_CHARS
        && b.iter().all(allowed)
        && alnum(b[0])
        && alnum(b[b.len() - 1])
        && !name.contains("..")
}

/// Whether `s` is a valid calendar date `YYYY-MM-DD` (Gregorian, years 1000 to 9999).
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r.clone()].iter().all(u8::is_ascii_digit);
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' || !digits(0..4) || !digits(5..7) || !digits(8..10) {
        return false;
    }
    let (y, m, d): (u32, u32, u32) =
        (s[0..4].parse().unwrap_or(0), s[5..7].parse().unwrap_or(0), s[8..10].parse().unwrap_or(0));
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    y >= 1000 && (1..=days_in).contains(&d)
}

impl Source<'_> {
    fn prob(&self, v: &S<f64>, key: &str) -> R<f64> {
        let x = *v.get_ref();
        if !(0.0..=1.0).contains(&x) {
            return Err(
                self.error(v.span(), format!("{key}: expected a probability between 0 and 1, found {x}"))
            );
        }
        Ok(x)
    }

    /// A scenario name: a safe slug (see [`NAME_RULE`]).
    fn slug(&self, v: &S<String>, key: &str) -> R<String> {
        let name = v.get_ref();
        if !is_safe_name(name) {
            return Err(self.error(v.span(), format!("{key}: expected {NAME_RULE}, found \"{name}\"")));
        }
        Ok(name.clone())
    }

    /// Any other name: 1 to [`MAX_NAME_CHARS`] characters, none of them a control character.
    fn label(&self, v: &S<String>, key: &str) -> R<String> {
        let name = v.get_ref();
        let n = name.chars().count();
        if n == 0 || n > MAX_NAME_CHARS || name.chars().any(char::is_control) {
            return Err(self.error(
                v.span(),
                format!(
                    "{key}: expected a name of 1 to {MAX_NAME_CHARS} characters without control \
                     characters, found \"{name}\" ({n} characters)"
                ),
            ));
        }
        Ok(name.clone())
    }

    /// A finite number from `lo` to `hi`; `expected` says the range in words.
    fn within(&self, v: &S<f64>, key: &str, lo: f64, hi: f64, expected: &str) -> R<f64> {
        let x = *v.get_ref();
        if !(lo..=hi).contains(&x) {
            return Err(self.error(v.span(), format!("{key}: expected {expected}, found {x}")));
        }
        Ok(x)
    }

    /// Yuan from 0 to `max` (one of [`MAX_PERSON_YUAN`], [`MAX_VALUE_YUAN`]).
    fn yuan(&self, v: &S<f64>, key: &str, max: f64) -> R<f64> {
        self.within(v, key, 0.0, max, &format!("a finite amount of yuan from 0 to {}", yuan_words(max)))
    }

    /// A finite number, any sign.
    fn finite(&self, v: &S<f64>, key: &str) -> R<f64> {
        let x = *v.get_ref();
        if !x.is_finite() {
            return Err(self.error(v.span(), format!("{key}: expected a finite number, found {x}")));
        }
        Ok(x)
    }

    /// A number of days from 0 to [`MAX_DAYS`].
    fn day_count(&self, v: &S<u32>, key: &str) -> R<u32> {
        let d = *v.get_ref();
        if d > MAX_DAYS {
            return Err(self.error(v.span(), format!("{key}: expected at most {MAX_DAYS} days, found {d}")));
        }
        Ok(d)
    }

    /// A day of the run: from 0 to `days - 1`. Later, the event would silently never happen.
    fn day_of_run(&self, v: &S<u32>, key: &str, days: u32) -> R<u32> {
        let d = *v.get_ref();
        if d >= days {
            return Err(self.error(
                v.span(),
                format!(
                    "{key}: expected a day of the run, from 0 to {} (scenario.days = {days}), found {d}; \
                     on day {d} or later it would never happen",
                    days - 1
                ),
            ));
        }
        Ok(d)
    }

    fn nonneg(&self, v: &S<f64>, key: &str) -> R<f64> {
        let x = *v.get_ref();
        if !(x >= 0.0 && x.is_finite()) {
            return Err(self.error(v.span(), format!("{key}: expected a finite number >= 0, found {x}")));
        }
        Ok(x)
    }

    /// `N` shares that sum to 1; a share outside [0, 1] is located at itself.
    fn shares<const N: usize>(&self, v: &S<Vec<S<f64>>>, key: &str, names: &[&str]) -> R<[f64; N]> {
        let xs = v.get_ref();
        if xs.len() != N {
            return Err(self.error(
                v.span(),
                format!("{key}: expected {N} shares ({}), found {}", names.join(", "), xs.len()),
            ));
        }
        let mut out = [0.0; N];
        for ((x, name), o) in xs.iter().zip(names).zip(&mut out) {
            let share = *x.get_ref();
            if !(0.0..=1.0).contains(&share) {
                return Err(self.error(
                    x.span(),
                    format!(
                        "{key}: expected {N} shares between 0 and 1 that sum to 1; the share of {name} \
                         is out of range, found {share}"
                    ),
                ));
            }
            *o = share;
        }
        let sum: f64 = out.iter().sum();
        if (sum - 1.0).abs() > 1e-3 {
            return Err(self.error(
                v.span(),
                format!("{key}: expected {N} shares between 0 and 1 that sum to 1, found sum {sum}"),
            ));
        }
        Ok(out)
    }

    /// `N` amounts of yuan from 0 to `max`, each located at itself.
    fn values<const N: usize>(&self, v: &S<Vec<S<f64>>>, key: &str, names: &[&str], max: f64) -> R<[f64; N]> {
        let xs = v.get_ref();
        if xs.len() != N {
            return Err(self.error(
                v.span(),
                format!("{key}: expected {N} finite numbers >= 0 ({}), found {}", names.join(", "), xs.len()),
            ));
        }
        let mut out = [0.0; N];
        for ((x, name), o) in xs.iter().zip(names).zip(&mut out) {
            *o = self.yuan(x, &format!("{key} ({name})"), max)?;
        }
        Ok(out)
    }

    fn trait_dist(&self, v: &S<RawTrait>, key: &str) -> R<TraitDist> {
        let t = v.get_ref();
        let part = |x: &S<f64>, what: &str| {
            self.within(x, &format!("{key}.{what}"), 0.0, 1.0, "mean and spread between 0 and 1")
        };
        Ok(TraitDist { mean: part(&t.mean, "mean")?, spread: part(&t.spread, "spread")? })
    }

    /// Names listed twice in one list are refused: the second is located.
    fn no_repeats(&self, names: &[S<String>], key: &str) -> R<()> {
        for (i, n) in names.iter().enumerate() {
            if names[..i].iter().any(|m| m.get_ref() == n.get_ref()) {
                return Err(self.error(
                    n.span(),
                    format!("{key}: `{}` is listed twice; expected each name once", n.get_ref()),
                ));
            }
        }
        Ok(())
    }

    /// A table of values by event name; missing events get 0.
    fn event_table(&self, t: &NameTable, events: &[EventInfo], key: &str, probability: bool) -> R<Vec<f64>> {
        let mut out = vec![0.0; events.len()];
        for (name, value) in t {
            let Some(i) = events.iter().position(|e| e.name == name.get_ref()) else {
                return Err(self.error(
                    name.span(),
                    format!(
                        "{key}: unknown event `{}`; valid choices: {}",
                        name.get_ref(),
                        choices(events.iter().map(|e| e.name))
                    ),
                ));
            };
            let k = format!("{key}.{}", name.get_ref());
            out[i] = if probability {
                self.prob(value, &k)?
            } else {
                let x = *value.get_ref();
                if !x.is_finite() {
                    return Err(self.error(value.span(), format!("{k}: expected a finite number")));
                }
                x
            };
        }
        Ok(out)
    }

    fn event_names(&self, names: &[S<String>], events: &[EventInfo], key: &str) -> R<Vec<bool>> {
        let mut out = vec![false; events.len()];
        for n in names {
            let Some(i) = events.iter().position(|e| e.name == n.get_ref()) else {
                return Err(self.error(
                    n.span(),
                    format!(
                        "{key}: unknown event `{}`; valid choices: {}",
                        n.get_ref(),
                        choices(events.iter().map(|e| e.name))
                    ),
                ));
            };
            out[i] = true;
        }
        Ok(out)
    }

    fn province(&self, n: &S<String>, key: &str) -> R<u8> {
        PROVINCES.iter().position(|p| p == n.get_ref()).map(|p| p as u8).ok_or_else(|| {
            self.error(
                n.span(),
                format!("{key}: unknown province `{}`; valid choices: {}", n.get_ref(), choices(PROVINCES)),
            )
        })
    }

    fn context(&self, n: &S<String>, key: &str) -> R<Context> {
        CONTEXTS.iter().find(|(name, _)| name == n.get_ref()).map(|(_, c)| *c).ok_or_else(|| {
            self.error(
                n.span(),
                format!(
                    "{key}: unknown context `{}`; valid choices: {}",
                    n.get_ref(),
                    choices(CONTEXTS.iter().map(|c| c.0))
                ),
            )
        })
    }

    /// Refuses the first key of `table` (in the file's order) that `accepts` refuses, located at
    /// the key; `message` says why and lists the valid keys.
    fn only_keys(
        &self,
        table: &KeyTable,
        accepts: impl Fn(&str) -> bool,
        message: impl Fn(&str) -> String,
    ) -> R<()> {
        let refused = table.keys().filter(|k| !accepts(k.get_ref())).min_by_key(|k| k.span().start);
        match refused {
            None => Ok(()),
            Some(k) => Err(self.error(k.span(), message(k.get_ref()))),
        }
    }

    fn subject(&self, n: &S<String>, key: &str) -> R<Subject> {
        match n.get_ref().as_str() {
            "person" => Ok(Subject::Person),
            "firm" => Ok(Subject::Firm),
            other => Err(self.error(
                n.span(),
                format!("{key}: unknown subject `{other}`; valid choices: `person`, `firm`"),
            )),
        }
    }
}

/// Most authorities in a scenario (coverage masks are 64-bit).
pub const MAX_AUTHORITIES: usize = 64;

/// An optional day count, at most [`MAX_DAYS`].
fn day_count(src: &Source<'_>, v: &Option<S<u32>>, key: &str) -> R<Option<u32>> {
    v.as_ref().map(|d| src.day_count(d, key)).transpose()
}

/// A limit in yuan in words, for messages.
fn yuan_words(max: f64) -> &'static str {
    if max == MAX_PERSON_YUAN { "1e9 (one billion)" } else { "1e13 (ten trillion)" }
}

fn opt_prob(src: &Source<'_>, v: &Option<S<f64>>, key: &str, default: f64) -> R<f64> {
    v.as_ref().map_or(Ok(default), |v| src.prob(v, key))
}

/// Checks a raw scenario and builds the model parameters.
pub(crate) fn resolve(src: &Source<'_>, raw: &RawScenario, keys: &RawKeys) -> R<Params> {
    let meta = &raw.scenario;
    src.slug(&meta.name, "scenario.name")?;
    if let Some(date) = &meta.start_date
        && !is_date(date.get_ref())
    {
        return Err(src.error(
            date.span(),
            format!(
                "scenario.start_date: expected a calendar date as YYYY-MM-DD (day 0 of the run), found \"{}\"",
                date.get_ref()
            ),
        ));
    }
    let people = *meta.people.get_ref();
    if people == 0 || people > MAX_PEOPLE {
        return Err(src.error(
            meta.people.span(),
            format!("scenario.people: expected a population between 1 and {MAX_PEOPLE}, found {people}"),
        ));
    }
    let days = *meta.days.get_ref();
    if days == 0 || days > MAX_DAYS {
        return Err(src.error(
            meta.days.span(),
            format!("scenario.days: expected between 1 and {MAX_DAYS} days, found {days}"),
        ));
    }
    let population = population(src, &raw.population, &keys.population, people)?;
    let behaviour = behaviour(src, &raw.behaviour)?;
    let rollout = rollout(src, &raw.rollout)?;
    let measures =
        raw.measure.iter().zip(&keys.measure).map(|(m, k)| measure(src, m, k)).collect::<R<Vec<_>>>()?;
    unique(src, raw.measure.iter().map(|m| &m.name), "measure")?;
    unique(src, raw.authority.iter().map(|a| &a.name), "authority")?;
    if raw.authority.len() > MAX_AUTHORITIES {
        return Err(src.error(
            raw.authority[MAX_AUTHORITIES].name.span(),
            format!("authority: at most {MAX_AUTHORITIES} authorities, found {}", raw.authority.len()),
        ));
    }
    let names: Vec<&str> = raw.authority.iter().map(|a| a.name.get_ref().as_str()).collect();
    let mut authorities = Vec::new();
    for (a, k) in raw.authority.iter().zip(&keys.authority) {
        authorities.push(authority(src, a, k, raw, &measures)?);
    }
    for subject in [Subject::Person, Subject::Firm] {
        let n_lists = authorities
            .iter()
            .filter(|a| a.subject == subject && matches!(a.kind, AuthorityKind::List(_)))
            .count();
        if n_lists > MAX_LISTS {
            let span = raw.authority.last().map_or(0..0, |a| a.name.span());
            return Err(
                src.error(span, format!("authority: at most {MAX_LISTS} lists per subject, found {n_lists}"))
            );
        }
    }
    let find_measure = |n: &S<String>, key: &str| -> R<usize> {
        raw.measure.iter().position(|m| m.name.get_ref() == n.get_ref()).ok_or_else(|| {
            src.error(
                n.span(),
                format!(
                    "{key}: unknown measure `{}`; valid choices: {}",
                    n.get_ref(),
                    choices(raw.measure.iter().map(|m| m.name.get_ref()))
                ),
            )
        })
    };
    let mut memoranda = Vec::new();
    unique(src, raw.memorandum.iter().map(|m| &m.name), "memorandum")?;
    for m in &raw.memorandum {
        src.label(&m.name, "memorandum.name")?;
        src.no_repeats(&m.measures, &format!("memorandum `{}`: measures", m.name.get_ref()))?;
        let Some(list) = names.iter().position(|x| x == m.list.get_ref()) else {
            return Err(src.error(
                m.list.span(),
                format!(
                    "memorandum.list: unknown list `{}`; valid choices: {}",
                    m.list.get_ref(),
                    choices(list_names(raw))
                ),
            ));
        };
        let AuthorityKind::List(_) = authorities[list].kind else {
            return Err(src.error(
                m.list.span(),
                format!(
                    "memorandum.list: `{}` is a points scheme, expected a list; valid choices: {}",
                    m.list.get_ref(),
                    choices(list_names(raw))
                ),
            ));
        };
        let mut ms = Vec::new();
        for n in &m.measures {
            let i = find_measure(n, "memorandum.measures")?;
            check_measure_subject(src, n, &measures[i], authorities[list].subject)?;
            ms.push(i);
        }
        memoranda.push(Memorandum { name: m.name.get_ref().clone(), list, measures: ms, enabled: m.enabled });
    }
    let interventions = interventions(src, raw, population.platform_provinces.len(), days)?;
    let regime = policy::Regime {
        authorities: &authorities,
        memoranda: &memoranda,
        days,
        start_date: meta.start_date.as_ref().map(|d| d.get_ref().as_str()),
    };
    let policy_changes = policy::policy_changes(src, &raw.policy_change, &keys.policy_change, &regime)?;
    let net = &raw.network;
    let suppliers = *net.suppliers_per_firm.get_ref();
    if suppliers > 8 {
        return Err(src.error(
            net.suppliers_per_firm.span(),
            format!("network.suppliers_per_firm: expected at most 8, found {suppliers}"),
        ));
    }
    let network = Network {
        suppliers_per_firm: suppliers,
        drop_listed_partner: src.prob(&net.drop_listed_partner, "network.drop_listed_partner")?,
        partner_penalty_rate: src.prob(&net.partner_penalty_rate, "network.partner_penalty_rate")?,
        partner_penalty_yuan: src.yuan(
            &net.partner_penalty_yuan,
            "network.partner_penalty_yuan",
            MAX_PERSON_YUAN,
        )?,
        dropped_revenue_share: src.prob(&net.dropped_revenue_share, "network.dropped_revenue_share")?,
    };
    let theory = crate::theory::theory(src, raw, &authorities)?;
    let engine = crate::theory::engine(src, raw, &theory)?;
    Ok(Params {
        seed: meta.seed,
        n_persons: people,
        days,
        population,
        behaviour,
        rollout,
        authorities,
        measures,
        memoranda,
        network,
        interventions,
        policy_changes,
        theory,
        engine,
        // Up to the longest horizon, so that a run lengthened by `--days` rates its later years.
        year_ends: year_ends(meta.start_date.as_ref().map(|d| d.get_ref().as_str()), MAX_DAYS),
    })
}

/// The days below `days` that end a rating year: the last day of each calendar year when
/// the run has a start date (checked by `is_date`), else every 365th day (364, 729, ...).
fn year_ends(start_date: Option<&str>, days: u32) -> Vec<u32> {
    let leap = |y: u32| (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
    let year_len = |y: u32| if leap(y) { 366 } else { 365 };
    let (mut year, mut next) = match start_date {
        Some(d) => {
            let (y, m, day): (u32, u32, u32) =
                (d[0..4].parse().unwrap_or(0), d[5..7].parse().unwrap_or(1), d[8..10].parse().unwrap_or(1));
            let month_days = [31, if leap(y) { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
            let day_of_year: u32 = month_days[..(m as usize - 1).min(11)].iter().sum::<u32>() + day - 1;
            (y, year_len(y) - 1 - day_of_year)
        }
        None => (0, 364),
    };
    let mut out = Vec::new();
    while next < days {
        out.push(next);
        year += 1;
        next += if start_date.is_some() { year_len(year) } else { 365 };
    }
    out
}

/// The targeted interventions. Two with the same name, or against the same platform on the
/// same day, are duplicates: their effects would add up without the reader seeing it.
fn interventions(src: &Source<'_>, raw: &RawScenario, platforms: usize, days: u32) -> R<Vec<Intervention>> {
    unique(src, raw.intervention.iter().map(|iv| &iv.name), "intervention")?;
    let mut out: Vec<Intervention> = Vec::new();
    for iv in &raw.intervention {
        let name = src.label(&iv.name, "intervention.name")?;
        let key = |k: &str| format!("intervention `{name}`: {k}");
        let platform = *iv.platform.get_ref();
        if platform >= platforms {
            return Err(src.error(
                iv.platform.span(),
                format!(
                    "{}: expected an index below {platforms} (the number of population.platform_provinces), \
                     found {platform}",
                    key("platform")
                ),
            ));
        }
        let day = src.day_of_run(&iv.day, &key("day"), days)?;
        if let Some(other) = out.iter().find(|o| o.platform == platform && o.day == day) {
            return Err(src.error(
                iv.day.span(),
                format!(
                    "{}: duplicates intervention `{}` (same platform {platform} and day {day}); expected \
                     one intervention per platform and day",
                    key("day"),
                    other.name
                ),
            ));
        }
        out.push(Intervention {
            day,
            platform,
            ipo_halt_value_share: src.prob(&iv.ipo_halt_value_share, &key("ipo_halt_value_share"))?,
            fine_yuan: src.yuan(&iv.fine_yuan, &key("fine_yuan"), MAX_VALUE_YUAN)?,
            restructure_value_share: src
                .prob(&iv.restructure_value_share, &key("restructure_value_share"))?,
            founder_withdraws: iv.founder_withdraws,
            leaders_fear: src.prob(&iv.leaders_fear, &key("leaders_fear"))?,
            name,
        });
    }
    Ok(out)
}

fn list_names(raw: &RawScenario) -> Vec<String> {
    raw.authority.iter().filter(|a| a.kind.get_ref() != "points").map(|a| a.name.get_ref().clone()).collect()
}

fn unique<'a>(src: &Source<'_>, names: impl Iterator<Item = &'a S<String>>, what: &str) -> R<()> {
    let mut seen = std::collections::BTreeSet::new();
    for n in names {
        if !seen.insert(n.get_ref().as_str()) {
            return Err(src.error(
                n.span(),
                format!("{what}.name: `{}` is defined twice; names must be unique", n.get_ref()),
            ));
        }
    }
    Ok(())
}

fn population(src: &Source<'_>, p: &RawPopulation, keys: &KeyTable, people: u64) -> R<Population> {
    // The weights are read without spans: errors point at the key.
    let span = key_span(keys, "province_weights");
    let weights = match &p.province_weights {
        ProvinceWeights::Named(n) if n == "census_2020" => PROVINCE_POPULATION_2020.map(|x| x as f64),
        ProvinceWeights::Named(n) => {
            return Err(src.error(span, format!("population.province_weights: unknown weights `{n}`; valid choices: `census_2020`, or a table of weights by province")));
        }
        ProvinceWeights::Table(t) => {
            let mut w = [0.0; N_PROVINCES];
            for (name, &v) in t {
                let Some(i) = PROVINCES.iter().position(|p| p == name) else {
                    return Err(src.error(
                        span,
                        format!(
                            "population.province_weights: unknown province `{name}`; valid choices: {}",
                            choices(PROVINCES)
                        ),
                    ));
                };
                if !(v >= 0.0 && v.is_finite()) {
                    return Err(src.error(
                        span,
                        format!(
                            "population.province_weights.{name}: expected a finite number >= 0, found {v}"
                        ),
                    ));
                }
                w[i] = v;
            }
            if w.iter().sum::<f64>() <= 0.0 {
                return Err(
                    src.error(span, "population.province_weights: expected at least one positive weight")
                );
            }
            w
        }
    };
    let firms_per_person = src.nonneg(&p.firms_per_person, "population.firms_per_person")?;
    let n_firms = (people as f64 * firms_per_person).round();
    if n_firms > MAX_PEOPLE as f64 {
        return Err(src.error(
            p.firms_per_person.span(),
            format!(
                "population.firms_per_person: {n_firms} firms do not fit in 32-bit ids (at most {MAX_PEOPLE})"
            ),
        ));
    }
    // Each platform is the first firm of its province: a province named twice would be one firm
    // standing for two platforms, hit twice by interventions meant for two.
    src.no_repeats(&p.platform_provinces, "population.platform_provinces")?;
    let platform_provinces = p
        .platform_provinces
        .iter()
        .map(|n| src.province(n, "population.platform_provinces"))
        .collect::<R<Vec<_>>>()?;
    let concentration = *p.employer_concentration.get_ref();
    if !(1..=8).contains(&concentration) {
        return Err(src.error(p.employer_concentration.span(), format!("population.employer_concentration: expected a whole number from 1 (employees spread evenly) to 8, found {concentration}")));
    }
    Ok(Population {
        province_weights: weights,
        urban_share: src.prob(&p.urban_share, "population.urban_share")?,
        age_shares: src.shares(&p.age_shares, "population.age_shares", &["0-14", "15-59", "60+"])?,
        employment_rate: src.prob(&p.employment_rate, "population.employment_rate")?,
        daily_income: src.values(
            &p.daily_income,
            "population.daily_income",
            &["quintile 1", "quintile 2", "quintile 3", "quintile 4", "quintile 5"],
            MAX_PERSON_YUAN,
        )?,
        rural_income_factor: src.nonneg(&p.rural_income_factor, "population.rural_income_factor")?,
        consumption_share: src.prob(&p.consumption_share, "population.consumption_share")?,
        initial_wealth_days: src.within(
            &p.initial_wealth_days,
            "population.initial_wealth_days",
            0.0,
            MAX_DAYS as f64,
            &format!("a number of days from 0 to {MAX_DAYS}"),
        )?,
        firms_per_person,
        firm_size_shares: src.shares(
            &p.firm_size_shares,
            "population.firm_size_shares",
            &["micro", "small", "medium", "large"],
        )?,
        sector_shares: src.shares(
            &p.sector_shares,
            "population.sector_shares",
            &scslab_model::vocab::SECTORS,
        )?,
        employer_concentration: concentration,
        platform_provinces,
        firm_value: src.values(
            &p.firm_value,
            "population.firm_value",
            &["micro", "small", "medium", "large"],
            MAX_VALUE_YUAN,
        )?,
        platform_value: src.yuan(&p.platform_value, "population.platform_value", MAX_VALUE_YUAN)?,
        firm_daily_return: src.prob(&p.firm_daily_return, "population.firm_daily_return")?,
        firm_base_closure: src.prob(&p.firm_base_closure, "population.firm_base_closure")?,
        firm_founding: opt_prob(src, &p.firm_founding, "population.firm_founding", 0.0)?,
    })
}

fn behaviour(src: &Source<'_>, b: &RawBehaviour) -> R<Behaviour> {
    let person_rate = src.event_table(&b.person_rate, &PERSON_EVENTS, "behaviour.person_rate", true)?;
    let firm_rate = src.event_table(&b.firm_rate, &FIRM_EVENTS, "behaviour.firm_rate", true)?;
    let crowding = src.event_table(&b.crowding_out, &PERSON_EVENTS, "behaviour.crowding_out", true)?;
    let p = |v: &S<f64>, k: &str| src.prob(v, &format!("behaviour.{k}"));
    let n = |v: &S<f64>, k: &str| src.nonneg(v, &format!("behaviour.{k}"));
    let flight_rate = p(&b.flight_rate, "flight_rate")?;
    let train_rate = p(&b.train_rate, "train_rate")?;
    Ok(Behaviour {
        person_rate: person_rate.try_into().expect("one rate per person event"),
        firm_rate: firm_rate.try_into().expect("one rate per firm event"),
        law_abidance: src.trait_dist(&b.law_abidance, "behaviour.law_abidance")?,
        prosociality: src.trait_dist(&b.prosociality, "behaviour.prosociality")?,
        outspokenness: src.trait_dist(&b.outspokenness, "behaviour.outspokenness")?,
        fear_sensitivity: src.trait_dist(&b.fear_sensitivity, "behaviour.fear_sensitivity")?,
        conformity: src.trait_dist(&b.conformity, "behaviour.conformity")?,
        dissent: src.trait_dist(&b.dissent, "behaviour.dissent")?,
        firm_compliance: src.trait_dist(&b.firm_compliance, "behaviour.firm_compliance")?,
        deterrence_weight: n(&b.deterrence_weight, "deterrence_weight")?,
        reward_pull: n(&b.reward_pull, "reward_pull")?,
        crowding_out: crowding.try_into().expect("one share per person event"),
        conformity_weight: n(&b.conformity_weight, "conformity_weight")?,
        fear_perception: n(&b.fear_perception, "fear_perception")?,
        fear_decay: p(&b.fear_decay, "fear_decay")?,
        fear_own_sanction: p(&b.fear_own_sanction, "fear_own_sanction")?,
        fear_group_sanction: n(&b.fear_group_sanction, "fear_group_sanction")?,
        resentment_sanction: p(&b.resentment_sanction, "resentment_sanction")?,
        resentment_false_sanction: p(&b.resentment_false_sanction, "resentment_false_sanction")?,
        resentment_decay: p(&b.resentment_decay, "resentment_decay")?,
        dissent_from_resentment: p(&b.dissent_from_resentment, "dissent_from_resentment")?,
        initial_trust: p(&b.initial_trust, "initial_trust")?,
        trust_reward: p(&b.trust_reward, "trust_reward")?,
        trust_sanction: p(&b.trust_sanction, "trust_sanction")?,
        trust_false_sanction: p(&b.trust_false_sanction, "trust_false_sanction")?,
        trust_recovery: p(&b.trust_recovery, "trust_recovery")?,
        flight_rate,
        train_rate,
        banned_flight_rate: b
            .banned_flight_rate
            .as_ref()
            .map_or(Ok(flight_rate), |v| p(v, "banned_flight_rate"))?,
        banned_train_rate: b
            .banned_train_rate
            .as_ref()
            .map_or(Ok(train_rate), |v| p(v, "banned_train_rate"))?,
        reemployment_rate: p(&b.reemployment_rate, "reemployment_rate")?,
        repayment_pressure: n(&b.repayment_pressure, "repayment_pressure")?,
        platform_outspokenness: n(&b.platform_outspokenness, "platform_outspokenness")?,
        leader_fear_decay: p(&b.leader_fear_decay, "leader_fear_decay")?,
        leader_silencing: p(&b.leader_silencing, "leader_silencing")?,
        point_value: src.yuan(&b.point_value, "behaviour.point_value", MAX_PERSON_YUAN)?,
    })
}

fn rollout(src: &Source<'_>, r: &RawRollout) -> R<Rollout> {
    let expected = format!(
        "rollout.schedule: expected [day, coverage] pairs with increasing days (at most {MAX_DAYS}) and \
         coverage between 0 and 1"
    );
    let pairs = r.schedule.get_ref();
    if pairs.is_empty() {
        return Err(src.error(r.schedule.span(), format!("{expected}, found no pair")));
    }
    let mut schedule: Vec<(u32, f64)> = Vec::with_capacity(pairs.len());
    for pair in pairs {
        let (day, coverage) = *pair.get_ref();
        let problem = if day > MAX_DAYS {
            Some(format!("day {day} is after day {MAX_DAYS}"))
        } else if !(0.0..=1.0).contains(&coverage) {
            Some(format!("coverage {coverage} is outside [0, 1]"))
        } else {
            schedule
                .last()
                .filter(|last| last.0 >= day)
                .map(|last| format!("day {day} does not come after day {}", last.0))
        };
        if let Some(problem) = problem {
            return Err(src.error(pair.span(), format!("{expected}; {problem}")));
        }
        schedule.push((day, coverage));
    }
    Ok(Rollout { schedule, province_spread: src.prob(&r.province_spread, "rollout.province_spread")? })
}

fn measure(src: &Source<'_>, m: &RawMeasure, keys: &KeyTable) -> R<Measure> {
    let subject = src.subject(&m.subject, "measure.subject")?;
    let kind_name = m.kind.get_ref().as_str();
    let effect = match subject {
        Subject::Person => {
            PERSON_MEASURE_KINDS.iter().find(|k| k.0 == kind_name).map(|k| MeasureEffect::Person(k.1))
        }
        Subject::Firm => {
            FIRM_MEASURE_KINDS.iter().find(|k| k.0 == kind_name).map(|k| MeasureEffect::Firm(k.1))
        }
    };
    let Some(effect) = effect else {
        let valid = match subject {
            Subject::Person => choices(PERSON_MEASURE_KINDS.iter().map(|k| k.0)),
            Subject::Firm => choices(FIRM_MEASURE_KINDS.iter().map(|k| k.0)),
        };
        return Err(src.error(
            m.kind.span(),
            format!(
                "measure.kind: unknown {} measure kind `{kind_name}`; valid choices: {valid}",
                m.subject.get_ref()
            ),
        ));
    };
    let name = src.label(&m.name, "measure.name")?;
    let key = |k: &str| format!("measure `{name}`: {k}");
    let kind = format!("{} `{kind_name}`", m.subject.get_ref());
    let parameters = measure_parameters(effect);
    src.only_keys(keys, |k| measure_keys(effect).any(|m| m == k), |k| {
        let uses = if parameters.is_empty() { "no parameter".to_string() } else { choices(parameters) };
        key(&format!(
            "`{k}` means nothing for a {kind} measure, which uses {uses}; expected a key of a {kind} measure; \
             valid choices: {}",
            choices(measure_keys(effect))
        ))
    })?;
    let factor = m.factor.as_ref().map_or(Ok(1.0), |v| src.nonneg(v, &key("factor")))?;
    let amount = m.amount.as_ref().map_or(Ok(0.0), |v| src.yuan(v, &key("amount"), MAX_PERSON_YUAN))?;
    // A daily amount may be negative: a discount paid to the member (redlists).
    let daily = match &m.daily {
        None => 0.0,
        Some(v) => src.within(
            v,
            &key("daily"),
            -MAX_PERSON_YUAN,
            MAX_PERSON_YUAN,
            "a finite number of yuan from -1e9 to 1e9 (one billion)",
        )?,
    };
    let perceived_yuan = src.yuan(&m.perceived_yuan, &key("perceived_yuan"), MAX_PERSON_YUAN)?;
    Ok(Measure {
        authority: src.label(&m.authority, &key("authority"))?,
        context: src.context(&m.context, "measure.context")?,
        effect,
        amount,
        daily,
        factor,
        prob: opt_prob(src, &m.prob, "measure.prob", 0.0)?,
        days: m.days.as_ref().map_or(Ok(0), |d| src.day_count(d, &key("days")))?,
        share: opt_prob(src, &m.share, "measure.share", 0.0)?,
        perceived_yuan,
        name,
    })
}

/// Grade bands of a points scheme: listed from the highest to the lowest, each `min` strictly
/// below the one before and within the scheme's `min` and `max`, each name once. Listing them in
/// order is what the reader of a scenario expects (`A`, `B`, `C`, `D`); a band out of order is
/// most likely a typo, and the model could not tell.
fn grades(src: &Source<'_>, raw: &[RawGrade], key: &str, min: f64, max: f64) -> R<Vec<Grade>> {
    let mut out: Vec<Grade> = Vec::with_capacity(raw.len());
    for g in raw {
        let name = src.label(&g.name, &format!("{key}.name"))?;
        if out.iter().any(|o| o.name == name) {
            return Err(src.error(
                g.name.span(),
                format!("{key}: grade `{name}` is listed twice; expected each grade once"),
            ));
        }
        let grade_key = format!("{key}: grade `{name}`: min");
        let lowest = src.within(
            &g.min,
            &grade_key,
            min,
            max,
            &format!("a score between the scheme's min {min} and max {max}"),
        )?;
        if let Some(previous) = out.last()
            && lowest >= previous.min_score
        {
            return Err(src.error(
                g.min.span(),
                format!(
                    "{grade_key}: expected grades from the highest to the lowest, each `min` below the one \
                     before; found {lowest}, not below {} of grade `{}`",
                    previous.min_score, previous.name
                ),
            ));
        }
        out.push(Grade { name, min_score: lowest });
    }
    Ok(out)
}

/// The annual rating of a firm points scheme: its grades must reach down to the scheme's `min`
/// (so every firm gets one), its `new_grade` (M) is not one of the bands, its `direct_grade`
/// names one of them, and a warm start needs decay (the stationary distribution it draws from).
fn rating(
    src: &Source<'_>,
    a: &RawAuthority,
    events: &[EventInfo],
    key: &dyn Fn(&str) -> String,
    firm_scheme: usize,
    s: &mut PointsScheme,
) -> R<()> {
    if let Some(w) = &a.warm_start
        && *w.get_ref()
        && s.decay_per_day <= 0.0
    {
        return Err(src.error(
            w.span(),
            key("warm_start: expected `decay_per_day` above 0 (firms start from the stationary distribution of a decaying score)"),
        ));
    }
    let lowest = s.grades.last().map(|g| g.min_score);
    if a.subject.get_ref() == "firm"
        && let Some(lowest) = lowest
        && lowest > s.min
        && let Some(g) = a.grades.last()
    {
        return Err(src.error(
            g.min.span(),
            key(&format!(
                "grades: the lowest grade of a firm scheme starts at the scheme's min ({}), so that the annual \
                 rating grades every firm; found {lowest}",
                s.min
            )),
        ));
    }
    let needs_grades = |span: std::ops::Range<usize>, k: &str| {
        src.error(span, key(&format!("{k}: expected `grades` beside it (the annual rating's bands)")))
    };
    if let Some(n) = &a.new_grade {
        if s.grades.is_empty() {
            return Err(needs_grades(n.name.span(), "new_grade"));
        }
        let name = src.label(&n.name, &key("new_grade.name"))?;
        if s.grades.iter().any(|g| g.name == name) {
            return Err(src.error(
                n.name.span(),
                key(&format!(
                    "new_grade: `{name}` is one of `grades`; expected a grade of its own (new firms)"
                )),
            ));
        }
        let min_score = src.within(
            &n.min,
            &key("new_grade.min"),
            s.min,
            s.max,
            &format!("a score between the scheme's min {} and max {}", s.min, s.max),
        )?;
        s.new_grade = Some(Grade { name, min_score });
    }
    if let Some(d) = &a.direct_grade {
        if s.grades.is_empty() {
            return Err(needs_grades(d.grade.span(), "direct_grade"));
        }
        let Some(grade) = s.grades.iter().position(|g| &g.name == d.grade.get_ref()) else {
            return Err(src.error(
                d.grade.span(),
                key(&format!(
                    "direct_grade.grade: unknown grade `{}`; valid choices: {}",
                    d.grade.get_ref(),
                    choices(s.grades.iter().map(|g| g.name.as_str()))
                )),
            ));
        };
        if firm_scheme >= MAX_DIRECT_SCHEMES {
            return Err(src.error(
                d.grade.span(),
                key(&format!(
                    "direct_grade: only the first {MAX_DIRECT_SCHEMES} firm points schemes can have a direct grade"
                )),
            ));
        }
        src.no_repeats(&d.grounds, &key("direct_grade.grounds"))?;
        let grounds = src.event_names(&d.grounds, events, &key("direct_grade.grounds"))?;
        if !grounds.iter().any(|&g| g) {
            return Err(src.error(d.grade.span(), key("direct_grade.grounds: expected at least one event")));
        }
        s.direct_grade = Some(DirectGrade { grade, grounds });
    }
    Ok(())
}

fn check_measure_subject(src: &Source<'_>, n: &Spanned<String>, m: &Measure, subject: Subject) -> R<()> {
    let ms = match m.effect {
        MeasureEffect::Person(_) => Subject::Person,
        MeasureEffect::Firm(_) => Subject::Firm,
    };
    if ms != subject {
        let word = |s: Subject| if s == Subject::Person { "persons" } else { "firms" };
        return Err(src.error(
            n.span(),
            format!("measure `{}` acts on {} but the list holds {}", m.name, word(ms), word(subject)),
        ));
    }
    Ok(())
}

fn authority(
    src: &Source<'_>,
    a: &RawAuthority,
    keys: &KeyTable,
    raw: &RawScenario,
    measures: &[Measure],
) -> R<Authority> {
    let subject = src.subject(&a.subject, "authority.subject")?;
    let events: &[EventInfo] = match subject {
        Subject::Person => &PERSON_EVENTS,
        Subject::Firm => &FIRM_EVENTS,
    };
    let name = &src.label(&a.name, "authority.name")?;
    let key = |k: &str| format!("authority `{name}`: {k}");
    let Some(shape) = AuthorityShape::of(subject, a.kind.get_ref()) else {
        return Err(src.error(
            a.kind.span(),
            format!(
                "{}: unknown kind `{}`; valid choices: {}",
                key("kind"),
                a.kind.get_ref(),
                choices(AUTHORITY_KINDS)
            ),
        ));
    };
    src.only_keys(
        keys,
        |k| shape.accepts(k),
        |k| {
            let applies =
                AUTHORITY_KEYS.iter().find(|(name, _)| *name == k).map_or("", |(_, a)| a.describe());
            key(&format!(
                "`{k}` does not apply to {} (only to {applies}); expected a key of {}; valid choices: {}",
                shape.describe(),
                shape.describe(),
                choices(shape.keys())
            ))
        },
    )?;
    src.no_repeats(&a.provinces, &key("provinces"))?;
    src.no_repeats(&a.grounds, &key("grounds"))?;
    src.no_repeats(&a.measures, &key("measures"))?;
    if let Some(cs) = &a.related_contexts {
        src.no_repeats(cs, &key("related_contexts"))?;
    }
    let detect = src.event_table(&a.detect, events, &key("detect"), true)?;
    let false_rate = src.event_table(&a.false_rate, events, &key("false_rate"), true)?;
    let coverage = Coverage {
        provinces: a.provinces.iter().map(|p| src.province(p, &key("provinces"))).collect::<R<_>>()?,
        area_share: opt_prob(src, &a.area_share, &key("area_share"), 1.0)?,
        consent_share: opt_prob(src, &a.consent_share, &key("consent_share"), 1.0)?,
    };
    let delay = a.delay_mean_days.as_ref().map_or(Ok(0.0), |d| {
        src.within(
            d,
            &key("delay_mean_days"),
            0.0,
            MAX_DAYS as f64,
            &format!("a number of days >= 0, at most {MAX_DAYS}"),
        )
    })?;
    let kind = match shape {
        AuthorityShape::PersonPoints | AuthorityShape::FirmPoints => {
            let base = a.base.as_ref().ok_or_else(|| {
                src.error(a.name.span(), key("a points scheme needs `base`, `min` and `max`"))
            })?;
            let (min, max) = (
                a.min.as_ref().map_or(f64::MIN, |v| *v.get_ref()),
                a.max.as_ref().map_or(f64::MAX, |v| *v.get_ref()),
            );
            let b = *base.get_ref();
            if !(min <= b && b <= max) || max - min > 60_000.0 || b - min > 32_000.0 || max - b > 32_000.0 {
                return Err(src.error(
                    base.span(),
                    key("expected min <= base <= max, with max - base and base - min at most 32000"),
                ));
            }
            let mut scheme = PointsScheme {
                base: b,
                min,
                max,
                points: src.event_table(&a.points, events, &key("points"), false)?,
                decay_per_day: opt_prob(src, &a.decay_per_day, &key("decay_per_day"), 0.0)?,
                grades: grades(src, &a.grades, &key("grades"), min, max)?,
                employee_points: a
                    .employee_points
                    .as_ref()
                    .map_or(Ok(0.0), |v| src.finite(v, &key("employee_points")))?,
                partner_points: a
                    .partner_points
                    .as_ref()
                    .map_or(Ok(0.0), |v| src.finite(v, &key("partner_points")))?,
                warm_start: a.warm_start.as_ref().is_some_and(|w| *w.get_ref()),
                new_grade: None,
                direct_grade: None,
            };
            // Its position among the firm points schemes: the bit of its direct grade's flag.
            let firm_scheme = raw.authority.iter().take_while(|x| !std::ptr::eq(*x, a)).filter(|x| {
                AuthorityShape::of(Subject::Firm, x.kind.get_ref()) == Some(AuthorityShape::FirmPoints)
                    && x.subject.get_ref() == "firm"
            });
            rating(src, a, events, &key, firm_scheme.count(), &mut scheme)?;
            AuthorityKind::Points(scheme)
        }
        AuthorityShape::PersonList | AuthorityShape::FirmList => {
            // `AuthorityShape::of` gives a list shape only to a kind `ListColor` names.
            let color = ListColor::of_kind(a.kind.get_ref()).expect("a list kind");
            let grounds = src.event_names(&a.grounds, events, &key("grounds"))?;
            let score_rule = match &a.score_rule {
                None => None,
                Some(sr) => {
                    let r = sr.get_ref();
                    let idx = raw.authority.iter().position(|x| x.name.get_ref() == r.authority.get_ref());
                    let ok = idx.filter(|&i| {
                        raw.authority[i].kind.get_ref() == "points"
                            && raw.authority[i].subject.get_ref() == a.subject.get_ref()
                    });
                    let Some(i) = ok else {
                        let valid = raw
                            .authority
                            .iter()
                            .filter(|x| {
                                x.kind.get_ref() == "points" && x.subject.get_ref() == a.subject.get_ref()
                            })
                            .map(|x| x.name.get_ref());
                        return Err(src.error(
                            r.authority.span(),
                            format!(
                                "{}: `{}` is not a points scheme of the same subject; valid choices: {}",
                                key("score_rule.authority"),
                                r.authority.get_ref(),
                                choices(valid)
                            ),
                        ));
                    };
                    if r.below.is_none() && r.at_least.is_none() {
                        return Err(src.error(sr.span(), key("score_rule needs `below` or `at_least`")));
                    }
                    let bound = |v: &Option<S<f64>>, k: &str| {
                        v.as_ref().map(|v| src.finite(v, &key(&format!("score_rule.{k}")))).transpose()
                    };
                    Some(ScoreRule {
                        authority: i,
                        below: bound(&r.below, "below")?,
                        at_least: bound(&r.at_least, "at_least")?,
                    })
                }
            };
            let mut ms = Vec::new();
            for n in &a.measures {
                let i =
                    raw.measure.iter().position(|m| m.name.get_ref() == n.get_ref()).ok_or_else(|| {
                        src.error(
                            n.span(),
                            format!(
                                "{}: unknown measure `{}`; valid choices: {}",
                                key("measures"),
                                n.get_ref(),
                                choices(raw.measure.iter().map(|m| m.name.get_ref()))
                            ),
                        )
                    })?;
                check_measure_subject(src, n, &measures[i], subject)?;
                ms.push(i);
            }
            let legal_rep_list = match &a.legal_rep_list {
                None => None,
                Some(n) => {
                    let i = raw.authority.iter().position(|x| {
                        x.name.get_ref() == n.get_ref()
                            && x.subject.get_ref() == "person"
                            && x.kind.get_ref() != "points"
                    });
                    let valid = raw
                        .authority
                        .iter()
                        .filter(|x| x.subject.get_ref() == "person" && x.kind.get_ref() != "points")
                        .map(|x| x.name.get_ref());
                    if i.is_none() {
                        return Err(src.error(
                            n.span(),
                            format!(
                                "{}: expected a person list named in a firm list; valid choices: {}",
                                key("legal_rep_list"),
                                choices(valid)
                            ),
                        ));
                    }
                    i
                }
            };
            let related_contexts = match &a.related_contexts {
                Some(cs) => {
                    cs.iter().map(|c| src.context(c, &key("related_contexts"))).collect::<R<Vec<_>>>()?
                }
                None => {
                    let mut cs: Vec<Context> =
                        events.iter().zip(&grounds).filter(|(_, g)| **g).map(|(e, _)| e.context).collect();
                    cs.sort();
                    cs.dedup();
                    cs
                }
            };
            let initial_share = match &a.initial_share {
                None => 0.0,
                Some(v) => {
                    let x = src.prob(v, &key("initial_share"))?;
                    if !grounds.iter().any(|g| *g) {
                        return Err(src.error(
                            v.span(),
                            format!(
                                "{}: only a person list with `grounds` can start with members",
                                key("initial_share")
                            ),
                        ));
                    }
                    x
                }
            };
            AuthorityKind::List(ListRule {
                color,
                grounds,
                score_rule,
                duration_days: day_count(src, &a.duration_days, &key("duration_days"))?.filter(|&d| d > 0),
                exit_on_repayment: a.exit_on_repayment,
                repair_rate: opt_prob(src, &a.repair_rate, &key("repair_rate"), 0.0)?,
                repair_after_days: day_count(src, &a.repair_after_days, &key("repair_after_days"))?
                    .unwrap_or(0),
                appeal_rate: opt_prob(src, &a.appeal_rate, &key("appeal_rate"), 0.0)?,
                appeal_days: day_count(src, &a.appeal_days, &key("appeal_days"))?.unwrap_or(30),
                appeal_success_false: opt_prob(
                    src,
                    &a.appeal_success_false,
                    &key("appeal_success_false"),
                    0.0,
                )?,
                appeal_success_true: opt_prob(src, &a.appeal_success_true, &key("appeal_success_true"), 0.0)?,
                measures: ms,
                legal_rep_list,
                related_contexts,
                initial_share,
            })
        }
    };
    Ok(Authority {
        name: name.to_string(),
        subject,
        enabled: a.enabled,
        detect,
        false_rate,
        delay_mean_days: delay,
        coverage,
        kind,
    })
}

#[cfg(test)]
mod year_end_tests {
    use super::year_ends;

    #[test]
    fn year_ends_are_the_last_days_of_calendar_years() {
        // 2020 is a leap year: its 31 December is day 365; 2021's is day 730; 2024 is leap again.
        assert_eq!(year_ends(Some("2020-01-01"), 366), [365]);
        assert_eq!(year_ends(Some("2020-01-01"), 365), Vec::<u32>::new());
        assert_eq!(year_ends(Some("2020-01-01"), 2192), [365, 730, 1095, 1460, 1826, 2191]);
        assert_eq!(year_ends(Some("2013-10-01"), 2000), [91, 456, 821, 1187, 1552, 1917]);
        assert_eq!(year_ends(Some("2019-12-31"), 3), [0]);
        assert_eq!(year_ends(Some("2019-12-31"), 400), [0, 366]);
        assert_eq!(year_ends(Some("1900-02-28"), 400), [306]);
        assert_eq!(year_ends(None, 1095), [364, 729, 1094]);
        assert_eq!(year_ends(None, 1094), [364, 729]);
        assert_eq!(year_ends(None, 364), Vec::<u32>::new());
    }
}
