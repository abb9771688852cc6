//! The theory phase of the day (phase 8 of docs/ODD.md section 3): the expression authority sees
//! the day's totals and sets tomorrow's policy; the reputation game plays one generation. Apart
//! from `theory/mod.rs` so that the theories' declarations, which the parameters and counters
//! read, import nothing of the model.

use super::{Theory, TheoryState, expression};

/// What the end of a day hands the theory: the day's counters and the list memberships after
/// list maintenance.
pub(crate) struct DayEnd<'a> {
    pub params: &'a crate::params::Params,
    pub plan: &'a crate::tables::Plan,
    pub tables: &'a crate::tables::DayTables,
    pub cols: &'a crate::metrics::PersonCols,
    pub outboxes: &'a [crate::persons::PersonOutbox],
    pub person_lists: &'a [u8],
    pub day: u32,
}

/// The theory's part of the end of a day: the expression authority sees the day and sets
/// tomorrow's policy; the reputation game plays one generation. Writes the day's values into
/// `values` (named by [`day_value_names`]).
pub(crate) fn end_of_day(
    state: &mut TheoryState,
    end: &DayEnd<'_>,
    metrics: &mut crate::metrics::DayMetrics,
) {
    match (state, &end.params.theory) {
        (TheoryState::Expression(authority), Theory::Expression(x)) => {
            let seen = expression_day(end, metrics);
            if x.adaptive.is_some() {
                authority.adapt(x, &seen, end.params.seed, end.day);
            }
        }
        (TheoryState::Reputation { game, players }, Theory::Reputation(r)) => {
            let listed: Option<Vec<bool>> = r.institution_list.map(|a| {
                let bit = 1u8 << end.plan.slot[a];
                players.iter().map(|&id| end.person_lists[id as usize] & bit != 0).collect()
            });
            let g = game.generation(r, end.params.seed, end.day, listed.as_deref());
            let share = |a: u64, b: u64| if b > 0 { a as f64 / b as f64 } else { f64::NAN };
            let n: u64 = g.strategies.iter().sum();
            let v = [
                share(g.cooperations, g.donations),
                share(g.good, g.views),
                share(g.agreeing_pairs, g.pairs),
                share(g.strategies[0], n),
                share(g.strategies[1], n),
                share(g.strategies[2], n),
            ];
            metrics.theory.copy_from_slice(&v);
        }
        _ => {}
    }
}

/// The expression theory's day values, and what its authority saw.
fn expression_day(end: &DayEnd<'_>, metrics: &mut crate::metrics::DayMetrics) -> expression::Seen {
    use crate::vocab::N_INCOME;
    let c = end.cols.expression.expect("expression counters under the expression theory");
    let m = &metrics.persons;
    let total = |col: usize| (0..crate::population::N_CELLS).map(|cell| m.get(cell, col)).sum::<u64>();
    let fixed = |col: usize| total(col) as i64 as f64 / crate::metrics::FIXED_POINT;
    let (compliant, self_censoring, defiant) =
        (total(c.compliant), total(c.self_censoring), total(c.defiant));
    let chose = compliant + self_censoring + defiant;
    let share = |a: f64| if chose > 0 { a / chose as f64 } else { f64::NAN };
    let (desired, expressed) = (fixed(c.desired), fixed(c.expressed));
    let punished = total(c.punished);
    let max_expressed = end.outboxes.iter().map(|o| o.max_expressed).fold(0.0, f64::max);
    let min_defiant = end.outboxes.iter().map(|o| o.min_defiant).fold(f64::INFINITY, f64::min);
    // The policy in force, over provinces weighted by their adults (one policy unless the
    // regime sets it).
    let x = end.tables.expression.as_ref().expect("today's expression policy");
    let cells = 2 * N_INCOME;
    let adults: Vec<f64> = (0..crate::vocab::N_PROVINCES)
        .map(|p| (p * cells..(p + 1) * cells).map(|cell| m.get(cell, end.cols.adults)).sum::<u64>() as f64)
        .collect();
    let all: f64 = adults.iter().sum();
    let mean = |f: fn(&expression::Policy) -> f64| {
        if all > 0.0 {
            x.policy.iter().zip(&adults).map(|(p, a)| f(p) * a).sum::<f64>() / all
        } else {
            f(&x.policy[0])
        }
    };
    let v = [
        share(compliant as f64),
        share(self_censoring as f64),
        share(defiant as f64),
        share(desired),
        share(expressed),
        max_expressed,
        if min_defiant.is_finite() { min_defiant } else { f64::NAN },
        share(punished as f64),
        mean(|p| p.tolerance),
        mean(|p| p.severity),
        mean(|p| p.surveillance),
    ];
    metrics.theory.copy_from_slice(&v);
    expression::Seen {
        adults: chose,
        expressed,
        punished,
        punishment: fixed(c.punishment),
        defiant,
        self_censoring,
    }
}
