//! From the raw mirror to model parameters: every value checked, every name resolved.

use scslab_model::params::{
    Authority, AuthorityKind, Behaviour, Coverage, Grade, Intervention, ListColor, ListRule, Measure,
    MeasureEffect, Memorandum, Network, Params, PointsScheme, PolicyChange, Population, Rollout, ScoreRule,
    Subject, TraitDist,
};
use scslab_model::vocab::{
    CONTEXTS, Context, EventInfo, FIRM_EVENTS, FIRM_MEASURE_KINDS, N_PROVINCES, PERSON_EVENTS,
    PERSON_MEASURE_KINDS, PROVINCE_POPULATION_2020, PROVINCES,
};
use toml::Spanned;

use crate::error::{ScenarioError, Source};
use crate::raw::*;

type R<T> = Result<T, ScenarioError>;

/// Most persons a run can hold (ids are 32-bit).
pub const MAX_PEOPLE: u64 = u32::MAX as u64 - 1;
/// Longest run in days (100 years).
pub const MAX_DAYS: u32 = 36_500;
/// Most lists per subject (one bit each in a byte).
pub const MAX_LISTS: usize = 8;

fn choices(names: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    names.into_iter().map(|n| format!("`{}`", n.as_ref())).collect::<Vec<_>>().join(", ")
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

    fn nonneg(&self, v: &S<f64>, key: &str) -> R<f64> {
        let x = *v.get_ref();
        if !(x >= 0.0 && x.is_finite()) {
            return Err(self.error(v.span(), format!("{key}: expected a finite number >= 0, found {x}")));
        }
        Ok(x)
    }

    fn shares<const N: usize>(&self, v: &S<Vec<f64>>, key: &str, names: &[&str]) -> R<[f64; N]> {
        let xs = v.get_ref();
        if xs.len() != N {
            return Err(self.error(
                v.span(),
                format!("{key}: expected {N} shares ({}), found {}", names.join(", "), xs.len()),
            ));
        }
        let sum: f64 = xs.iter().sum();
        if xs.iter().any(|x| !(0.0..=1.0).contains(x)) || (sum - 1.0).abs() > 1e-3 {
            return Err(self.error(
                v.span(),
                format!("{key}: expected {N} shares between 0 and 1 that sum to 1, found sum {sum}"),
            ));
        }
        let mut out = [0.0; N];
        out.copy_from_slice(xs);
        Ok(out)
    }

    fn values<const N: usize>(&self, v: &S<Vec<f64>>, key: &str) -> R<[f64; N]> {
        let xs = v.get_ref();
        if xs.len() != N || xs.iter().any(|x| !(*x >= 0.0 && x.is_finite())) {
            return Err(self.error(v.span(), format!("{key}: expected {N} finite numbers >= 0")));
        }
        let mut out = [0.0; N];
        out.copy_from_slice(xs);
        Ok(out)
    }

    fn trait_dist(&self, v: &S<RawTrait>, key: &str) -> R<TraitDist> {
        let t = v.get_ref();
        if !(0.0..=1.0).contains(&t.mean) || !(0.0..=1.0).contains(&t.spread) {
            return Err(self.error(v.span(), format!("{key}: expected mean and spread between 0 and 1")));
        }
        Ok(TraitDist { mean: t.mean, spread: t.spread })
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
    match v {
        Some(d) if *d.get_ref() > MAX_DAYS => {
            Err(src
                .error(d.span(), format!("{key}: expected at most {MAX_DAYS} days, found {}", d.get_ref())))
        }
        d => Ok(d.as_ref().map(|d| *d.get_ref())),
    }
}

/// A number read without its span must be finite; the error points at the first `key`.
fn finite_at(src: &Source<'_>, x: f64, key: &str) -> R<f64> {
    if x.is_finite() {
        Ok(x)
    } else {
        Err(src.error(src.key_span(key), format!("{key}: expected a finite number, found {x}")))
    }
}

fn opt_prob(src: &Source<'_>, v: &Option<S<f64>>, key: &str, default: f64) -> R<f64> {
    v.as_ref().map_or(Ok(default), |v| src.prob(v, key))
}

/// Checks a raw scenario and builds the model parameters.
pub(crate) fn resolve(src: &Source<'_>, raw: &RawScenario) -> R<Params> {
    let meta = &raw.scenario;
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
    let population = population(src, &raw.population, people)?;
    let behaviour = behaviour(src, &raw.behaviour)?;
    let rollout = rollout(src, &raw.rollout)?;
    let measures = raw.measure.iter().map(|m| measure(src, m)).collect::<R<Vec<_>>>()?;
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
    for a in &raw.authority {
        authorities.push(authority(src, a, raw, &measures)?);
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
    let find_authority = |n: &S<String>, key: &str| -> R<usize> {
        names.iter().position(|x| x == n.get_ref()).ok_or_else(|| {
            src.error(
                n.span(),
                format!("{key}: unknown authority `{}`; valid choices: {}", n.get_ref(), choices(&names)),
            )
        })
    };
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
    for m in &raw.memorandum {
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
        memoranda.push(Memorandum { name: m.name.clone(), list, measures: ms });
    }
    let platforms = population.platform_provinces.len();
    let mut interventions = Vec::new();
    for iv in &raw.intervention {
        if *iv.platform.get_ref() >= platforms {
            return Err(src.error(iv.platform.span(), format!("intervention.platform: expected an index below {platforms} (the number of population.platform_provinces)")));
        }
        interventions.push(Intervention {
            name: iv.name.clone(),
            day: iv.day,
            platform: *iv.platform.get_ref(),
            ipo_halt_value_share: src.prob(&iv.ipo_halt_value_share, "intervention.ipo_halt_value_share")?,
            fine_yuan: finite_at(src, iv.fine_yuan, "fine_yuan")?.max(0.0),
            restructure_value_share: src
                .prob(&iv.restructure_value_share, "intervention.restructure_value_share")?,
            founder_withdraws: iv.founder_withdraws,
            leaders_fear: src.prob(&iv.leaders_fear, "intervention.leaders_fear")?,
        });
    }
    let mut policy_changes = Vec::new();
    for pc in &raw.policy_change {
        let a = find_authority(&pc.authority, "policy_change.authority")?;
        policy_changes.push(PolicyChange {
            day: pc.day,
            authority: a,
            enabled: pc.enabled,
            detection_scale: match pc.detection_scale {
                Some(x) => Some(finite_at(src, x, "detection_scale")?.max(0.0)),
                None => None,
            },
            duration_days: day_count(src, &pc.duration_days, "policy_change.duration_days")?
                .map(|d| (d > 0).then_some(d)),
        });
    }
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
        partner_penalty_yuan: finite_at(src, net.partner_penalty_yuan, "partner_penalty_yuan")?.max(0.0),
        dropped_revenue_share: src.prob(&net.dropped_revenue_share, "network.dropped_revenue_share")?,
    };
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
    })
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

fn population(src: &Source<'_>, p: &RawPopulation, people: u64) -> R<Population> {
    let span = src.key_span("province_weights");
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
        daily_income: src.values(&p.daily_income, "population.daily_income")?,
        rural_income_factor: src.nonneg(&p.rural_income_factor, "population.rural_income_factor")?,
        consumption_share: src.prob(&p.consumption_share, "population.consumption_share")?,
        initial_wealth_days: src.nonneg(&p.initial_wealth_days, "population.initial_wealth_days")?,
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
        firm_value: src.values(&p.firm_value, "population.firm_value")?,
        platform_value: src.nonneg(&p.platform_value, "population.platform_value")?,
        firm_daily_return: src.prob(&p.firm_daily_return, "population.firm_daily_return")?,
        firm_base_closure: src.prob(&p.firm_base_closure, "population.firm_base_closure")?,
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
        point_value: n(&b.point_value, "point_value")?,
    })
}

fn rollout(src: &Source<'_>, r: &RawRollout) -> R<Rollout> {
    let schedule = r.schedule.get_ref().clone();
    let increasing = schedule.windows(2).all(|w| w[0].0 < w[1].0);
    if schedule.is_empty() || !increasing || schedule.iter().any(|p| !(0.0..=1.0).contains(&p.1)) {
        return Err(src.error(r.schedule.span(), "rollout.schedule: expected [day, coverage] pairs with increasing days and coverage between 0 and 1"));
    }
    Ok(Rollout { schedule, province_spread: src.prob(&r.province_spread, "rollout.province_spread")? })
}

fn measure(src: &Source<'_>, m: &RawMeasure) -> R<Measure> {
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
    if !(m.factor >= 0.0 && m.factor.is_finite()) {
        return Err(src.error(
            m.name.span(),
            format!("measure `{}`: factor must be a finite number >= 0", m.name.get_ref()),
        ));
    }
    let finite = |v: Option<&S<f64>>, key: &str| -> R<f64> {
        match v {
            None => Ok(0.0),
            Some(v) if v.get_ref().is_finite() => Ok(*v.get_ref()),
            Some(v) => Err(src.error(
                v.span(),
                format!(
                    "measure `{}`: {key}: expected a finite number, found {}",
                    m.name.get_ref(),
                    v.get_ref()
                ),
            )),
        }
    };
    let amount = finite(m.amount.as_ref(), "amount")?;
    let daily = finite(m.daily.as_ref(), "daily")?;
    let perceived_yuan = finite(Some(&m.perceived_yuan), "perceived_yuan")?;
    Ok(Measure {
        name: m.name.get_ref().clone(),
        authority: m.authority.clone(),
        context: src.context(&m.context, "measure.context")?,
        effect,
        amount: amount.max(0.0),
        daily,
        factor: m.factor,
        prob: opt_prob(src, &m.prob, "measure.prob", 0.0)?,
        days: m.days,
        share: opt_prob(src, &m.share, "measure.share", 0.0)?,
        perceived_yuan: perceived_yuan.max(0.0),
    })
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

fn authority(src: &Source<'_>, a: &RawAuthority, raw: &RawScenario, measures: &[Measure]) -> R<Authority> {
    let subject = src.subject(&a.subject, "authority.subject")?;
    let events: &[EventInfo] = match subject {
        Subject::Person => &PERSON_EVENTS,
        Subject::Firm => &FIRM_EVENTS,
    };
    let name = a.name.get_ref();
    let key = |k: &str| format!("authority `{name}`: {k}");
    let detect = src.event_table(&a.detect, events, &key("detect"), true)?;
    let false_rate = src.event_table(&a.false_rate, events, &key("false_rate"), true)?;
    let coverage = Coverage {
        provinces: a.provinces.iter().map(|p| src.province(p, &key("provinces"))).collect::<R<_>>()?,
        area_share: opt_prob(src, &a.area_share, &key("area_share"), 1.0)?,
        consent_share: opt_prob(src, &a.consent_share, &key("consent_share"), 1.0)?,
    };
    let delay = a.delay_mean_days.as_ref().map_or(Ok(0.0), |d| src.nonneg(d, &key("delay_mean_days")))?;
    let kind = match a.kind.get_ref().as_str() {
        "points" => {
            if let Some(v) = &a.initial_share {
                return Err(src.error(
                    v.span(),
                    format!(
                        "{}: only a person list with `grounds` can start with members",
                        key("initial_share")
                    ),
                ));
            }
            let base = a.base.as_ref().ok_or_else(|| {
                src.error(a.name.span(), key("a points scheme needs `base`, `min` and `max`"))
            })?;
            let (min, max) = (a.min.unwrap_or(f64::MIN), a.max.unwrap_or(f64::MAX));
            let b = *base.get_ref();
            if !(min <= b && b <= max) || max - min > 60_000.0 || b - min > 32_000.0 || max - b > 32_000.0 {
                return Err(src.error(
                    base.span(),
                    key("expected min <= base <= max, with max - base and base - min at most 32000"),
                ));
            }
            AuthorityKind::Points(PointsScheme {
                base: b,
                min,
                max,
                points: src.event_table(&a.points, events, &key("points"), false)?,
                decay_per_day: opt_prob(src, &a.decay_per_day, &key("decay_per_day"), 0.0)?,
                grades: a
                    .grades
                    .iter()
                    .map(|g| Ok(Grade { name: g.name.clone(), min_score: finite_at(src, g.min, "grades")? }))
                    .collect::<R<Vec<_>>>()?,
                employee_points: finite_at(src, a.employee_points.unwrap_or(0.0), "employee_points")?,
                partner_points: finite_at(src, a.partner_points.unwrap_or(0.0), "partner_points")?,
            })
        }
        "blacklist" | "redlist" => {
            let color = if a.kind.get_ref() == "blacklist" { ListColor::Black } else { ListColor::Red };
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
                    for bound in [r.below, r.at_least].into_iter().flatten() {
                        finite_at(src, bound, "score_rule")?;
                    }
                    Some(ScoreRule { authority: i, below: r.below, at_least: r.at_least })
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
                    if subject != Subject::Firm || i.is_none() {
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
                    if subject != Subject::Person || !grounds.iter().any(|g| *g) {
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
        other => {
            return Err(src.error(
                a.kind.span(),
                format!(
                    "{}: unknown kind `{other}`; valid choices: `points`, `blacklist`, `redlist`",
                    key("kind")
                ),
            ));
        }
    };
    Ok(Authority {
        name: name.clone(),
        subject,
        enabled: a.enabled,
        detect,
        false_rate,
        delay_mean_days: delay,
        coverage,
        kind,
    })
}
