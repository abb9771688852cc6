//! What the scenario itself says about gravity: the gravity of each event from the scenario's own
//! points, which lists a minor record can trigger, and which of their measures are severe.
//!
//! The model does not record which event caused a list entry, so the audit works per list: each
//! entry into a blacklist applies all the list's measures (own and by memorandum) once
//! (docs/ODD.md 7.11-7.13), and a list counts as reachable from a minor record if one of its
//! ground events is minor, or its score rule reads a points scheme that penalises a minor event.

use scslab_model::params::{AuthorityKind, MeasureEffect, Params, Subject};
use scslab_model::vocab::{FIRM_EVENTS, PERSON_EVENTS, Valence};

/// Events whose gravity is at most this share of the gravest penalty of the same points scheme
/// are minor.
pub const MINOR_GRAVITY: f64 = 0.25;

/// Gravity of one event type.
#[derive(Clone, Debug, PartialEq)]
pub struct EventGravity {
    /// `person` or `firm`.
    pub subject: &'static str,
    /// Event name.
    pub event: &'static str,
    /// Gravity in [0, 1]: the largest share, over the scenario's points schemes for this subject,
    /// of the event's penalty in the scheme's gravest penalty. Speech and favoured behaviour is
    /// 0 (no breach of law); a violation no scheme scores is 1 (unknown, so never called minor).
    pub gravity: f64,
    /// Whether it is minor (`gravity <= MINOR_GRAVITY`).
    pub minor: bool,
}

/// One blacklist as the audit sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct ListProfile {
    /// List name (its `entries_<name>` counter).
    pub name: String,
    /// Whether it lists persons (else firms).
    pub persons: bool,
    /// What puts a subject on it, in words.
    pub triggers: String,
    /// Whether a minor record can trigger an entry.
    pub minor_reachable: bool,
    /// Measures applied at each entry (own and by memorandum).
    pub measures: Vec<String>,
    /// Of those, the severe ones.
    pub severe: Vec<String>,
    /// Of those, the ones in an unrelated context.
    pub spillover: Vec<String>,
}

fn is_severe(effect: MeasureEffect) -> bool {
    match effect {
        MeasureEffect::Person(kind) => kind.severe(),
        MeasureEffect::Firm(kind) => kind.severe(),
    }
}

/// The gravity of every event type of persons and firms.
pub fn event_gravity(params: &Params) -> Vec<EventGravity> {
    let mut out = Vec::new();
    for (subject, events, name) in
        [(Subject::Person, &PERSON_EVENTS[..], "person"), (Subject::Firm, &FIRM_EVENTS[..], "firm")]
    {
        let schemes: Vec<&Vec<f64>> = params
            .authorities
            .iter()
            .filter(|a| a.subject == subject)
            .filter_map(|a| match &a.kind {
                AuthorityKind::Points(p) => Some(&p.points),
                AuthorityKind::List(_) => None,
            })
            .collect();
        for (e, info) in events.iter().enumerate() {
            let gravity = if info.valence != Valence::Violation {
                0.0
            } else {
                let shares: Vec<f64> = schemes
                    .iter()
                    .filter_map(|points| {
                        let worst = points.iter().fold(0.0f64, |m, &p| m.max(-p));
                        let own = -points.get(e).copied().unwrap_or(0.0);
                        (worst > 0.0 && own > 0.0).then_some(own / worst)
                    })
                    .collect();
                if shares.is_empty() { 1.0 } else { shares.iter().fold(0.0f64, |m, &x| m.max(x)) }
            };
            out.push(EventGravity {
                subject: name,
                event: info.name,
                gravity,
                minor: gravity <= MINOR_GRAVITY,
            });
        }
    }
    out
}

/// The blacklists of a scenario, persons first, in the order of the scenario.
pub fn blacklists(params: &Params) -> Vec<ListProfile> {
    let gravity = event_gravity(params);
    let minor = |subject: Subject, e: usize| {
        let name = if subject == Subject::Person { "person" } else { "firm" };
        gravity.iter().filter(|g| g.subject == name).nth(e).is_some_and(|g| g.minor)
    };
    let event_name = |subject: Subject, e: usize| match subject {
        Subject::Person => PERSON_EVENTS[e].name,
        Subject::Firm => FIRM_EVENTS[e].name,
    };
    let mut lists: Vec<(usize, ListProfile)> = Vec::new();
    for (a, auth) in params.authorities.iter().enumerate() {
        let AuthorityKind::List(rule) = &auth.kind else { continue };
        if !rule.color.sanctions() {
            continue;
        }
        let grounds: Vec<usize> = rule.grounds.iter().enumerate().filter(|g| *g.1).map(|g| g.0).collect();
        let mut triggers: Vec<String> =
            grounds.iter().map(|&e| format!("record of {}", event_name(auth.subject, e))).collect();
        let mut reachable = grounds.iter().any(|&e| minor(auth.subject, e));
        if let Some(sr) = &rule.score_rule {
            let scheme = &params.authorities[sr.authority];
            triggers.push(format!("score of {}", scheme.name));
            if let AuthorityKind::Points(p) = &scheme.kind {
                reachable |= p.points.iter().enumerate().any(|(e, &x)| x < 0.0 && minor(scheme.subject, e));
            }
        }
        let memo = params.memoranda.iter().filter(|m| m.list == a).flat_map(|m| m.measures.iter().copied());
        let all: Vec<usize> = rule.measures.iter().copied().chain(memo).collect();
        let names = |f: &dyn Fn(usize) -> bool| -> Vec<String> {
            all.iter().filter(|&&m| f(m)).map(|&m| params.measures[m].name.clone()).collect()
        };
        lists.push((
            a,
            ListProfile {
                name: auth.name.clone(),
                persons: auth.subject == Subject::Person,
                triggers: triggers.join(", "),
                minor_reachable: reachable,
                measures: names(&|_| true),
                severe: names(&|m| is_severe(params.measures[m].effect)),
                spillover: names(&|m| !rule.related_contexts.contains(&params.measures[m].context)),
            },
        ));
    }
    // Legal representatives' lists inherit the triggers of the firm lists that feed them.
    let feeds: Vec<(usize, bool, String)> = params
        .authorities
        .iter()
        .enumerate()
        .filter_map(|(a, auth)| match &auth.kind {
            AuthorityKind::List(rule) => rule.legal_rep_list.map(|p| (p, a)),
            AuthorityKind::Points(_) => None,
        })
        .filter_map(|(p, a)| {
            let firm = lists.iter().find(|l| l.0 == a)?;
            Some((p, firm.1.minor_reachable, firm.1.name.clone()))
        })
        .collect();
    for (p, reachable, firm) in feeds {
        if let Some(l) = lists.iter_mut().find(|l| l.0 == p) {
            l.1.minor_reachable |= reachable;
            if !l.1.triggers.is_empty() {
                l.1.triggers.push_str(", ");
            }
            l.1.triggers.push_str(&format!("firm on {firm}"));
        }
    }
    let mut out: Vec<ListProfile> = lists.into_iter().map(|l| l.1).collect();
    out.sort_by_key(|l| !l.persons);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_presets_classify_as_documented() {
        let china = scslab_scenario::preset("china-2020").unwrap().params;
        let g = event_gravity(&china);
        let get = |s: &str, e: &str| g.iter().find(|x| x.subject == s && x.event == e).unwrap().clone();
        assert!(get("person", "littering").minor);
        assert!(!get("person", "judgment_default").minor);
        assert!(get("person", "criticism").minor, "speech is no breach");
        assert!(!get("firm", "quality_violation").minor, "unscored violations are not minor");
        let lists = blacklists(&china);
        let court = lists.iter().find(|l| l.name == "court_defaulters").unwrap();
        assert!(!court.minor_reachable);
        assert_eq!(court.measures.len(), 7);
        assert_eq!(court.spillover.len(), 4, "docs/ODD.md 7.13");
        assert!(court.severe.contains(&"flight_ban".to_string()));
        let integrated = scslab_scenario::preset("integrated").unwrap().params;
        let low = blacklists(&integrated).into_iter().find(|l| l.name == "low_score").unwrap();
        assert!(low.minor_reachable, "{low:?}");
        assert!(!low.severe.is_empty());
    }
}
