//! The calibration's files: `calibration.csv`/`.parquet` (one row per fact),
//! `trajectory.csv`/`.parquet` (each quantity per day, mean and 95% interval), `scenario.toml`
//! (the calibration scenario), `calibration.md` (the fit table and the command to repeat) and
//! `manifest.json` (kind `calibration`), written last. Every file goes through `scslab-output`.

use std::fmt::Write as _;
use std::path::Path;

use scslab_output::{ColumnData, OutputError, Table};

use super::{
    Calibration, Date, LAUNCH, LAUNCH_DAYS, LAUNCH_SCALE, LIST, POPULATION, PRESET, TOLERANCE, horizon,
};

/// Writes every file of a calibration into `dir`, the manifest last.
pub(super) fn write(dir: &Path, c: &Calibration) -> Result<(), OutputError> {
    scslab_output::prepare_dir(dir)?;
    scslab_output::write_table(dir, &facts_table(c))?;
    scslab_output::write_table(dir, &trajectory_table(c))?;
    scslab_output::write_text(dir, "scenario.toml", &c.scenario.text)?;
    scslab_output::write_text(dir, "calibration.md", &markdown(c))?;
    let manifest = serde_json::json!({
        "scslab_version": env!("CARGO_PKG_VERSION"),
        "kind": "calibration",
        "scenario": c.scenario.name,
        "preset": PRESET,
        "list": LIST,
        "people": c.people,
        "days": c.days,
        "day0": LAUNCH.iso(),
        "population_scaled_to": POPULATION,
        "tolerance": TOLERANCE,
        "replications": c.seeds.len(),
        "seed": c.seed,
        "seeds": c.seeds,
        "facts": c.rows.len(),
        "within": c.within(),
        "stock_share_end_2018": c.stock_share_2018.mean,
        "stock_share_end": c.stock_share_end.mean,
        "command": c.command,
        "repeat": repeat(c),
        "outputs": ["calibration", "trajectory", "calibration.md", "scenario.toml"],
        "formats": ["csv", "parquet"],
    });
    scslab_output::write_json(dir, "manifest.json", &manifest)
}

/// The command that repeats the calibration.
pub(super) fn repeat(c: &Calibration) -> String {
    format!("scslab calibrate --people {} --replications {} --seed {}", c.people, c.seeds.len(), c.seed)
}

fn yes_no(b: bool) -> String {
    if b { "yes".into() } else { "no".into() }
}

fn facts_table(c: &Calibration) -> Table {
    let rows = &c.rows;
    let f64s = |f: &dyn Fn(&super::Row) -> f64| ColumnData::F64(rows.iter().map(f).collect());
    let strs = |f: &dyn Fn(&super::Row) -> String| ColumnData::Str(rows.iter().map(f).collect());
    let mut t = Table::new("calibration");
    t.push("date", strs(&|r| r.fact.date.iso()));
    t.push("day", ColumnData::U32(rows.iter().map(|r| r.day).collect()));
    t.push("fact", strs(&|r| r.fact.id.to_string()));
    t.push("quantity", strs(&|r| r.fact.quantity.key().to_string()));
    t.push("source", strs(&|r| r.fact.source.to_string()));
    t.push("sourced", f64s(&|r| r.fact.value));
    t.push("simulated_mean", f64s(&|r| r.simulated.mean));
    t.push("ci_low", f64s(&|r| r.ci_low));
    t.push("ci_high", f64s(&|r| r.ci_high));
    t.push("within_low", f64s(&|r| r.low));
    t.push("within_high", f64s(&|r| r.high));
    t.push("ratio", f64s(&|r| r.fact.value / r.simulated.mean));
    t.push("within", strs(&|r| yes_no(r.within)));
    t
}

fn trajectory_table(c: &Calibration) -> Table {
    let (mut day, mut date, mut quantity, mut mean, mut low, mut high) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    for tr in &c.trajectories {
        for d in 0..tr.mean.len() {
            day.push(d as u32);
            date.push(Date::of_sim_day(d as u32).iso());
            quantity.push(tr.quantity.key().to_string());
            mean.push(tr.mean[d]);
            low.push(tr.ci_low[d]);
            high.push(tr.ci_high[d]);
        }
    }
    let mut t = Table::new("trajectory");
    t.push("day", ColumnData::U32(day));
    t.push("date", ColumnData::Str(date));
    t.push("quantity", ColumnData::Str(quantity));
    t.push("mean", ColumnData::F64(mean));
    t.push("ci_low", ColumnData::F64(low));
    t.push("ci_high", ColumnData::F64(high));
    t
}

/// Millions with two decimals and thousands separators, "n/a" if undefined.
fn m(x: f64) -> String {
    crate::format::millions(x).trim_end_matches(" M").to_string()
}

fn markdown(c: &Calibration) -> String {
    let mut s = String::new();
    let n = c.seeds.len();
    let _ = writeln!(s, "# Calibration of `{PRESET}` on the court judgment-defaulter list\n");
    let _ = writeln!(
        s,
        "Scenario `{}`: `{PRESET}` from the list's launch ({}, day 0) to {} ({} days), lists empty at \
         the launch, the court list's detection scaled by {LAUNCH_SCALE} until day {LAUNCH_DAYS}.\n",
        c.scenario.name,
        LAUNCH.iso(),
        Date::of_sim_day(horizon() - 1).iso(),
        c.days
    );
    let _ = writeln!(
        s,
        "{} synthetic people, {n} replications (common random numbers), base seed {}; seeds: {}. \
         Simulated counts are scaled to the real population of {} M people (FACTS S1).\n",
        crate::format::count(c.people as f64),
        c.seed,
        c.seeds.iter().map(u64::to_string).collect::<Vec<_>>().join(", "),
        m(POPULATION)
    );
    let _ = writeln!(
        s,
        "A fact is **within** when the sourced value lies in the *band*: the simulated 95% interval \
         widened by {pct:.0}% on each side (the sources are rounded). The band is the column just before \
         \"within\". **{} of {} facts within.** All numbers are in millions (M) of persons or trips in \
         the real population.\n",
        c.within(),
        c.rows.len(),
        pct = TOLERANCE * 100.0,
    );
    let _ = writeln!(
        s,
        "| date | fact | quantity | sourced (M) | simulated mean (M) | 95% interval (M) | band: 95% interval ± {:.0}% (M) | within the band |\n|---|---|---|---|---|---|---|---|",
        TOLERANCE * 100.0
    );
    for r in &c.rows {
        let within = if r.simulated.mean.is_nan() {
            "n/a"
        } else if r.within {
            "yes"
        } else {
            "**no**"
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} to {} | {} to {} | {within} |",
            r.fact.date.iso(),
            r.fact.id,
            r.fact.quantity.key(),
            m(r.fact.value),
            m(r.simulated.mean),
            m(r.ci_low),
            m(r.ci_high),
            m(r.low),
            m(r.high),
        );
    }
    let pct = |e: &crate::stats::Estimate| {
        let p = |x: f64| if x.is_finite() { format!("{:.3}%", x * 100.0) } else { "n/a".into() };
        format!("{} (95% interval {} to {})", p(e.mean), p(e.ci_low().max(0.0)), p(e.ci_high()))
    };
    let _ = writeln!(s, "\nShare of adults on the list:\n");
    let _ = writeln!(s, "- end of 2018: {}", pct(&c.stock_share_2018));
    let _ = writeln!(
        s,
        "- end of {} (the warm start of `{PRESET}`, `initial_share` of `{LIST}`): {}\n",
        Date::of_sim_day(horizon() - 1).iso(),
        pct(&c.stock_share_end)
    );
    let _ = writeln!(s, "Definitions and the mapping of facts: docs/calibration/CALIBRATION.md.\n");
    let _ = writeln!(s, "## Repeat\n\n```\n{}\n```\n", repeat(c));
    if !c.command.is_empty() {
        let _ = writeln!(s, "Command that produced it:\n\n```\n{}\n```", c.command);
    }
    s
}
