//! `trace`: one agent's story, re-simulated from a finished run's folder.
//!
//! A run that writes outputs also writes `replay.bin`, its replay log
//! (`scslab_model::replay`): the aggregates and cross-agent messages each day handed on, a few
//! megabytes for a year whatever the population. [`trace`] rebuilds the run's parameters from
//! its `manifest.json`, checks the log belongs to them, and re-simulates the one agent
//! (`scslab_model::trace`). [`write_trace`] writes its rows and daily states as tables.

use std::path::{Path, PathBuf};

use scslab_model::replay::ReplayLog;
use scslab_model::trace::{AgentState, Trace, trace_firms, trace_persons};
use scslab_output::{ColumnData, Table};
use scslab_scenario::Scenario;

use crate::{RunConfig, RunError};

/// The replay log a run writes beside its tables.
pub const REPLAY_FILE: &str = "replay.bin";

/// Whom to trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TraceTarget {
    /// A person, by id.
    Person(u32),
    /// A company (firm), by id.
    Company(u32),
}

impl TraceTarget {
    /// `person-ID` or `company-ID`: the stem of the trace's file names.
    pub fn stem(&self) -> String {
        match self {
            TraceTarget::Person(id) => format!("person-{id}"),
            TraceTarget::Company(id) => format!("company-{id}"),
        }
    }
}

/// Re-simulates one agent of the finished run in `dir`. Returns the run's scenario (as rebuilt
/// from the manifest) and the agent's trace.
pub fn trace(dir: &Path, target: TraceTarget) -> Result<(Scenario, Trace), RunError> {
    let config = config_from_manifest(dir)?;
    let params = &config.scenario.params;
    let path = dir.join(REPLAY_FILE);
    let bytes = std::fs::read(&path).map_err(|e| RunError::RunFile {
        path: path.clone(),
        message: format!(
            "cannot read the run's replay log ({e}); runs written before scslab kept one cannot be traced"
        ),
    })?;
    let key = crate::scenario_key(&config);
    let (n_persons, n_firms) = (params.n_persons as u32, params.n_firms() as u32);
    let log = ReplayLog::load(key, n_persons, n_firms, &mut bytes.as_slice()).map_err(|source| {
        let instead = "its agents cannot be traced; run it again to trace them";
        crate::checkpoint::refused(path, source, instead)
    })?;
    let traced = match target {
        TraceTarget::Person(id) => trace_persons(params, &log, &[id]),
        TraceTarget::Company(id) => trace_firms(params, &log, &[id]),
    }
    .map_err(RunError::Trace)?;
    let trace = traced.into_iter().next().expect("one trace per id");
    Ok((config.scenario, trace))
}

/// Writes the trace's rows (`traces/STEM.csv`) and daily states (`traces/STEM-days.csv`), each
/// as CSV and Parquet, into `dir`. Returns the folder written to.
pub fn write_trace(dir: &Path, target: TraceTarget, trace: &Trace) -> Result<PathBuf, RunError> {
    // The folder is finished; the lock only keeps two traces (or a trace and an `--overwrite`)
    // from writing it at once.
    let _lock = scslab_output::lock(dir)?;
    let out = dir.join("traces");
    scslab_output::prepare_dir(&out)?;
    let stem = target.stem();
    let rows = &trace.rows;
    let mut t = Table::new(&stem);
    t.push("day", ColumnData::U64(rows.iter().map(|r| r.day as u64).collect()));
    t.push("kind", ColumnData::Str(rows.iter().map(|r| r.kind.to_string()).collect()));
    t.push("what", ColumnData::Str(rows.iter().map(|r| r.what.clone()).collect()));
    t.push("value", ColumnData::F64(rows.iter().map(|r| r.value).collect()));
    t.push("detail", ColumnData::Str(rows.iter().map(|r| r.detail.clone()).collect()));
    scslab_output::write_table(&out, &t)?;
    scslab_output::write_table(&out, &state_table(&format!("{stem}-days"), trace))?;
    Ok(out)
}

/// The daily states as one table, with a column per list and per score.
fn state_table(name: &str, trace: &Trace) -> Table {
    let mut t = Table::new(name);
    let list_columns = |t: &mut Table, bits: Vec<u8>| {
        for (slot, list) in trace.lists.iter().enumerate() {
            t.push(
                format!("on_{list}"),
                ColumnData::U64(bits.iter().map(|b| (b >> slot & 1) as u64).collect()),
            );
        }
    };
    let score_columns = |t: &mut Table, scores: Vec<&[f64]>| {
        for (k, scheme) in trace.schemes.iter().enumerate() {
            t.push(format!("score_{scheme}"), ColumnData::F64(scores.iter().map(|s| s[k]).collect()));
        }
    };
    match &trace.states {
        AgentState::Person(s) => {
            t.push("day", ColumnData::U64(s.iter().map(|x| x.day as u64).collect()));
            t.push("wealth", ColumnData::F64(s.iter().map(|x| x.row.wealth as f64).collect()));
            t.push(
                "employer",
                ColumnData::Str(
                    s.iter().map(|x| x.employer.map_or(String::new(), |f| f.to_string())).collect(),
                ),
            );
            t.push("in_debt", ColumnData::U64(s.iter().map(|x| x.in_debt as u64).collect()));
            t.push("silenced", ColumnData::U64(s.iter().map(|x| x.silenced as u64).collect()));
            t.push("detained_days", ColumnData::U64(s.iter().map(|x| x.detained as u64).collect()));
            t.push("fear", ColumnData::F64(s.iter().map(|x| x.attitudes[0]).collect()));
            t.push("resentment", ColumnData::F64(s.iter().map(|x| x.attitudes[1]).collect()));
            t.push("trust", ColumnData::F64(s.iter().map(|x| x.attitudes[2]).collect()));
            list_columns(&mut t, s.iter().map(|x| x.row.lists).collect());
            score_columns(&mut t, s.iter().map(|x| x.scores.as_slice()).collect());
            let shown = ["wealth", "flags", "fear", "resentment", "trust", "lists"];
            other_columns(&mut t, &shown, s.iter().map(|x| x.row.fields()).collect());
        }
        AgentState::Firm(s) => {
            t.push("day", ColumnData::U64(s.iter().map(|x| x.day as u64).collect()));
            t.push("value", ColumnData::F64(s.iter().map(|x| x.row.value).collect()));
            t.push("alive", ColumnData::U64(s.iter().map(|x| x.alive as u64).collect()));
            t.push("ipo_halted", ColumnData::U64(s.iter().map(|x| x.ipo_halted as u64).collect()));
            t.push(
                "leader_fear",
                ColumnData::F64(s.iter().map(|x| x.row.leader_fear as f64 / 255.0).collect()),
            );
            t.push(
                "dropped_suppliers",
                ColumnData::U64(s.iter().map(|x| x.row.dropped.count_ones() as u64).collect()),
            );
            list_columns(&mut t, s.iter().map(|x| x.row.lists).collect());
            score_columns(&mut t, s.iter().map(|x| x.scores.as_slice()).collect());
            // Employee records are an inbox count, shown as the trace's `employer` rows.
            let shown = ["value", "flags", "lists", "leader_fear", "dropped", "employee_records"];
            other_columns(&mut t, &shown, s.iter().map(|x| x.row.fields()).collect());
        }
    }
    t
}

/// A column for each dense column of the agent kind (as declared in `scslab_model::world`)
/// that the table does not show in its own way (`shown`): a column added to the declaration is
/// written as it is stored, without an edit here.
fn other_columns(t: &mut Table, shown: &[&str], days: Vec<Vec<(&'static str, f64)>>) {
    let Some(first) = days.first() else { return };
    for (i, &(name, _)) in first.iter().enumerate() {
        if !shown.contains(&name) {
            t.push(name, ColumnData::F64(days.iter().map(|fields| fields[i].1).collect()));
        }
    }
}

/// Rebuilds the configuration of the finished run in `dir` from its `manifest.json`.
fn config_from_manifest(dir: &Path) -> Result<RunConfig, RunError> {
    let path = dir.join("manifest.json");
    let bad = |message: String| RunError::RunFile { path: path.clone(), message };
    let text = std::fs::read_to_string(&path).map_err(|e| {
        bad(format!("cannot read it ({e}); is {} the folder of a finished run?", dir.display()))
    })?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    let scenario = crate::checkpoint::scenario_from_json(&path, &v)?;
    Ok(RunConfig::new(scenario))
}

#[cfg(test)]
mod tests {
    use super::*;
    use scslab_model::world::{PersonRow, Persons};

    #[test]
    fn declared_columns_not_shown_otherwise_are_written_as_stored() {
        let days: Vec<_> =
            [3u8, 4].iter().map(|&fear| PersonRow { fear, ..PersonRow::default() }.fields()).collect();
        let mut t = Table::new("x");
        other_columns(&mut t, &["wealth", "flags"], days);
        let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
        let expected: Vec<&str> =
            Persons::NAMES.iter().copied().filter(|n| !["wealth", "flags"].contains(n)).collect();
        assert_eq!(names, expected);
        let fear = t.columns.iter().find(|c| c.name == "fear").unwrap();
        assert!(matches!(&fear.data, ColumnData::F64(v) if v == &[3.0, 4.0]));
    }
}
