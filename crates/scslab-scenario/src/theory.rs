//! The behaviour theory (`[behaviour] theory`) and its table: `[expression]` or `[reputation]`.
//!
//! A theory's table is read only when that theory is chosen; a table of another theory is an
//! error located at the table, so that nobody edits parameters that the run ignores.

use scslab_model::params::{AuthorityKind, ListColor, Subject};
use scslab_model::theory::Theory;
use scslab_model::theory::expression::{
    Adaptive, Desired, ExpressionParams, Policy, Punishment, TruncatedExponential,
};
use scslab_model::theory::reputation::{Assessment, MAX_PLAYERS, Norm, ReputationParams};

use crate::error::{ScenarioError, Source, choices};
use crate::raw::{RawExpression, RawReputation, RawScenario, S};

type R<T> = Result<T, ScenarioError>;

/// The punishments of `[expression] punishment`, in order.
pub const PUNISHMENTS: [&str; 2] = ["uniform", "proportional"];
/// The values of `[expression] authority`.
pub const EXPRESSION_AUTHORITIES: [&str; 2] = ["own", "regime"];
/// The values of `[expression] desired`.
pub const DESIRED: [&str; 2] = ["trait", "exponential"];
/// The norms of `[reputation] norm`, in order.
pub const NORMS: [&str; 4] = ["stern_judging", "simple_standing", "scoring", "shunning"];
/// The values of `[reputation] assessment`.
pub const ASSESSMENTS: [&str; 2] = ["private", "institution"];

/// The day engine (`[engine] day`): the event engine is defined for the deterrence theory only,
/// and is its default ([`DayEngine::default_for`](scslab_model::params::DayEngine::default_for)).
pub(crate) fn engine(
    src: &Source<'_>,
    raw: &RawScenario,
    theory: &Theory,
) -> R<scslab_model::params::DayEngine> {
    use scslab_model::params::DayEngine;
    let Some(day) = raw.engine.as_ref().and_then(|e| e.day.as_ref()) else {
        return Ok(DayEngine::default_for(theory));
    };
    let engine = match day.get_ref().as_str() {
        "daily" => DayEngine::Daily,
        "event" => DayEngine::Event,
        other => {
            return Err(src.error(
                day.span(),
                format!("engine.day: unknown engine `{other}`; valid choices: {}", choices(DayEngine::NAMES)),
            ));
        }
    };
    if engine == DayEngine::Event && !matches!(theory, Theory::Deterrence) {
        return Err(src.error(
            day.span(),
            format!(
                "engine.day = \"event\" is defined for behaviour.theory = \"deterrence\" only, but the theory is \"{}\"; \
                 use engine.day = \"daily\"",
                theory.name()
            ),
        ));
    }
    Ok(engine)
}

/// The theory of a scenario whose authorities are already resolved (`authorities` in file
/// order): `institution_list` names one of them.
pub(crate) fn theory(
    src: &Source<'_>,
    raw: &RawScenario,
    authorities: &[scslab_model::params::Authority],
) -> R<Theory> {
    let chosen = raw.behaviour.theory.as_ref();
    let name = chosen.map_or("deterrence", |t| t.get_ref().as_str());
    if !Theory::NAMES.contains(&name) {
        let span = chosen.map_or(0..0, S::span);
        return Err(src.error(
            span,
            format!("behaviour.theory: unknown theory `{name}`; valid choices: {}", choices(Theory::NAMES)),
        ));
    }
    // A table of a theory not in force would be silently ignored.
    let unused = |table: &str, span: std::ops::Range<usize>| {
        src.error(
            span,
            format!(
                "[{table}]: read only when behaviour.theory = \"{table}\", but the theory is \"{name}\"; \
                 remove the table or set the theory"
            ),
        )
    };
    if let Some(t) = &raw.expression
        && name != "expression"
    {
        return Err(unused("expression", t.span()));
    }
    if let Some(t) = &raw.reputation
        && name != "reputation"
    {
        return Err(unused("reputation", t.span()));
    }
    let missing = |table: &str, keys: &str| {
        src.error(
            chosen.map_or(0..0, S::span),
            format!("behaviour.theory = \"{table}\" needs an [{table}] table (keys: {keys})"),
        )
    };
    match name {
        "expression" => match &raw.expression {
            Some(t) => Ok(Theory::Expression(expression(
                src,
                t.get_ref(),
                *raw.behaviour.dissent.get_ref().mean.get_ref(),
            )?)),
            None => Err(missing("expression", "boldness, tolerance, severity, surveillance, punishment")),
        },
        "reputation" => match &raw.reputation {
            Some(t) => {
                let r = reputation(src, t.get_ref(), authorities)?;
                if r.players.is_none() {
                    check_players(src, &raw.scenario.people)?;
                }
                Ok(Theory::Reputation(r))
            }
            None => Err(missing(
                "reputation",
                "norm, assessment, empathy, benefit, cost, execution_error, assessment_error, \
                 strategy_mutation, selection_strength",
            )),
        },
        _ => Ok(Theory::Deterrence),
    }
}

/// The reputation game plays every pair of players each day: when every adult plays, it
/// refuses populations beyond [`MAX_PLAYERS`] persons.
fn check_players(src: &Source<'_>, people: &S<u64>) -> R<()> {
    let n = *people.get_ref();
    if n > MAX_PLAYERS as u64 {
        return Err(src.error(people.span(), players_message(n)));
    }
    Ok(())
}

/// Why a population is too large for the reputation game.
pub(crate) fn players_message(n: u64) -> String {
    format!(
        "expected at most {MAX_PLAYERS} people under behaviour.theory = \"reputation\" when every \
         adult plays (every pair of players meets every day: {MAX_PLAYERS} players are {} million \
         meetings a day), found {n}; or set reputation.players to let only the first adults play",
        (MAX_PLAYERS * MAX_PLAYERS) / 1_000_000
    )
}

/// One of `names`, or an error listing them.
fn one_of<'n>(src: &Source<'_>, v: &S<String>, key: &str, names: &[&'n str]) -> R<&'n str> {
    names.iter().copied().find(|n| *n == v.get_ref()).ok_or_else(|| {
        src.error(
            v.span(),
            format!("{key}: unknown value `{}`; valid choices: {}", v.get_ref(), choices(names)),
        )
    })
}

fn expression(src: &Source<'_>, t: &RawExpression, dissent_mean: f64) -> R<ExpressionParams> {
    let positive = |v: &S<f64>, key: &str| {
        let x = *v.get_ref();
        if !(x > 0.0 && x.is_finite()) {
            return Err(src.error(v.span(), format!("{key}: expected a finite number > 0, found {x}")));
        }
        Ok(x)
    };
    let prob = |v: &S<f64>, key: &str| {
        let x = *v.get_ref();
        if !(0.0..=1.0).contains(&x) {
            return Err(
                src.error(v.span(), format!("{key}: expected a probability between 0 and 1, found {x}"))
            );
        }
        Ok(x)
    };
    let punishment = match one_of(src, &t.punishment, "expression.punishment", &PUNISHMENTS)? {
        "uniform" => Punishment::Uniform,
        _ => Punishment::Proportional,
    };
    let regime = match &t.authority {
        Some(a) => one_of(src, a, "expression.authority", &EXPRESSION_AUTHORITIES)? == "regime",
        None => false,
    };
    let adaptive = t.adaptive.as_ref().is_some_and(|a| *a.get_ref());
    if adaptive && regime {
        let a = t.adaptive.as_ref().expect("adaptive is set");
        return Err(src.error(
            a.span(),
            "expression.adaptive: expected false when expression.authority = \"regime\" (the regime \
             sets the policy each day; an adaptive authority sets its own)",
        ));
    }
    let adaptive = if adaptive {
        let paper = Adaptive::default();
        Some(Adaptive {
            adamancy: t
                .adamancy
                .as_ref()
                .map_or(Ok(paper.adamancy), |v| positive(v, "expression.adamancy"))?,
            step: t
                .adaptive_step
                .as_ref()
                .map_or(Ok(paper.step), |v| positive(v, "expression.adaptive_step"))?,
        })
    } else {
        let given = t
            .adamancy
            .as_ref()
            .map(|v| ("adamancy", v))
            .or(t.adaptive_step.as_ref().map(|v| ("adaptive_step", v)));
        if let Some((key, v)) = given {
            return Err(src.error(
                v.span(),
                format!("expression.{key}: applies only to an adaptive authority (adaptive = true); remove it or set adaptive"),
            ));
        }
        None
    };
    let desired = match &t.desired {
        Some(v) if one_of(src, v, "expression.desired", &DESIRED)? == "exponential" => {
            Desired::Exponential(TruncatedExponential::with_mean(dissent_mean))
        }
        _ => Desired::Trait,
    };
    Ok(ExpressionParams {
        regime,
        desired,
        boldness: positive(&t.boldness, "expression.boldness")?,
        policy: Policy {
            tolerance: prob(&t.tolerance, "expression.tolerance")?,
            severity: positive(&t.severity, "expression.severity")?,
            surveillance: prob(&t.surveillance, "expression.surveillance")?,
            punishment,
        },
        adaptive,
    })
}

fn reputation(
    src: &Source<'_>,
    t: &RawReputation,
    authorities: &[scslab_model::params::Authority],
) -> R<ReputationParams> {
    let prob = |v: &S<f64>, key: &str| {
        let x = *v.get_ref();
        if !(0.0..=1.0).contains(&x) {
            return Err(src.error(
                v.span(),
                format!("reputation.{key}: expected a probability between 0 and 1, found {x}"),
            ));
        }
        Ok(x)
    };
    let nonneg = |v: &S<f64>, key: &str| {
        let x = *v.get_ref();
        if !(x >= 0.0 && x.is_finite()) {
            return Err(
                src.error(v.span(), format!("reputation.{key}: expected a finite number >= 0, found {x}"))
            );
        }
        Ok(x)
    };
    let norm = match one_of(src, &t.norm, "reputation.norm", &NORMS)? {
        "stern_judging" => Norm::SternJudging,
        "simple_standing" => Norm::SimpleStanding,
        "scoring" => Norm::Scoring,
        _ => Norm::Shunning,
    };
    let institution = one_of(src, &t.assessment, "reputation.assessment", &ASSESSMENTS)? == "institution";
    let benefit = nonneg(&t.benefit, "benefit")?;
    if benefit == 0.0 {
        return Err(src.error(t.benefit.span(), "reputation.benefit: expected a finite number > 0, found 0"));
    }
    // The institution's keys mean nothing under private assessment.
    if !institution {
        let keys: [(&str, Option<std::ops::Range<usize>>); 4] = [
            ("institution_size", t.institution_size.as_ref().map(S::span)),
            ("institution_quorum", t.institution_quorum.as_ref().map(S::span)),
            ("adherence", t.adherence.as_ref().map(S::span)),
            ("institution_list", t.institution_list.as_ref().map(S::span)),
        ];
        if let Some((key, Some(span))) = keys.into_iter().find(|k| k.1.is_some()) {
            return Err(src.error(
                span,
                format!(
                    "reputation.{key}: applies only to assessment = \"institution\"; remove it or set \
                     the assessment"
                ),
            ));
        }
    }
    let institution_list = match &t.institution_list {
        Some(name) => Some(institution_list(src, name, authorities)?),
        None => None,
    };
    // An institution of its own needs its size and quorum; a list of the regime replaces them.
    let (size, quorum) = if institution && institution_list.is_none() {
        let need = |v: &Option<S<u32>>, key: &str| {
            v.as_ref().map(|x| (*x.get_ref(), x.span())).ok_or_else(|| {
                src.error(
                    t.assessment.span(),
                    format!(
                        "reputation.{key}: required when assessment = \"institution\" and no \
                         institution_list is given"
                    ),
                )
            })
        };
        let (q_size, size_span) = need(&t.institution_size, "institution_size")?;
        let (q, quorum_span) = need(&t.institution_quorum, "institution_quorum")?;
        if q_size == 0 || q_size as usize > MAX_PLAYERS {
            return Err(src.error(
                size_span,
                format!("reputation.institution_size: expected 1 to {MAX_PLAYERS} observers, found {q_size}"),
            ));
        }
        if q == 0 || q > q_size {
            return Err(src.error(
                quorum_span,
                format!(
                    "reputation.institution_quorum: expected 1 to institution_size ({q_size}) good verdicts, \
                     found {q}"
                ),
            ));
        }
        (q_size, q)
    } else {
        let given = t.institution_size.as_ref().or(t.institution_quorum.as_ref());
        if let (Some(v), Some(_)) = (given, &institution_list) {
            return Err(src.error(
                v.span(),
                "reputation.institution_size, institution_quorum: not used with institution_list (the \
                 list's verdict is the institution's); remove them",
            ));
        }
        (0, 0)
    };
    let adherence = match &t.adherence {
        Some(v) => prob(v, "adherence")?,
        None => 1.0,
    };
    let players = match &t.players {
        Some(v) => {
            let n = *v.get_ref();
            if !(2..=MAX_PLAYERS as u32).contains(&n) {
                return Err(src.error(
                    v.span(),
                    format!("reputation.players: expected 2 to {MAX_PLAYERS} players, found {n}"),
                ));
            }
            Some(n)
        }
        None => None,
    };
    Ok(ReputationParams {
        players,
        norm,
        assessment: if institution { Assessment::Institution } else { Assessment::Private },
        empathy: prob(&t.empathy, "empathy")?,
        benefit,
        cost: nonneg(&t.cost, "cost")?,
        execution_error: prob(&t.execution_error, "execution_error")?,
        assessment_error: prob(&t.assessment_error, "assessment_error")?,
        strategy_mutation: prob(&t.strategy_mutation, "strategy_mutation")?,
        selection_strength: nonneg(&t.selection_strength, "selection_strength")?,
        institution_size: size,
        institution_quorum: quorum,
        adherence,
        institution_list,
    })
}

/// The authority named by `institution_list`: a blacklist of persons.
fn institution_list(
    src: &Source<'_>,
    name: &S<String>,
    authorities: &[scslab_model::params::Authority],
) -> R<usize> {
    let is_black_person_list = |a: &scslab_model::params::Authority| {
        a.subject == Subject::Person
            && matches!(&a.kind, AuthorityKind::List(rule) if rule.color == ListColor::Black)
    };
    let lists: Vec<&str> =
        authorities.iter().filter(|a| is_black_person_list(a)).map(|a| a.name.as_str()).collect();
    match authorities.iter().position(|a| a.name == *name.get_ref()) {
        Some(i) if is_black_person_list(&authorities[i]) => Ok(i),
        _ => Err(src.error(
            name.span(),
            format!(
                "reputation.institution_list: `{}` is not a person blacklist of the scenario; valid \
                 choices: {}",
                name.get_ref(),
                if lists.is_empty() {
                    "none (the scenario has no person blacklist)".to_string()
                } else {
                    choices(lists)
                }
            ),
        )),
    }
}
