//! The `sensitivity` table of a Morris or Sobol' sweep: the indices of every parameter for every
//! scenario and headline outcome (`crate::sensitivity` computes them; this file only feeds it
//! the summary's means and lays out the rows).

use scslab_output::{ColumnData, Table};

use super::{RowKind, SummaryRow};
use crate::file::{Design, Sweep, unit_design};
use crate::sensitivity::{BOOTSTRAP_RESAMPLES, Estimate, morris_indices, sobol_indices};

/// One row of `sensitivity.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct SensitivityRow {
    /// The scenario whose runs were analysed.
    pub scenario: String,
    /// The headline outcome's key.
    pub outcome: String,
    /// The parameter's key.
    pub parameter: String,
    /// `morris` or `sobol`.
    pub method: &'static str,
    /// The index and its bootstrap 95% interval.
    pub estimate: Estimate,
}

/// The indices of every parameter for every scenario and headline outcome of a Morris or Sobol'
/// sweep, from the means over replications per design point (the `mean` rows of the summary).
/// Empty for the other kinds of design.
pub(crate) fn analyse(sweep: &Sweep, summary: &[SummaryRow]) -> Vec<SensitivityRow> {
    let k = sweep.parameters.len();
    let Some(unit) = unit_design(sweep.design, k) else { return Vec::new() };
    let n_points = sweep.points.len();
    let mut rows = Vec::new();
    let mut outcomes: Vec<&str> = Vec::new();
    for r in summary.iter().filter(|r| r.kind == RowKind::Mean) {
        if !outcomes.contains(&r.outcome.as_str()) {
            outcomes.push(&r.outcome);
        }
    }
    for scenario in &sweep.scenarios {
        for outcome in &outcomes {
            let mut y = vec![f64::NAN; n_points];
            for r in summary
                .iter()
                .filter(|r| r.kind == RowKind::Mean && r.scenario == scenario.name && r.outcome == *outcome)
            {
                y[r.point] = r.estimate.mean;
            }
            let (method, estimates) = match sweep.design {
                Design::Morris { seed, .. } => {
                    ("morris", morris_indices(k, &unit, &y, BOOTSTRAP_RESAMPLES, seed))
                }
                Design::Sobol { seed, .. } => ("sobol", sobol_indices(k, &y, BOOTSTRAP_RESAMPLES, seed)),
                _ => unreachable!("unit_design is only for Morris and Sobol'"),
            };
            for estimate in estimates {
                rows.push(SensitivityRow {
                    scenario: scenario.name.clone(),
                    outcome: outcome.to_string(),
                    parameter: sweep.parameters[estimate.parameter].key.clone(),
                    method,
                    estimate,
                });
            }
        }
    }
    rows
}

/// The tidy table `sensitivity`: scenario, outcome, parameter, method, statistic, value,
/// ci_low, ci_high.
pub(crate) fn table(rows: &[SensitivityRow]) -> Table {
    let mut t = Table::new("sensitivity");
    let s = |g: fn(&SensitivityRow) -> String| ColumnData::Str(rows.iter().map(g).collect());
    t.push("scenario", s(|r| r.scenario.clone()));
    t.push("outcome", s(|r| r.outcome.clone()));
    t.push("parameter", s(|r| r.parameter.clone()));
    t.push("method", s(|r| r.method.to_string()));
    t.push("statistic", s(|r| r.estimate.statistic.to_string()));
    t.push("value", ColumnData::F64(rows.iter().map(|r| r.estimate.value).collect()));
    t.push("ci_low", ColumnData::F64(rows.iter().map(|r| r.estimate.ci_low).collect()));
    t.push("ci_high", ColumnData::F64(rows.iter().map(|r| r.estimate.ci_high).collect()));
    t
}
