//! `[[policy_change]]`: dated changes of the regime, checked and resolved into
//! `scslab_model::params::PolicyChange`.
//!
//! A change names its day (`day`) or its calendar date (`date`, which needs `[scenario]
//! start_date`), exactly one of the two, on a day of the run; its `kind` (default `authority`)
//! says what it changes and which keys it takes (`keys::POLICY_CHANGE_KEYS`). Every key a kind
//! does not use is refused at the key, with the keys that kind accepts. Two changes of one kind
//! and target on one day are refused: which came last would depend on the order of the file.

use scslab_model::params::{Authority, AuthorityKind, Change, ListRule, Memorandum, PolicyChange, Subject};
use scslab_model::vocab::{FIRM_EVENTS, PERSON_EVENTS};

use super::{R, day_count};
use crate::error::{Source, choices};
use crate::keys::{ChangeKind, POLICY_CHANGE_KEYS};
use crate::raw::{KeyTable, RawPolicyChange, S};

/// What the policy changes are checked against.
pub(super) struct Regime<'a> {
    /// The scenario's authorities, resolved.
    pub authorities: &'a [Authority],
    /// The scenario's memoranda, resolved.
    pub memoranda: &'a [Memorandum],
    /// Days of the run.
    pub days: u32,
    /// `[scenario] start_date`, if the scenario has one (already checked to be a date).
    pub start_date: Option<&'a str>,
}

/// Checks and resolves every `[[policy_change]]`, in file order.
pub(super) fn policy_changes(
    src: &Source<'_>,
    raw: &[RawPolicyChange],
    keys: &[KeyTable],
    regime: &Regime<'_>,
) -> R<Vec<PolicyChange>> {
    let mut out: Vec<PolicyChange> = Vec::new();
    for (pc, table) in raw.iter().zip(keys) {
        let kind = kind_of(src, pc)?;
        src.only_keys(table, |k| kind.accepts(k), |k| refused_key(kind, k))?;
        let target = target(src, pc, table, kind, regime)?;
        let who = target.describe(regime);
        let key = |k: &str| format!("policy_change of {who}: {k}");
        let (day, day_span) = day_of(src, pc, table, regime, &key)?;
        // Two changes of one kind and target on one day would depend on the order they are
        // listed in.
        if out.iter().any(|p| p.day == day && Target::of(&p.change) == target) {
            return Err(src.error(
                day_span,
                format!(
                    "{}: {who} already changes on day {day} (kind `{}`); expected one \
                     [[policy_change]] per kind, target and day (put its keys together: {})",
                    key("day"),
                    kind.name(),
                    changing_keys(kind).map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        let change = match target {
            Target::Authority(a) => authority_change(src, pc, a, regime, &key)?,
            Target::CreditRepair(list) => {
                if pc.repair_rate.is_none() && pc.repair_after_days.is_none() {
                    return Err(nothing(src, pc, kind, &key));
                }
                Change::CreditRepair {
                    list,
                    repair_rate: pc
                        .repair_rate
                        .as_ref()
                        .map(|v| src.prob(v, &key("repair_rate")))
                        .transpose()?,
                    repair_after_days: day_count(src, &pc.repair_after_days, &key("repair_after_days"))?,
                }
            }
            Target::Memorandum(memorandum) => {
                let Some(on) = &pc.enabled else { return Err(nothing(src, pc, kind, &key)) };
                Change::Memorandum { memorandum, enabled: *on.get_ref() }
            }
            Target::Representatives(list) => {
                let Some(on) = &pc.enabled else { return Err(nothing(src, pc, kind, &key)) };
                // `target` accepts only firm lists with a `legal_rep_list`.
                let scenario_list = match &regime.authorities[list].kind {
                    AuthorityKind::List(rule) => rule.legal_rep_list,
                    AuthorityKind::Points(_) => None,
                };
                Change::Representatives { list, legal_rep_list: scenario_list.filter(|_| *on.get_ref()) }
            }
        };
        out.push(PolicyChange { day, change });
    }
    Ok(out)
}

/// The calendar day number (days since 1970-01-01) of a valid `YYYY-MM-DD` date (H. Hinnant's
/// `days_from_civil`).
fn day_number(date: &str) -> i64 {
    let (y, m, d): (i64, i64, i64) =
        (date[0..4].parse().unwrap_or(0), date[5..7].parse().unwrap_or(1), date[8..10].parse().unwrap_or(1));
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The `YYYY-MM-DD` date of a calendar day number (H. Hinnant's `civil_from_days`).
fn date_of(day_number: i64) -> String {
    let z = day_number + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The day of the run a change falls on (from `day`, or from `date` and the start date), with
/// the span of the key that gave it.
fn day_of(
    src: &Source<'_>,
    pc: &RawPolicyChange,
    table: &KeyTable,
    regime: &Regime<'_>,
    key: &dyn Fn(&str) -> String,
) -> R<(u32, std::ops::Range<usize>)> {
    let days = regime.days;
    match (&pc.day, &pc.date) {
        (Some(day), None) => Ok((src.day_of_run(day, &key("day"), days)?, day.span())),
        (None, Some(date)) => {
            let text = date.get_ref();
            if !super::is_date(text) {
                return Err(src.error(
                    date.span(),
                    format!("{}: expected a calendar date as YYYY-MM-DD, found \"{text}\"", key("date")),
                ));
            }
            let Some(start) = regime.start_date else {
                return Err(src.error(
                    date.span(),
                    format!(
                        "{}: a dated change needs the date of day 0, `[scenario] start_date` \
                         (YYYY-MM-DD), which this scenario does not set; set it, or give the change \
                         a `day` instead",
                        key("date")
                    ),
                ));
            };
            let first = day_number(start);
            let day = day_number(text) - first;
            if day < 0 || day >= i64::from(days) {
                return Err(src.error(
                    date.span(),
                    format!(
                        "{}: expected a date of the run, from {start} (day 0) to {} (day {}), found \
                         {text} (day {day}); outside the run it would never happen",
                        key("date"),
                        date_of(first + i64::from(days) - 1),
                        days - 1
                    ),
                ));
            }
            Ok((day as u32, date.span()))
        }
        (Some(_), Some(date)) => Err(src.error(
            date.span(),
            format!(
                "{}: expected either `day` or `date`, found both; give the change one of them",
                key("date")
            ),
        )),
        (None, None) => Err(src.error(
            first_key(table),
            format!(
                "{}: expected `day` (a day of the run) or `date` (YYYY-MM-DD, with \
                 `[scenario] start_date`), found neither",
                key("day")
            ),
        )),
    }
}

/// The change's kind: its `kind`, or [`ChangeKind::DEFAULT`].
fn kind_of(src: &Source<'_>, pc: &RawPolicyChange) -> R<ChangeKind> {
    let Some(kind) = &pc.kind else { return Ok(ChangeKind::DEFAULT) };
    ChangeKind::of(kind.get_ref()).ok_or_else(|| {
        src.error(
            kind.span(),
            format!(
                "policy_change.kind: unknown kind of change `{}`; valid choices: {}",
                kind.get_ref(),
                choices(ChangeKind::ALL.map(ChangeKind::name))
            ),
        )
    })
}

/// The message for a key that `kind` does not use.
fn refused_key(kind: ChangeKind, key: &str) -> String {
    let takers: Vec<&str> = POLICY_CHANGE_KEYS
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, kinds)| kinds.iter().map(|k| k.name()).collect())
        .unwrap_or_default();
    let default = if kind == ChangeKind::DEFAULT { " (the default without `kind`)" } else { "" };
    format!(
        "policy_change: `{key}` is not used by a change of kind `{}`{default}, which would ignore it; \
         it is used by kind {}; kind `{}` accepts: {}",
        kind.name(),
        choices(takers),
        kind.name(),
        choices(kind.keys())
    )
}

/// The keys of `kind` that change something (all but the kind, the day and the target).
fn changing_keys(kind: ChangeKind) -> impl Iterator<Item = &'static str> {
    kind.keys().filter(|k| !["kind", "day", "date", "authority", "memorandum"].contains(k))
}

/// A change that changes nothing, located at its target (its `authority` or `memorandum`).
fn nothing(
    src: &Source<'_>,
    pc: &RawPolicyChange,
    kind: ChangeKind,
    key: &dyn Fn(&str) -> String,
) -> crate::ScenarioError {
    let keys: Vec<String> = changing_keys(kind).map(|k| format!("`{k}`")).collect();
    let expected =
        if keys.len() == 1 { keys[0].clone() } else { format!("at least one of {}", keys.join(", ")) };
    let at = pc.authority.as_ref().or(pc.memorandum.as_ref()).map_or(0..0, |t| t.span());
    src.error(at, format!("{}: expected {expected}", key("changes nothing")))
}

/// The span of the table's first key (in the file's order).
fn first_key(table: &KeyTable) -> std::ops::Range<usize> {
    table.keys().map(|k| k.span()).min_by_key(|s| s.start).unwrap_or(0..0)
}

/// What one change is about: its kind and its target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    Authority(usize),
    CreditRepair(usize),
    Memorandum(usize),
    Representatives(usize),
}

impl Target {
    fn of(change: &Change) -> Target {
        match *change {
            Change::Authority { authority, .. } => Target::Authority(authority),
            Change::CreditRepair { list, .. } => Target::CreditRepair(list),
            Change::Memorandum { memorandum, .. } => Target::Memorandum(memorandum),
            Change::Representatives { list, .. } => Target::Representatives(list),
        }
    }

    /// The target in words: "`court_defaulters`", "memorandum `x`".
    fn describe(self, regime: &Regime<'_>) -> String {
        match self {
            Target::Authority(a) | Target::CreditRepair(a) | Target::Representatives(a) => {
                format!("`{}`", regime.authorities[a].name)
            }
            Target::Memorandum(m) => format!("memorandum `{}`", regime.memoranda[m].name),
        }
    }
}

/// The change's target, checked against its kind: an authority, a list, a firm list that lists
/// representatives, or a memorandum.
fn target(
    src: &Source<'_>,
    pc: &RawPolicyChange,
    table: &KeyTable,
    kind: ChangeKind,
    regime: &Regime<'_>,
) -> R<Target> {
    let authorities = regime.authorities;
    let named = |v: &Option<S<String>>, key: &str, what: &str| -> R<S<String>> {
        v.clone().ok_or_else(|| {
            src.error(
                first_key(table),
                format!("policy_change of kind `{}`: expected `{key}`, the {what} it changes", kind.name()),
            )
        })
    };
    // `what` names the valid targets with an article ("a list"), `noun` without ("list").
    let find = |name: &S<String>, noun: &str, what: &str, valid: &dyn Fn(&Authority) -> bool| -> R<usize> {
        let key = "policy_change.authority";
        let found = authorities.iter().position(|a| &a.name == name.get_ref());
        match found.filter(|&a| valid(&authorities[a])) {
            Some(a) => Ok(a),
            None => {
                let why = match found {
                    None => format!("unknown {noun} `{}`", name.get_ref()),
                    Some(_) => format!("`{}` is not {what}", name.get_ref()),
                };
                Err(src.error(
                    name.span(),
                    format!(
                        "{key}: {why}; valid choices: {}",
                        choices(authorities.iter().filter(|a| valid(a)).map(|a| &a.name))
                    ),
                ))
            }
        }
    };
    let list = |a: &Authority| matches!(a.kind, AuthorityKind::List(_));
    match kind {
        ChangeKind::Authority => {
            let name = named(&pc.authority, "authority", "authority")?;
            Ok(Target::Authority(find(&name, "authority", "an authority", &|_| true)?))
        }
        ChangeKind::CreditRepair => {
            let name = named(&pc.authority, "authority", "list")?;
            Ok(Target::CreditRepair(find(&name, "list", "a list", &list)?))
        }
        ChangeKind::Representatives => {
            let name = named(&pc.authority, "authority", "firm list")?;
            let lists_reps = |a: &Authority| {
                a.subject == Subject::Firm
                    && matches!(&a.kind, AuthorityKind::List(ListRule { legal_rep_list: Some(_), .. }))
            };
            let what = "a firm list with a `legal_rep_list`";
            Ok(Target::Representatives(find(&name, "firm list", what, &lists_reps)?))
        }
        ChangeKind::Memorandum => {
            let name = named(&pc.memorandum, "memorandum", "memorandum")?;
            let found = regime.memoranda.iter().position(|m| &m.name == name.get_ref());
            found.map(Target::Memorandum).ok_or_else(|| {
                src.error(
                    name.span(),
                    format!(
                        "policy_change.memorandum: unknown memorandum `{}`; valid choices: {}",
                        name.get_ref(),
                        choices(regime.memoranda.iter().map(|m| &m.name))
                    ),
                )
            })
        }
    }
}

/// A change of kind `authority`: switch, detection scale, and a list's period, grounds and
/// score-rule thresholds.
fn authority_change(
    src: &Source<'_>,
    pc: &RawPolicyChange,
    a: usize,
    regime: &Regime<'_>,
    key: &dyn Fn(&str) -> String,
) -> R<Change> {
    let authority = &regime.authorities[a];
    let name = &authority.name;
    let changes = [
        pc.enabled.is_some(),
        pc.detection_scale.is_some(),
        pc.duration_days.is_some(),
        pc.grounds.is_some(),
        pc.score_below.is_some(),
        pc.score_at_least.is_some(),
    ];
    if !changes.contains(&true) {
        return Err(nothing(src, pc, ChangeKind::Authority, key));
    }
    let rule = match &authority.kind {
        AuthorityKind::List(rule) => Some(rule),
        AuthorityKind::Points(_) => None,
    };
    // A points scheme has no listing period, grounds or score rule: the change would do nothing.
    // Each refusal is located at the value.
    let list_values = [
        ("duration_days", pc.duration_days.as_ref().map(|v| v.span())),
        ("grounds", pc.grounds.as_ref().map(|v| v.span())),
        ("score_below", pc.score_below.as_ref().map(|v| v.span())),
        ("score_at_least", pc.score_at_least.as_ref().map(|v| v.span())),
    ];
    for (k, span) in &list_values {
        if let (None, Some(span)) = (rule, span) {
            return Err(src.error(
                span.clone(),
                format!("{}: `{name}` is a points scheme, and `{k}` applies only to lists", key(k)),
            ));
        }
    }
    let score_rule = rule.and_then(|r| r.score_rule.as_ref());
    for (k, span) in &list_values[2..] {
        if let (Some(_), None, Some(span)) = (rule, score_rule, span) {
            let with_rule = regime
                .authorities
                .iter()
                .filter(|x| matches!(&x.kind, AuthorityKind::List(l) if l.score_rule.is_some()));
            return Err(src.error(
                span.clone(),
                format!(
                    "{}: list `{name}` has no `score_rule`, so it has no threshold to change; valid \
                     choices: lists with a score rule: {}",
                    key(k),
                    choices(with_rule.map(|x| &x.name))
                ),
            ));
        }
    }
    let grounds = match &pc.grounds {
        None => None,
        Some(g) => {
            src.no_repeats(g.get_ref(), &key("grounds"))?;
            let events = match authority.subject {
                Subject::Person => &PERSON_EVENTS[..],
                Subject::Firm => &FIRM_EVENTS[..],
            };
            Some(src.event_names(g.get_ref(), events, &key("grounds"))?)
        }
    };
    let duration_days = day_count(src, &pc.duration_days, &key("duration_days"))?;
    let bound = |v: &Option<S<f64>>, k: &str| v.as_ref().map(|v| src.finite(v, &key(k))).transpose();
    Ok(Change::Authority {
        authority: a,
        enabled: pc.enabled.as_ref().map(|v| *v.get_ref()),
        detection_scale: pc
            .detection_scale
            .as_ref()
            .map(|x| src.nonneg(x, &key("detection_scale")))
            .transpose()?,
        duration_days: duration_days.map(|d| (d > 0).then_some(d)),
        grounds,
        score_below: bound(&pc.score_below, "score_below")?,
        score_at_least: bound(&pc.score_at_least, "score_at_least")?,
    })
}

#[cfg(test)]
mod tests {
    use super::{date_of, day_number};

    #[test]
    fn day_numbers_of_dates_and_back() {
        assert_eq!(day_number("1970-01-01"), 0);
        assert_eq!(day_number("2013-10-01"), 15_979);
        assert_eq!(day_number("2020-01-01") - day_number("2013-10-01"), 2_283);
        assert_eq!(day_number("2020-03-01") - day_number("2020-02-28"), 2, "2020 is a leap year");
        assert_eq!(day_number("2100-03-01") - day_number("2100-02-28"), 1, "2100 is not");
        assert_eq!(day_number("1000-01-01"), -354_285);
        for n in [-354_285, -1, 0, 15_979, 20_453, 2_932_896] {
            assert_eq!(day_number(&date_of(n)), n, "{}", date_of(n));
        }
        assert_eq!(date_of(day_number("2025-12-31")), "2025-12-31");
    }
}
