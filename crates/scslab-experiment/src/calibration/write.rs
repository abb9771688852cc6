//! The calibration's files: `calibration.csv`/`.parquet` (one row per target),
//! `trajectory.csv`/`.parquet` (each quantity per day, mean and 95% interval), `scenario.toml`
//! (the calibration scenario), `targets.csv` (the targets as read), `calibration.md` (the fit
//! table and the command to repeat) and `manifest.json` (kind `calibration`), written last.
//! A fit adds `priors.toml`, `posterior.*`, `correlations.*`, `particles.*` and one
//! `generation-NNN.json` per generation (written as each finishes, for resuming). Every file
//! goes through `scslab-output`.

use std::fmt::Write as _;
use std::path::Path;

use scslab_output::{ColumnData, OutputError, Table};

use super::abc::{Generation, Particle};
use super::posterior::Fit;
use super::{Calibration, Date, LAUNCH, LAUNCH_DAYS, LAUNCH_SCALE, LIST, PRESET, SD_WIDENING};

/// Writes every file of a calibration into `dir`, the manifest last.
pub(super) fn write(dir: &Path, c: &Calibration) -> Result<(), OutputError> {
    scslab_output::prepare_dir(dir)?;
    write_common(dir, c, &markdown(c, None))?;
    scslab_output::write_json(dir, "manifest.json", &manifest(c))
}

/// The files of a calibration and of a fit: targets, trajectories, scenario and Markdown.
fn write_common(dir: &Path, c: &Calibration, md: &str) -> Result<(), OutputError> {
    scslab_output::write_table(dir, &facts_table(c))?;
    scslab_output::write_table(dir, &trajectory_table(c))?;
    scslab_output::write_text(dir, "scenario.toml", &c.scenario.text)?;
    scslab_output::write_text(dir, "targets.csv", &c.targets_text)?;
    scslab_output::write_text(dir, "calibration.md", md)
}

fn manifest(c: &Calibration) -> serde_json::Value {
    serde_json::json!({
        "scslab_version": env!("CARGO_PKG_VERSION"),
        "kind": "calibration",
        "scenario": c.scenario.name,
        "origin": c.scenario.origin,
        "targets": c.targets_file,
        "list": LIST,
        "people": c.people,
        "days": c.days,
        "day0": c.start.iso(),
        "population_scaled_to": c.population,
        "band": format!("the simulated 95% interval widened by {SD_WIDENING} standard errors (sd) of the target on each side"),
        "sd_widening": SD_WIDENING,
        "replications": c.seeds.len(),
        "seed": c.seed,
        "seeds": c.seeds,
        "facts": c.rows.len(),
        "within": c.within(),
        "stock_share_end_2018": c.stock_share_2018.mean,
        "stock_share_end": c.stock_share_end.mean,
        "command": c.command,
        "repeat": repeat(c),
        "outputs": ["calibration", "trajectory", "calibration.md", "scenario.toml", "targets.csv"],
        "formats": ["csv", "parquet"],
    })
}

/// The command that repeats the calibration.
pub(super) fn repeat(c: &Calibration) -> String {
    format!(
        "scslab calibrate{} --people {} --replications {} --seed {}",
        inputs_args(c),
        c.people,
        c.seeds.len(),
        c.seed
    )
}

/// `--scenario`, `--targets` and `--population` as the calibration was given them.
fn inputs_args(c: &Calibration) -> String {
    let mut s = String::new();
    if !c.scenario.origin.starts_with("preset:") {
        s.push_str(&format!(" --scenario {}", c.scenario.origin));
    }
    if !c.targets_file.starts_with("builtin:") {
        s.push_str(&format!(" --targets {}", c.targets_file));
    }
    if c.population != super::POPULATION {
        s.push_str(&format!(" --population {}", c.population));
    }
    s
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
    t.push("role", strs(&|r| r.fact.role.key().to_string()));
    t.push("source", strs(&|r| r.fact.source.to_string()));
    t.push("sourced", f64s(&|r| r.fact.value));
    t.push("sd", f64s(&|r| r.fact.sd));
    t.push("simulated_mean", f64s(&|r| r.simulated.mean));
    t.push("ci_low", f64s(&|r| r.ci_low));
    t.push("ci_high", f64s(&|r| r.ci_high));
    t.push("within_low", f64s(&|r| r.low));
    t.push("within_high", f64s(&|r| r.high));
    t.push("ratio", f64s(&|r| r.fact.value / r.simulated.mean));
    t.push("relative_error", f64s(&|r| r.relative_error));
    t.push("log_error", f64s(&|r| r.log_error));
    t.push("within", strs(&|r| yes_no(r.within)));
    t
}

fn trajectory_table(c: &Calibration) -> Table {
    let (mut day, mut date, mut quantity, mut mean, mut low, mut high) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    for tr in &c.trajectories {
        for d in 0..tr.mean.len() {
            day.push(d as u32);
            date.push(Date::of_day(c.start, d as u32).iso());
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

fn markdown(c: &Calibration, fit: Option<&Fit>) -> String {
    let mut s = String::new();
    let n = c.seeds.len();
    let builtin = c.scenario.origin.starts_with("preset:");
    if builtin {
        let _ = writeln!(s, "# Calibration of `{PRESET}` on the court judgment-defaulter list\n");
        let _ = writeln!(
            s,
            "Scenario `{}`: `{PRESET}` from the list's launch ({}, day 0) to {} ({} days), lists empty at \
             the launch, the court list's detection scaled by {LAUNCH_SCALE} until day {LAUNCH_DAYS}.\n",
            c.scenario.name,
            LAUNCH.iso(),
            c.end().iso(),
            c.days
        );
    } else {
        let _ = writeln!(s, "# Calibration of `{}`\n", c.scenario.name);
        let _ = writeln!(
            s,
            "Scenario `{}` ({}) from {} (day 0) to {} ({} days).\n",
            c.scenario.name,
            c.scenario.origin,
            c.start.iso(),
            c.end().iso(),
            c.days
        );
    }
    let runs = match fit {
        None => format!("{n} replications (common random numbers) at the scenario's own parameter values"),
        Some(_) => format!(
            "{n} posterior predictive runs (parameters drawn from the posterior, run {{r}} with replication seed {{r}})"
        ),
    };
    let _ = writeln!(
        s,
        "{} synthetic people, {runs}, base seed {}. Simulated counts are scaled to the real population of {} M \
         people. Targets: {}.\n",
        crate::format::count(c.people as f64),
        c.seed,
        m(c.population),
        c.targets_file,
    );
    if let Some(f) = fit {
        fit_markdown(&mut s, f);
    }
    let interval =
        if fit.is_some() { "2.5% to 97.5% of the predictive runs" } else { "95% interval of the mean" };
    let _ = writeln!(
        s,
        "## Targets\n\nA target is **within** when the sourced value lies in the *band*: the simulated {interval} \
         widened by {SD_WIDENING} standard errors (sd) of the target on each side. Relative error: (simulated \
         mean - sourced) / sourced; log error: ln(simulated mean / sourced). Role `holdout`: not used by the fit. \
         **{} of {} targets within.** All numbers are in millions (M) of persons or trips in the real population.\n",
        c.within(),
        c.rows.len(),
    );
    let _ = writeln!(
        s,
        "| date | fact | quantity | role | sourced (M) | sd (M) | simulated mean (M) | {interval} (M) | band (M) | relative error | log error | within the band |\n|---|---|---|---|---|---|---|---|---|---|---|---|"
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
            "| {} | {} | {} | {} | {} | {} | {} | {} to {} | {} to {} | {} | {} | {within} |",
            r.fact.date.iso(),
            r.fact.id,
            r.fact.quantity.key(),
            r.fact.role.key(),
            m(r.fact.value),
            m(r.fact.sd),
            m(r.simulated.mean),
            m(r.ci_low),
            m(r.ci_high),
            m(r.low),
            m(r.high),
            signed_pct(r.relative_error),
            signed3(r.log_error),
        );
    }
    let pct = |e: &crate::stats::Estimate| {
        let p = |x: f64| if x.is_finite() { format!("{:.3}%", x * 100.0) } else { "n/a".into() };
        format!("{} (95% interval {} to {})", p(e.mean), p(e.ci_low().max(0.0)), p(e.ci_high()))
    };
    let _ = writeln!(s, "\nShare of adults on the list `{LIST}`:\n");
    if c.stock_share_2018.mean.is_finite() {
        let _ = writeln!(s, "- end of 2018: {}", pct(&c.stock_share_2018));
    }
    let warm = if builtin {
        format!(" (the warm start of `{PRESET}`, `initial_share` of `{LIST}`)")
    } else {
        String::new()
    };
    let _ = writeln!(s, "- end of {}{warm}: {}\n", c.end().iso(), pct(&c.stock_share_end));
    let _ = writeln!(s, "Definitions and the mapping of facts: docs/calibration/CALIBRATION.md.\n");
    let again = match fit {
        None => repeat(c),
        Some(f) => repeat_fit(f),
    };
    let _ = writeln!(s, "## Repeat\n\n```\n{again}\n```\n");
    if !c.command.is_empty() {
        let _ = writeln!(s, "Command that produced it:\n\n```\n{}\n```", c.command);
    }
    s
}

fn signed_pct(x: f64) -> String {
    if x.is_finite() { format!("{:+.1}%", x * 100.0) } else { crate::format::NA.into() }
}

fn signed3(x: f64) -> String {
    if x.is_finite() { format!("{x:+.3}") } else { crate::format::NA.into() }
}

/// A parameter value with four significant digits.
fn sig(x: f64) -> String {
    if x.is_finite() { format!("{x:.4e}") } else { crate::format::NA.into() }
}

/// The command that repeats a fit.
fn repeat_fit(f: &Fit) -> String {
    let c = &f.calibration;
    let priors = if f.priors_file.starts_with("builtin:") {
        String::new()
    } else {
        format!(" --priors {}", f.priors_file)
    };
    format!(
        "scslab calibrate --fit{}{priors} --people {} --seed {} --particles {} --keep {} --min-acceptance {} \
         --generations {} --predictive {}",
        inputs_args(c),
        c.people,
        c.seed,
        f.abc.particles,
        f.abc.keep,
        f.abc.min_acceptance,
        f.abc.max_generations,
        f.predictive.len()
    )
}

fn fit_markdown(s: &mut String, f: &Fit) {
    let last = &f.generations[f.generations.len() - 1];
    let simulations: usize = f.generations.iter().map(|g| g.proposed.len()).sum();
    let _ = writeln!(
        s,
        "## Posterior\n\nABC-SMC (adaptive population Monte Carlo, Lenormand et al. 2013): {} particles in \
         generation 0, {} kept after each generation, {} new a generation; {} generations, {simulations} \
         simulations; stopped {} (acceptance {:.3}, tolerance {:.3}). Priors: {}. Intervals are the 2.5% and \
         97.5% weighted quantiles of the {} kept particles.\n",
        f.abc.particles,
        f.abc.keep,
        f.abc.particles - f.abc.keep,
        f.generations.len(),
        if last.index >= f.abc.max_generations && last.acceptance > f.abc.min_acceptance {
            "at the most generations allowed"
        } else {
            "when the acceptance fell to the threshold"
        },
        last.acceptance,
        last.tolerance,
        f.priors_file,
        last.kept.len(),
    );
    let _ = writeln!(
        s,
        "| parameter | prior | scenario value | posterior mean | sd | 95% interval | median |\n|---|---|---|---|---|---|---|"
    );
    for p in &f.posterior {
        let _ = writeln!(
            s,
            "| `{}` | {} [{}, {}] | {} | {} | {} | {} to {} | {} |",
            p.prior.key,
            p.prior.shape(),
            sig(p.prior.min),
            sig(p.prior.max),
            sig(p.scenario_value),
            sig(p.mean),
            sig(p.sd),
            sig(p.low),
            sig(p.high),
            sig(p.median)
        );
    }
    let _ = writeln!(
        s,
        "\nPairwise correlations of the posterior (in the fit's coordinates: ln of a log-uniform parameter); \
         a strong correlation means the targets identify a combination of the two, not each alone:\n"
    );
    let _ = writeln!(s, "| parameter | parameter | correlation |\n|---|---|---|");
    for &(i, j, r) in &f.correlations {
        let _ = writeln!(s, "| `{}` | `{}` | {:+.2} |", f.priors[i].key, f.priors[j].key, r);
    }
    let _ = writeln!(s, "\n| generation | simulations | tolerance | acceptance |\n|---|---|---|---|");
    for g in &f.generations {
        let _ =
            writeln!(s, "| {} | {} | {:.3} | {:.3} |", g.index, g.proposed.len(), g.tolerance, g.acceptance);
    }
    let _ = writeln!(s);
}

/// Writes every file of a fit into `dir` (its generations are there already), the manifest last.
pub(super) fn write_fit(dir: &Path, f: &Fit) -> Result<(), OutputError> {
    let c = &f.calibration;
    write_common(dir, c, &markdown(c, Some(f)))?;
    scslab_output::write_text(dir, "priors.toml", &f.priors_text)?;
    let rows = &f.posterior;
    let mut t = Table::new("posterior");
    t.push("parameter", ColumnData::Str(rows.iter().map(|r| r.prior.key.clone()).collect()));
    t.push("prior", ColumnData::Str(rows.iter().map(|r| r.prior.shape().to_string()).collect()));
    t.push("prior_min", ColumnData::F64(rows.iter().map(|r| r.prior.min).collect()));
    t.push("prior_max", ColumnData::F64(rows.iter().map(|r| r.prior.max).collect()));
    t.push("scenario_value", ColumnData::F64(rows.iter().map(|r| r.scenario_value).collect()));
    t.push("mean", ColumnData::F64(rows.iter().map(|r| r.mean).collect()));
    t.push("sd", ColumnData::F64(rows.iter().map(|r| r.sd).collect()));
    t.push("ci_low", ColumnData::F64(rows.iter().map(|r| r.low).collect()));
    t.push("median", ColumnData::F64(rows.iter().map(|r| r.median).collect()));
    t.push("ci_high", ColumnData::F64(rows.iter().map(|r| r.high).collect()));
    scslab_output::write_table(dir, &t)?;
    let mut t = Table::new("correlations");
    let key = |i: usize| f.priors[i].key.clone();
    t.push("parameter_a", ColumnData::Str(f.correlations.iter().map(|&(i, _, _)| key(i)).collect()));
    t.push("parameter_b", ColumnData::Str(f.correlations.iter().map(|&(_, j, _)| key(j)).collect()));
    t.push("correlation", ColumnData::F64(f.correlations.iter().map(|&(_, _, r)| r).collect()));
    scslab_output::write_table(dir, &t)?;
    scslab_output::write_table(dir, &particles_table(f))?;
    let last = &f.generations[f.generations.len() - 1];
    let mut m = manifest(c);
    m["method"] = serde_json::json!("abc-smc");
    m["repeat"] = serde_json::json!(repeat_fit(f));
    m["priors"] = serde_json::json!(f.priors_file);
    m["parameters"] = serde_json::json!(f.priors.iter().map(|p| p.key.clone()).collect::<Vec<_>>());
    m["particles"] = serde_json::json!(f.abc.particles);
    m["keep"] = serde_json::json!(f.abc.keep);
    m["min_acceptance"] = serde_json::json!(f.abc.min_acceptance);
    m["max_generations"] = serde_json::json!(f.abc.max_generations);
    m["generations"] = serde_json::json!(f.generations.len());
    m["simulations"] = serde_json::json!(f.generations.iter().map(|g| g.proposed.len()).sum::<usize>());
    m["tolerance"] = serde_json::json!(last.tolerance);
    m["acceptance"] = serde_json::json!(last.acceptance);
    m["predictive_runs"] = serde_json::json!(f.predictive.len());
    m["fingerprint"] = serde_json::json!(f.fingerprint);
    m["outputs"] = serde_json::json!([
        "calibration",
        "trajectory",
        "posterior",
        "correlations",
        "particles",
        "calibration.md",
        "scenario.toml",
        "targets.csv",
        "priors.toml",
        "generation-NNN.json"
    ]);
    scslab_output::write_json(dir, "manifest.json", &m)
}

/// Every particle simulated, by generation, in the key's units, with whether it is in the
/// final posterior.
fn particles_table(f: &Fit) -> Table {
    let last = &f.generations[f.generations.len() - 1];
    let in_posterior = |p: &Particle| last.kept.iter().any(|k| k.generation == p.generation && k.z == p.z);
    let all: Vec<(usize, &Particle)> =
        f.generations.iter().flat_map(|g| g.proposed.iter().enumerate()).collect();
    let mut t = Table::new("particles");
    t.push("generation", ColumnData::U32(all.iter().map(|(_, p)| p.generation).collect()));
    t.push("index", ColumnData::U32(all.iter().map(|&(i, _)| i as u32).collect()));
    t.push("distance", ColumnData::F64(all.iter().map(|(_, p)| p.distance).collect()));
    t.push("weight", ColumnData::F64(all.iter().map(|(_, p)| p.weight).collect()));
    t.push("posterior", ColumnData::Str(all.iter().map(|(_, p)| yes_no(in_posterior(p))).collect()));
    for (j, prior) in f.priors.iter().enumerate() {
        t.push(&prior.key, ColumnData::F64(all.iter().map(|(_, p)| prior.value(p.z[j])).collect()));
    }
    t
}

/// The file of generation `index`.
pub(super) fn generation_file(index: u32) -> String {
    format!("generation-{index:03}.json")
}

fn bits(xs: &[f64]) -> serde_json::Value {
    serde_json::json!(xs.iter().map(|x| x.to_bits()).collect::<Vec<u64>>())
}

fn particle_json(p: &Particle) -> serde_json::Value {
    serde_json::json!({
        "generation": p.generation,
        "z": bits(&p.z),
        "weight": p.weight.to_bits(),
        "distance": p.distance.to_bits(),
        "outputs": bits(&p.outputs),
        "z_readable": p.z,
        "distance_readable": if p.distance.is_finite() { serde_json::json!(p.distance) } else { serde_json::Value::Null },
    })
}

/// Writes a finished generation (values as their bits, so that a resumed fit continues
/// exactly; a readable copy beside them).
pub(super) fn generation(dir: &Path, g: &Generation, print: &str) -> Result<(), OutputError> {
    let v = serde_json::json!({
        "fingerprint": print,
        "index": g.index,
        "tolerance": g.tolerance.to_bits(),
        "acceptance": g.acceptance.to_bits(),
        "proposed": g.proposed.iter().map(particle_json).collect::<Vec<_>>(),
        "kept": g.kept.iter().map(particle_json).collect::<Vec<_>>(),
    });
    scslab_output::write_json(dir, &generation_file(g.index), &v)
}

/// A generation read back; `None` if anything is missing or of the wrong type.
pub(super) fn parse_generation(v: &serde_json::Value) -> Option<Generation> {
    let f = |v: &serde_json::Value| v.as_u64().map(f64::from_bits);
    let fs = |v: &serde_json::Value| -> Option<Vec<f64>> { v.as_array()?.iter().map(f).collect() };
    let particle = |p: &serde_json::Value| -> Option<Particle> {
        Some(Particle {
            z: fs(p.get("z")?)?,
            weight: f(p.get("weight")?)?,
            distance: f(p.get("distance")?)?,
            outputs: fs(p.get("outputs")?)?,
            generation: u32::try_from(p.get("generation")?.as_u64()?).ok()?,
        })
    };
    let particles =
        |key: &str| -> Option<Vec<Particle>> { v.get(key)?.as_array()?.iter().map(particle).collect() };
    Some(Generation {
        index: u32::try_from(v.get("index")?.as_u64()?).ok()?,
        proposed: particles("proposed")?,
        kept: particles("kept")?,
        tolerance: f(v.get("tolerance")?)?,
        acceptance: f(v.get("acceptance")?)?,
    })
}
