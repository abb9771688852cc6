//! The comparison's files: `equivalence.csv`/`.parquet` (one row per headline and per series
//! day), `equivalence_series.csv`/`.parquet` (one row per series), each scenario's two variants
//! as run (`scenario-NAME-a.toml`, `-b.toml`), `equivalence.md` (the table for
//! docs/VALIDATION.md) and `manifest.json`, written last. Every file goes through
//! `scslab-output` (temporary file, rename).

use std::fmt::Write as _;
use std::path::Path;

use scslab_output::{ColumnData, OutputError, Table};

use super::{
    ALLOWANCE_QUANTILE, CHANCE_FAILURE, Equivalence, GROSS_RATIO, MAX_AUTOCORRELATION, MIN_SPLITS,
    RELATIVE_TOLERANCE, Row, SPARSE_EVENTS, SeriesRow, Status, Verdict, permutation_splits,
};
use crate::format::{NA, number};

/// Writes every file into `dir`, the manifest last.
pub(super) fn write(dir: &Path, e: &Equivalence) -> Result<(), OutputError> {
    scslab_output::prepare_dir(dir)?;
    scslab_output::write_table(dir, &rows_table(&e.rows))?;
    scslab_output::write_table(dir, &series_table(&e.series))?;
    for p in &e.pairs {
        scslab_output::write_text(dir, &scenario_file(&p.a.name, 'a'), &p.a.text)?;
        scslab_output::write_text(dir, &scenario_file(&p.a.name, 'b'), &p.b.text)?;
    }
    scslab_output::write_text(dir, "equivalence.md", &markdown(e))?;
    let manifest = serde_json::json!({
        "scslab_version": env!("CARGO_PKG_VERSION"),
        "kind": "equivalence",
        "scenarios": e.pairs.iter().map(|p| serde_json::json!({
            "name": p.a.name,
            "origin": p.a.origin,
            "variant_a": scenario_file(&p.a.name, 'a'),
            "variant_b": scenario_file(&p.a.name, 'b'),
        })).collect::<Vec<_>>(),
        "sets": e.settings.iter().map(|s| serde_json::json!({"key": s.key, "value": s.value})).collect::<Vec<_>>(),
        "people": e.people,
        "days": e.days,
        "seeds_per_variant": e.seeds_a.len(),
        "seeds_a": e.seeds_a,
        "seeds_b": e.seeds_b,
        "criterion": {
            "relative_tolerance": RELATIVE_TOLERANCE,
            "chance_failure": CHANCE_FAILURE,
            "allowance_quantile": ALLOWANCE_QUANTILE,
            "gross_ratio": GROSS_RATIO,
            "headline_allowance": if permutation_splits(e.seeds_a.len(), e.seeds_b.len()) >= MIN_SPLITS {
                "permutation"
            } else {
                "binomial"
            },
            "permutation_splits": permutation_splits(e.seeds_a.len(), e.seeds_b.len()),
            "sparse_events_per_day": SPARSE_EVENTS,
            "max_autocorrelation": MAX_AUTOCORRELATION,
        },
        "verdict": e.verdict.key(),
        "verdicts": e.scenarios.iter().map(|v| serde_json::json!({
            "scenario": v.scenario,
            "verdict": v.verdict.key(),
            "headlines_compared": v.headlines.compared,
            "headlines_failed": v.headlines.failed,
            "headlines_failed_grossly": v.headlines.gross,
            "headlines_undefined": v.headlines.undefined,
            "headlines_expected_by_chance": v.headlines.expected,
            "headlines_allowed": v.headlines.allowed,
            "series_compared": v.series_compared,
            "series_failed": v.series_failed,
            "series_undefined": v.series_undefined,
        })).collect::<Vec<_>>(),
        "workers": e.workers,
        "timings_seconds": {"wall": e.wall_seconds, "simulate_summed_over_runs": e.simulate_seconds},
        "command": e.command,
        "outputs": ["equivalence", "equivalence_series", "equivalence.md"],
        "formats": ["csv", "parquet"],
    });
    scslab_output::write_json(dir, "manifest.json", &manifest)
}

fn scenario_file(name: &str, variant: char) -> String {
    format!("scenario-{name}-{variant}.toml")
}

fn rows_table(rows: &[Row]) -> Table {
    let f = |g: fn(&Row) -> f64| ColumnData::F64(rows.iter().map(g).collect());
    let mut t = Table::new("equivalence");
    t.push("preset", ColumnData::Str(rows.iter().map(|r| r.scenario.clone()).collect()));
    t.push("outcome", ColumnData::Str(rows.iter().map(|r| r.outcome.clone()).collect()));
    t.push(
        "day",
        ColumnData::Str(rows.iter().map(|r| r.day.map_or(String::new(), |d| d.to_string())).collect()),
    );
    t.push("days", ColumnData::U32(rows.iter().map(|r| r.days).collect()));
    t.push("mean_a", f(|r| r.comparison.mean_a));
    t.push("mean_b", f(|r| r.comparison.mean_b));
    t.push("diff", f(|r| r.comparison.diff));
    t.push("ci_low", f(|r| r.comparison.ci_low));
    t.push("ci_high", f(|r| r.comparison.ci_high));
    t.push("tolerance", f(|r| r.comparison.tolerance));
    t.push("pass", ColumnData::Str(rows.iter().map(|r| r.comparison.status.pass_field().into()).collect()));
    // |diff| / tolerance; empty when undefined, `inf` never: an infinite ratio is written empty
    // with `pass` false and `defined_*` saying why.
    t.push("ratio", f(|r| r.comparison.ratio()));
    t.push("defined_a", ColumnData::U32(rows.iter().map(|r| r.comparison.defined_a as u32).collect()));
    t.push("defined_b", ColumnData::U32(rows.iter().map(|r| r.comparison.defined_b as u32).collect()));
    t
}

fn series_table(series: &[SeriesRow]) -> Table {
    let u = |g: fn(&SeriesRow) -> u32| ColumnData::U32(series.iter().map(g).collect());
    let mut t = Table::new("equivalence_series");
    t.push("preset", ColumnData::Str(series.iter().map(|s| s.scenario.clone()).collect()));
    t.push("series", ColumnData::Str(series.iter().map(|s| s.series.clone()).collect()));
    t.push("window", u(|s| s.verdict.window));
    t.push("periods_compared", u(|s| s.verdict.compared as u32));
    t.push("periods_failed", u(|s| s.verdict.failed as u32));
    t.push("periods_failed_grossly", u(|s| s.verdict.gross as u32));
    t.push("periods_undefined", u(|s| s.verdict.undefined as u32));
    t.push("autocorrelation", ColumnData::F64(series.iter().map(|s| s.verdict.autocorrelation).collect()));
    t.push("effective_periods", ColumnData::F64(series.iter().map(|s| s.verdict.effective).collect()));
    t.push("periods_allowed", u(|s| s.verdict.allowed as u32));
    t.push("worst_ratio", ColumnData::F64(series.iter().map(|s| s.verdict.worst_ratio).collect()));
    t.push(
        "worst_day",
        ColumnData::Str(
            series.iter().map(|s| s.verdict.worst_day.map_or(String::new(), |d| d.to_string())).collect(),
        ),
    );
    t.push("pass", ColumnData::Str(series.iter().map(|s| s.verdict.status.pass_field().into()).collect()));
    t
}

/// A ratio |diff| / tolerance, two decimals; "∞" when the tolerance is 0 or undefined.
fn ratio(x: f64) -> String {
    if x.is_infinite() {
        "∞".into()
    } else if x.is_nan() {
        NA.into()
    } else {
        format!("{x:.2}")
    }
}

fn headline_cell(r: &Row) -> String {
    let c = &r.comparison;
    match c.status {
        Status::Pass => format!("pass {}", ratio(c.ratio())),
        Status::Fail => format!("**FAIL** {}", ratio(c.ratio())),
        Status::Undefined => "n/a in both".into(),
    }
}

fn series_cell(s: &SeriesRow) -> String {
    let v = &s.verdict;
    let word = match v.status {
        Status::Pass => "pass",
        Status::Fail => "**FAIL**",
        Status::Undefined => return "n/a in both".into(),
    };
    let unit = if v.window == 1 { "days".to_string() } else { format!("{}-day windows", v.window) };
    let gross = if v.gross > 0 { format!(", {} grossly", v.gross) } else { String::new() };
    format!(
        "{word} {}/{} {unit}{gross} (≤ {}; ρ {:.2}), worst {}",
        v.failed,
        v.compared,
        v.allowed,
        v.autocorrelation,
        ratio(v.worst_ratio)
    )
}

/// The table for docs/VALIDATION.md: one row per headline and per series, one column per
/// scenario, then the verdicts.
pub(super) fn markdown(e: &Equivalence) -> String {
    let names: Vec<&str> = e.pairs.iter().map(|p| p.a.name.as_str()).collect();
    let sets: Vec<String> = e.settings.iter().map(|s| format!("`{} = {}`", s.key, s.value)).collect();
    let b = if sets.is_empty() { "the same scenario (A against A)".to_string() } else { sets.join(", ") };
    let mut md = String::new();
    let _ = writeln!(md, "### Equivalence: A = the scenario as given, B = {b}\n");
    let _ = writeln!(md, "```\n{}\n```\n", e.command);
    let (s0, n) = (e.seeds_a.first().copied().unwrap_or(0), e.seeds_a.len());
    let _ = writeln!(
        md,
        "{} people x {} days, {n} seeds per variant (A: {s0} to {}, B: {} to {}), scslab {}; \
         {:.0} s on {} workers.\n",
        number(e.people as f64),
        e.days,
        e.seeds_a.last().copied().unwrap_or(0),
        e.seeds_b.first().copied().unwrap_or(0),
        e.seeds_b.last().copied().unwrap_or(0),
        env!("CARGO_PKG_VERSION"),
        e.wall_seconds,
        e.workers
    );
    let splits = permutation_splits(e.seeds_a.len(), e.seeds_b.len());
    let chance = if splits >= MIN_SPLITS {
        format!("the number failing over {splits} splits of the pooled runs into two groups")
    } else {
        format!(
            "Binomial(m, {CHANCE_FAILURE}) over the m whose tolerance is their interval (too few runs for \
             splits of them; correlated comparisons fail together more often than this allows)"
        )
    };
    let _ = writeln!(
        md,
        "A cell is |B - A| / tolerance (below 1 passes), the tolerance being the wider of Welch's 95% \
         half-width and {}% of |A|. A headline and a series' mean over days (`mean(SERIES)`) are one \
         comparison each; some fail by chance, together when correlated: up to the {}% quantile of \
         {chance}, none by more than {} times its tolerance. A series shows its failing \
         days / days compared (an event count averaging under {} a day: windows of days summed, long \
         enough to hold {} on average), ≤ the periods chance allows (the {}% quantile of Binomial at the \
         effective number of independent periods n (1 - ρ) / (1 + ρ), ρ the runs' lag-1 autocorrelation, \
         scaled back to n) and none by more than {} times its tolerance, and its worst period's ratio.\n",
        RELATIVE_TOLERANCE * 100.0,
        ALLOWANCE_QUANTILE * 100.0,
        GROSS_RATIO,
        SPARSE_EVENTS,
        SPARSE_EVENTS,
        ALLOWANCE_QUANTILE * 100.0,
        GROSS_RATIO,
    );
    let _ = writeln!(md, "| outcome | kind | {} |", names.join(" | "));
    let _ = writeln!(md, "|---|---|{}", "---|".repeat(names.len()));
    let mut headlines: Vec<&str> = Vec::new();
    for r in e.rows.iter().filter(|r| r.day.is_none()) {
        if !headlines.contains(&r.outcome.as_str()) {
            headlines.push(&r.outcome);
        }
    }
    for h in headlines {
        let cells: Vec<String> = names
            .iter()
            .map(|n| {
                e.rows
                    .iter()
                    .find(|r| r.day.is_none() && r.scenario == *n && r.outcome == h)
                    .map_or("–".into(), headline_cell)
            })
            .collect();
        let kind = if h.starts_with("mean(") { "mean over days" } else { "headline" };
        let _ = writeln!(md, "| {h} | {kind} | {} |", cells.join(" | "));
    }
    let mut series: Vec<&str> = Vec::new();
    for s in &e.series {
        if !series.contains(&s.series.as_str()) {
            series.push(&s.series);
        }
    }
    for name in series {
        let cells: Vec<String> = names
            .iter()
            .map(|n| {
                e.series.iter().find(|s| s.scenario == *n && s.series == name).map_or("–".into(), series_cell)
            })
            .collect();
        let _ = writeln!(md, "| {name} | daily | {} |", cells.join(" | "));
    }
    let headline_summary: Vec<String> = e
        .scenarios
        .iter()
        .map(|v| {
            let h = &v.headlines;
            let gross = if h.gross > 0 { format!(", {} grossly", h.gross) } else { String::new() };
            format!(
                "{} of {} failed{gross} ({:.1} expected by chance, ≤ {} allowed)",
                h.failed, h.compared, h.expected, h.allowed
            )
        })
        .collect();
    let _ = writeln!(md, "| **headlines and means** | | {} |", headline_summary.join(" | "));
    let series_summary: Vec<String> =
        e.scenarios.iter().map(|v| format!("{} of {} failed", v.series_failed, v.series_compared)).collect();
    let _ = writeln!(md, "| **series** | | {} |", series_summary.join(" | "));
    let verdicts: Vec<String> = e.scenarios.iter().map(|v| format!("**{}**", v.verdict.word())).collect();
    let _ = writeln!(md, "| **verdict** | | {} |", verdicts.join(" | "));
    let _ = writeln!(md, "\nOverall: **{}**.", e.verdict.word());
    let undefined: Vec<String> = e
        .rows
        .iter()
        .filter(|r| r.day.is_none() && r.comparison.status == Status::Undefined)
        .map(|r| format!("{} ({})", r.outcome, r.scenario))
        .collect();
    if !undefined.is_empty() {
        let _ = writeln!(
            md,
            "\nUndefined in every run of both variants, so not compared: {}.",
            undefined.join(", ")
        );
    }
    let partial = e
        .rows
        .iter()
        .filter(|r| {
            let c = &r.comparison;
            c.status != Status::Undefined && (c.defined_a < e.seeds_a.len() || c.defined_b < e.seeds_b.len())
        })
        .count();
    if partial > 0 {
        let _ = writeln!(
            md,
            "\n{partial} rows of equivalence.csv are undefined in some runs (compared over the defined ones; \
             `defined_a`, `defined_b` count them)."
        );
    }
    if e.verdict == Verdict::PassWithinChance {
        let _ =
            writeln!(md, "\nThe failing headlines are marked **FAIL** above: look at them before accepting.");
    }
    md
}
