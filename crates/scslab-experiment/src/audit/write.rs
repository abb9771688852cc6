//! The audit's files: `audit.csv`/`.parquet` (one row per criterion and statistic),
//! `audit_replications.csv`/`.parquet` (each statistic in each replication), the scenarios'
//! text, `audit.md` (the table, the numbers behind each finding, the command to repeat) and
//! `manifest.json`, written last. Every file goes through `scslab-output` (temporary file, rename).

use std::fmt::Write as _;
use std::path::Path;

use scslab_output::{ColumnData, OutputError, Table};

use super::{Assessment, Audit, AuditRow, Interval, Unit};
use crate::format::{self, NA};

/// Writes every file of an audit into `dir`, the manifest last.
pub(super) fn write(dir: &Path, audit: &Audit) -> Result<(), OutputError> {
    scslab_output::prepare_dir(dir)?;
    scslab_output::write_table(dir, &audit_table(audit))?;
    scslab_output::write_table(dir, &replications_table(audit))?;
    for a in std::iter::once(&audit.main).chain(audit.against.as_ref()) {
        scslab_output::write_text(dir, &scenario_file(a), &a.text)?;
    }
    scslab_output::write_text(dir, "audit.md", &markdown(audit))?;
    let manifest = serde_json::json!({
        "scslab_version": env!("CARGO_PKG_VERSION"),
        "kind": "audit",
        "scenario": audit.main.scenario,
        "against": audit.against.as_ref().map(|a| a.scenario.clone()),
        "people": audit.people,
        "days": audit.days,
        "replications": audit.seeds.len(),
        "seed": audit.seed,
        "seeds": audit.seeds,
        "command": audit.command,
        "repeat": repeat(audit),
        "outputs": ["audit", "audit_replications", "audit.md"],
        "formats": ["csv", "parquet"],
    });
    scslab_output::write_json(dir, "manifest.json", &manifest)
}

fn scenario_file(a: &Assessment) -> String {
    format!("scenario-{}.toml", a.scenario)
}

/// The command that repeats the audit from the files in its folder.
pub(super) fn repeat(audit: &Audit) -> String {
    let mut s = format!("scslab audit --scenario {}", scenario_file(&audit.main));
    if let Some(a) = &audit.against {
        let _ = write!(s, " --against {}", scenario_file(a));
    }
    let _ = write!(
        s,
        " --people {} --days {} --replications {} --seed {}",
        audit.people,
        audit.days,
        audit.seeds.len(),
        audit.seed
    );
    s
}

fn audit_table(audit: &Audit) -> Table {
    let rows = &audit.rows;
    let finding = |a: Option<&Assessment>, r: &AuditRow| -> String {
        a.and_then(|a| a.findings.iter().find(|f| f.statistic == r.key && f.criterion == r.criterion))
            .map_or(String::new(), |f| f.verdict.word().to_string())
    };
    let col = |f: &dyn Fn(&AuditRow) -> Option<Interval>, g: fn(&Interval) -> f64| {
        ColumnData::F64(rows.iter().map(|r| f(r).as_ref().map_or(f64::NAN, g)).collect())
    };
    let mut t = Table::new("audit");
    t.push("scenario", ColumnData::Str(rows.iter().map(|_| audit.main.scenario.clone()).collect()));
    t.push("criterion", ColumnData::Str(rows.iter().map(|r| r.criterion.key().to_string()).collect()));
    t.push("statistic", ColumnData::Str(rows.iter().map(|r| r.key.clone()).collect()));
    t.push("label", ColumnData::Str(rows.iter().map(|r| r.label.clone()).collect()));
    t.push("replications", ColumnData::U32(rows.iter().map(|_| audit.seeds.len() as u32).collect()));
    t.push("estimate", col(&|r| r.main, |i| i.estimate));
    t.push("ci_low", col(&|r| r.main, |i| i.low));
    t.push("ci_high", col(&|r| r.main, |i| i.high));
    t.push("finding", ColumnData::Str(rows.iter().map(|r| finding(Some(&audit.main), r)).collect()));
    if let Some(b) = &audit.against {
        t.push("against", ColumnData::Str(rows.iter().map(|_| b.scenario.clone()).collect()));
        t.push("against_estimate", col(&|r| r.against, |i| i.estimate));
        t.push("against_ci_low", col(&|r| r.against, |i| i.low));
        t.push("against_ci_high", col(&|r| r.against, |i| i.high));
        t.push("against_finding", ColumnData::Str(rows.iter().map(|r| finding(Some(b), r)).collect()));
        t.push("difference", col(&|r| r.difference, |i| i.estimate));
        t.push("difference_ci_low", col(&|r| r.difference, |i| i.low));
        t.push("difference_ci_high", col(&|r| r.difference, |i| i.high));
    }
    t.push("unit", ColumnData::Str(rows.iter().map(|r| r.unit.key().to_string()).collect()));
    // Replications where the audited scenario's statistic is defined (`replications` counts all).
    t.push("n_defined", ColumnData::U32(rows.iter().map(|r| r.main.map_or(0, |i| i.n as u32)).collect()));
    t
}

fn replications_table(audit: &Audit) -> Table {
    let (mut scenario, mut rep, mut seed, mut stat, mut value) = (vec![], vec![], vec![], vec![], vec![]);
    for a in std::iter::once(&audit.main).chain(audit.against.as_ref()) {
        for s in &a.statistics {
            for (r, v) in s.values.iter().enumerate() {
                scenario.push(a.scenario.clone());
                rep.push(r as u32);
                seed.push(audit.seeds[r]);
                stat.push(s.key.clone());
                value.push(*v);
            }
        }
    }
    let mut t = Table::new("audit_replications");
    t.push("scenario", ColumnData::Str(scenario));
    t.push("replication", ColumnData::U32(rep));
    t.push("seed", ColumnData::U64(seed));
    t.push("statistic", ColumnData::Str(stat));
    t.push("value", ColumnData::F64(value));
    t
}

/// An estimate and its interval in the row's unit: `("35%", "30.1% to 39.9%")`; "–" when the
/// scenario has no such statistic (a measure it does not have), "n/a" when it is undefined.
fn ci(i: &Option<Interval>, unit: Unit) -> (String, String) {
    shown(i, |x| unit.show(x))
}

/// A difference and its interval in the row's unit, signed (shares in percentage points).
fn ci_difference(i: &Option<Interval>, unit: Unit) -> (String, String) {
    shown(i, |x| unit.show_difference(x))
}

/// An interval as (estimate, "low to high"), each written by `show`.
fn shown(i: &Option<Interval>, show: impl Fn(f64) -> String) -> (String, String) {
    i.map_or(("–".into(), "–".into()), |i| {
        if i.estimate.is_nan() {
            return (NA.into(), NA.into());
        }
        let range = if i.low.is_nan() || i.high.is_nan() {
            NA.to_string()
        } else {
            format!("{} to {}", show(i.low), show(i.high))
        };
        (show(i.estimate), range)
    })
}

fn markdown(audit: &Audit) -> String {
    let mut s = String::new();
    let n = audit.seeds.len();
    let main = &audit.main;
    let _ = writeln!(s, "# Audit of `{}` against Art. 5(1)(c) of Regulation (EU) 2024/1689\n", main.scenario);
    if let Some(b) = &audit.against {
        let _ = writeln!(s, "Compared with `{}` on the same seeds (common random numbers).\n", b.scenario);
    }
    let _ = writeln!(
        s,
        "{} synthetic people, {} days, {n} replications, base seed {}; replication seeds: {}.\n",
        format::count(audit.people as f64),
        audit.days,
        audit.seed,
        audit.seeds.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")
    );
    let _ = writeln!(s, "Definitions and thresholds: docs/AUDIT.md in the scslab repository.\n");
    let _ = writeln!(
        s,
        "Shares are percentages of all sanctions, differences of shares are in percentage points (pp), \
         a ratio of 1 means no difference between the groups, n/a marks a number that is undefined \
         (for instance a share of sanctions when there was no sanction) and – a statistic the scenario \
         does not have (a measure it does not use). Intervals of shares, counts and rates are clipped \
         to the values they can take (no share below 0% or above 100%).\n"
    );
    let _ = writeln!(s, "## Findings\n");
    for a in std::iter::once(main).chain(audit.against.as_ref()) {
        for f in &a.findings {
            let _ = writeln!(
                s,
                "- `{}`, {}: **{}**. {}.",
                a.scenario,
                f.criterion.title(),
                f.verdict.word(),
                f.text
            );
        }
    }
    let _ = writeln!(s, "\n## Table (estimate and 95% interval over {n} replications)\n");
    if let Some(b) = &audit.against {
        let _ = writeln!(
            s,
            "| criterion | statistic | {} | 95% CI | {} | 95% CI | difference | 95% CI |\n|---|---|---|---|---|---|---|---|",
            main.scenario, b.scenario
        );
    } else {
        let _ = writeln!(s, "| criterion | statistic | estimate | 95% CI |\n|---|---|---|---|");
    }
    for r in &audit.rows {
        let (e, c) = ci(&r.main, r.unit);
        let _ = write!(s, "| {} | {} | {e} | {c} |", r.criterion.title(), r.label);
        if audit.against.is_some() {
            let (e2, c2) = ci(&r.against, r.unit);
            let (d, dc) = ci_difference(&r.difference, r.unit);
            let _ = write!(s, " {e2} | {c2} | {d} | {dc} |");
        }
        s.push('\n');
    }
    for a in std::iter::once(main).chain(audit.against.as_ref()) {
        let _ = writeln!(s, "\n## Numbers behind the findings: `{}`\n", a.scenario);
        let _ = writeln!(s, "Counts per replication (persons and firms unless said otherwise):\n");
        let _ = writeln!(
            s,
            "| replication | seed | adult-days | sanctions | cross-context | false | recorded violations | severe | severe, minor-reachable | fines |\n|---|---|---|---|---|---|---|---|---|---|"
        );
        for (r, c) in a.counts.iter().enumerate() {
            let _ = writeln!(
                s,
                "| {r} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                audit.seeds[r],
                format::count(c.adult_days),
                format::count(c.sanctions),
                format::count(c.spillover),
                format::count(c.false_sanctions),
                format::count(c.recorded_violations),
                format::count(c.severe),
                format::count(c.severe_after_minor),
                format::yuan(c.fines_yuan)
            );
        }
        let _ = writeln!(s, "\nBlacklists (each entry applies every measure listed once):\n");
        let _ = writeln!(
            s,
            "| list | subject | triggered by | minor record can trigger | measures | severe | unrelated context |\n|---|---|---|---|---|---|---|"
        );
        for l in &a.lists {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} | {} |",
                l.name,
                if l.persons { "persons" } else { "firms" },
                l.triggers,
                if l.minor_reachable { "yes" } else { "no" },
                l.measures.join(", "),
                l.severe.join(", "),
                l.spillover.join(", ")
            );
        }
        let _ = writeln!(s, "\nGravity of events from the scenario's points (minor: at most 0.25):\n");
        let _ = writeln!(s, "| subject | event | gravity | minor |\n|---|---|---|---|");
        for g in &a.gravity {
            let _ = writeln!(
                s,
                "| {} | {} | {:.2} | {} |",
                g.subject,
                g.event,
                g.gravity,
                if g.minor { "yes" } else { "no" }
            );
        }
    }
    let _ = writeln!(s, "\n## Repeat\n");
    let _ = writeln!(s, "From this folder:\n\n```\n{}\n```\n", repeat(audit));
    if !audit.command.is_empty() {
        let _ = writeln!(s, "Command that produced it:\n\n```\n{}\n```", audit.command);
    }
    s
}
