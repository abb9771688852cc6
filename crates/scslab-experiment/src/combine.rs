//! The combined dataset of a sweep, built from the runs' files: `runs` (one row per run),
//! `series` (one row per run and day), `summary` (means with 95% intervals per scenario, design
//! point and outcome, and differences against the first scenario), then `manifest.json`.

use std::time::Instant;

use scslab_output::{ColumnData, Table};

mod sensitivity_table;

pub use sensitivity_table::SensitivityRow;

use crate::file::{Design, Sweep};
use crate::plan::{RunSpec, sweep_fingerprint};
use crate::results::{RunResult, SERIES, read_run};
use crate::stats::{Estimate, mean_ci, paired_difference, welch_difference};
use crate::{Range, Streams, SweepConfig, SweepError};

/// What a summary row describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowKind {
    /// The mean of one scenario's replications at one design point.
    Mean,
    /// A scenario minus the first scenario (the baseline), at one design point.
    Difference,
}

/// One row of `summary.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct SummaryRow {
    /// Mean or difference.
    pub kind: RowKind,
    /// The scenario (for a difference, the one the baseline is subtracted from).
    pub scenario: String,
    /// The baseline of a difference (the sweep's first scenario); empty for a mean.
    pub baseline: String,
    /// The design point.
    pub point: usize,
    /// The headline outcome's key.
    pub outcome: String,
    /// `t` (mean of replications), `paired_t` (common random numbers) or `welch` (independent
    /// streams).
    pub method: &'static str,
    /// The estimate and its interval.
    pub estimate: Estimate,
}

/// Reads every run back and writes `runs`, `series`, `summary`, `sensitivity` (Morris and Sobol'
/// designs) and `manifest.json` (last); returns the summary and the sensitivity rows.
pub(crate) fn combine(
    sweep: &Sweep,
    config: &SweepConfig,
    runs: &[RunSpec],
    executed: &[bool],
    workers: usize,
    t0: Instant,
) -> Result<(Vec<SummaryRow>, Vec<SensitivityRow>), SweepError> {
    let out = config.out_dir.as_path();
    let results: Vec<RunResult> = runs.iter().map(|r| read_run(out, &r.id)).collect::<Result<_, _>>()?;
    let outcomes = outcome_keys(&results);
    let values: Vec<Vec<f64>> = results
        .iter()
        .map(|r| {
            outcomes
                .iter()
                .map(|k| r.headlines.iter().find(|h| &h.0 == k).map_or(f64::NAN, |h| h.1))
                .collect()
        })
        .collect();
    scslab_output::write_table(out, &runs_table(sweep, runs, &outcomes, &values))?;
    scslab_output::write_table(out, &series_table(sweep, runs, &results))?;
    let summary = summarize(sweep, config.streams, &outcomes, &values);
    scslab_output::write_table(out, &summary_table(sweep, &summary))?;
    let sensitivity = sensitivity_table::analyse(sweep, &summary);
    if sweep.design.is_sensitivity() {
        scslab_output::write_table(out, &sensitivity_table::table(&sensitivity))?;
    }
    let manifest = manifest(sweep, config, runs, &results, executed, workers, t0);
    scslab_output::write_json(out, "manifest.json", &manifest)?;
    Ok((summary, sensitivity))
}

/// Headline keys in order of first appearance (scenarios with a targeted enforcement add some).
fn outcome_keys(results: &[RunResult]) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for r in results {
        for (k, _) in &r.headlines {
            if !keys.contains(k) {
                keys.push(k.clone());
            }
        }
    }
    keys
}

/// The columns that identify a run: id, scenario, design point, replication, then one column per
/// parameter. `rows` gives the run of each row.
fn key_columns(t: &mut Table, sweep: &Sweep, runs: &[RunSpec], rows: &[usize], with_seed: bool) {
    t.push("run_id", ColumnData::Str(rows.iter().map(|&i| runs[i].id.clone()).collect()));
    t.push(
        "scenario",
        ColumnData::Str(rows.iter().map(|&i| sweep.scenarios[runs[i].scenario].name.clone()).collect()),
    );
    t.push("point", ColumnData::U32(rows.iter().map(|&i| runs[i].point as u32).collect()));
    t.push("replication", ColumnData::U32(rows.iter().map(|&i| runs[i].replication).collect()));
    if with_seed {
        t.push("seed", ColumnData::U64(rows.iter().map(|&i| runs[i].seed).collect()));
    }
    for (j, p) in sweep.parameters.iter().enumerate() {
        t.push(
            p.key.clone(),
            ColumnData::F64(rows.iter().map(|&i| sweep.points[runs[i].point][j]).collect()),
        );
    }
}

fn runs_table(sweep: &Sweep, runs: &[RunSpec], outcomes: &[String], values: &[Vec<f64>]) -> Table {
    let mut t = Table::new("runs");
    let rows: Vec<usize> = (0..runs.len()).collect();
    key_columns(&mut t, sweep, runs, &rows, true);
    for (k, name) in outcomes.iter().enumerate() {
        t.push(name.clone(), ColumnData::F64(values.iter().map(|v| v[k]).collect()));
    }
    t
}

fn series_table(sweep: &Sweep, runs: &[RunSpec], results: &[RunResult]) -> Table {
    let mut t = Table::new("series");
    let rows: Vec<usize> =
        results.iter().enumerate().flat_map(|(i, r)| std::iter::repeat_n(i, r.days.len())).collect();
    key_columns(&mut t, sweep, runs, &rows, false);
    t.push("day", ColumnData::U32(results.iter().flat_map(|r| r.days.iter().copied()).collect()));
    for (c, name) in SERIES.iter().enumerate() {
        t.push(*name, ColumnData::F64(results.iter().flat_map(|r| r.series[c].iter().copied()).collect()));
    }
    t
}

/// Means per (scenario, point, outcome), then differences against the first scenario per
/// (scenario, point, outcome). Runs are in plan order, so run `(s, p, r)` is at
/// `(s * points + p) * replications + r`.
fn summarize(sweep: &Sweep, streams: Streams, outcomes: &[String], values: &[Vec<f64>]) -> Vec<SummaryRow> {
    let (n_points, n_reps) = (sweep.points.len(), sweep.replications as usize);
    let column = |s: usize, p: usize, k: usize| -> Vec<f64> {
        let start = (s * n_points + p) * n_reps;
        values[start..start + n_reps].iter().map(|v| v[k]).collect()
    };
    let mut rows = Vec::new();
    for (s, scenario) in sweep.scenarios.iter().enumerate() {
        for p in 0..n_points {
            for (k, outcome) in outcomes.iter().enumerate() {
                rows.push(SummaryRow {
                    kind: RowKind::Mean,
                    scenario: scenario.name.clone(),
                    baseline: String::new(),
                    point: p,
                    outcome: outcome.clone(),
                    method: "t",
                    estimate: mean_ci(&column(s, p, k)),
                });
            }
        }
    }
    let baseline = &sweep.scenarios[0].name;
    for (s, scenario) in sweep.scenarios.iter().enumerate().skip(1) {
        for p in 0..n_points {
            for (k, outcome) in outcomes.iter().enumerate() {
                let (x, b) = (column(s, p, k), column(0, p, k));
                let (method, estimate) = match streams {
                    Streams::Common => ("paired_t", paired_difference(&x, &b)),
                    Streams::Independent => ("welch", welch_difference(&x, &b)),
                };
                rows.push(SummaryRow {
                    kind: RowKind::Difference,
                    scenario: scenario.name.clone(),
                    baseline: baseline.clone(),
                    point: p,
                    outcome: outcome.clone(),
                    method,
                    estimate,
                });
            }
        }
    }
    rows
}

fn summary_table(sweep: &Sweep, rows: &[SummaryRow]) -> Table {
    let mut t = Table::new("summary");
    let f = |g: fn(&SummaryRow) -> f64| ColumnData::F64(rows.iter().map(g).collect());
    t.push(
        "kind",
        ColumnData::Str(
            rows.iter()
                .map(|r| match r.kind {
                    RowKind::Mean => "mean".to_string(),
                    RowKind::Difference => "difference".to_string(),
                })
                .collect(),
        ),
    );
    t.push("scenario", ColumnData::Str(rows.iter().map(|r| r.scenario.clone()).collect()));
    t.push("baseline", ColumnData::Str(rows.iter().map(|r| r.baseline.clone()).collect()));
    t.push("point", ColumnData::U32(rows.iter().map(|r| r.point as u32).collect()));
    for (j, p) in sweep.parameters.iter().enumerate() {
        t.push(p.key.clone(), ColumnData::F64(rows.iter().map(|r| sweep.points[r.point][j]).collect()));
    }
    t.push("outcome", ColumnData::Str(rows.iter().map(|r| r.outcome.clone()).collect()));
    t.push("method", ColumnData::Str(rows.iter().map(|r| r.method.to_string()).collect()));
    t.push("n", ColumnData::U32(rows.iter().map(|r| r.estimate.n as u32).collect()));
    t.push("mean", f(|r| r.estimate.mean));
    t.push("sd", f(|r| r.estimate.sd));
    t.push("se", f(|r| r.estimate.se));
    t.push("df", f(|r| r.estimate.df));
    t.push("ci_low", f(|r| r.estimate.ci_low()));
    t.push("ci_high", f(|r| r.estimate.ci_high()));
    t.push("half_width", f(|r| r.estimate.half_width));
    t
}

fn manifest(
    sweep: &Sweep,
    config: &SweepConfig,
    runs: &[RunSpec],
    results: &[RunResult],
    executed: &[bool],
    workers: usize,
    t0: Instant,
) -> serde_json::Value {
    let design = match sweep.design {
        Design::Grid => serde_json::json!({"kind": "grid", "points": sweep.points.len()}),
        Design::Points => serde_json::json!({"kind": "points", "points": sweep.points.len()}),
        Design::Table => serde_json::json!({"kind": "table", "points": sweep.points.len()}),
        Design::LatinHypercube { samples, seed } => {
            serde_json::json!({"kind": "latin_hypercube", "samples": samples, "seed": seed, "points": sweep.points.len()})
        }
        Design::Morris { trajectories, levels, seed } => serde_json::json!({
            "kind": "morris", "trajectories": trajectories, "levels": levels, "seed": seed,
            "points": sweep.points.len()
        }),
        Design::Sobol { samples, seed } => {
            serde_json::json!({"kind": "sobol", "samples": samples, "seed": seed, "points": sweep.points.len()})
        }
    };
    let parameters: Vec<serde_json::Value> = sweep
        .parameters
        .iter()
        .map(|p| {
            let range = match &p.range {
                Range::Values(v) => serde_json::json!({"values": v}),
                Range::Interval { min, max } => serde_json::json!({"min": min, "max": max}),
            };
            serde_json::json!({"key": p.key, "integer": p.integer, "range": range, "applies_to": p.applies_to})
        })
        .collect();
    let run_list: Vec<serde_json::Value> = runs
        .iter()
        .zip(results)
        .zip(executed)
        .map(|((spec, result), &ran)| {
            serde_json::json!({
                "id": spec.id,
                "scenario": sweep.scenarios[spec.scenario].name,
                "point": spec.point,
                "replication": spec.replication,
                "seed": spec.seed,
                "status": if ran { "executed" } else { "reused" },
                "timings_seconds": result.marker["timings_seconds"],
            })
        })
        .collect();
    let simulate: f64 = results.iter().filter_map(|r| r.marker["timings_seconds"]["simulate"].as_f64()).sum();
    serde_json::json!({
        "scslab_version": env!("CARGO_PKG_VERSION"),
        "sweep": {
            "name": sweep.name,
            "description": sweep.description,
            "file": sweep.file,
            "text": sweep.text,
            "fingerprint": sweep_fingerprint(sweep, config.streams),
        },
        "streams": config.streams.name(),
        "scenarios": sweep
            .scenarios
            .iter()
            .map(|s| serde_json::json!({"name": s.name, "origin": s.origin, "text": s.text}))
            .collect::<Vec<_>>(),
        "people": sweep.people,
        "days": sweep.days,
        "replications": sweep.replications,
        "seed": sweep.seed,
        "design": design,
        "parameters": parameters,
        "points": sweep.points,
        "workers": workers,
        "command": config.command,
        "runs": run_list,
        "runs_executed": executed.iter().filter(|&&x| x).count(),
        "timings_seconds": {
            "this_invocation": t0.elapsed().as_secs_f64(),
            "simulate_all_runs": simulate,
        },
        "outputs": if sweep.design.is_sensitivity() {
            serde_json::json!(["runs", "series", "summary", "sensitivity"])
        } else {
            serde_json::json!(["runs", "series", "summary"])
        },
        "formats": ["csv", "parquet"],
    })
}
