//! The HTML page: header from the manifest, headline table, chart sections, the scenario as run.
//! One file with its style sheet inline and no scripts, fonts or external references.

use std::fmt::Write;

use std::path::Path;

use crate::charts::Section;
use crate::folder::{Folder, Manifest, RunFolder};
use crate::format;
use crate::headline;
use crate::outcomes;
use crate::svg::escape;
use crate::sweep::{DesignKind, ParameterRange, SweepFolder};

pub(crate) const STYLE: &str = "\
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;color:#1a1a1a;background:#fff}\
main{max-width:800px;margin:0 auto;padding:16px 20px 48px}\
h1{font-size:1.6em;margin:.6em 0 .2em}h2{font-size:1.25em;margin:1.8em 0 .4em;border-bottom:1px solid #ddd}\
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:.6em 0}dt{color:#555}dd{margin:0}\
code,pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em}pre{background:#f6f6f6;padding:8px;overflow-x:auto}\
table{border-collapse:collapse;width:100%;font-size:.92em}th,td{padding:3px 6px;border-bottom:1px solid #eee;text-align:left}\
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}\
figure{margin:1.2em 0}figcaption{color:#444;font-size:.92em}ul.notes{color:#8a4b00;font-size:.88em;margin:.3em 0}\
svg.chart{max-width:100%;height:auto;font-size:11px}svg .title{font-size:14px;font-weight:600}\
svg .grid{stroke:#e6e6e6}svg .axis{stroke:#888}svg .tick,svg .value{fill:#555}svg .axis-label{fill:#333}\
svg .category,svg .legend{fill:#222}svg .no-data{fill:#8a4b00}\
p.lede{color:#444}footer{margin-top:3em;color:#777;font-size:.85em}";

/// Renders the whole page.
pub(crate) fn page(folder: &Folder, sections: &[Section]) -> String {
    let (run, against) = match folder {
        Folder::Run(run) => (&**run, None),
        Folder::Comparison { run, against, comparison } => (&**run, Some((&**against, comparison))),
        Folder::Sweep(sweep) => return sweep_page(sweep, sections),
    };
    let m = &run.manifest;
    let title = match against {
        None => format!("scslab report: {}", m.scenario),
        Some((a, _)) => format!("scslab report: {} vs {}", m.scenario, a.manifest.scenario),
    };
    let mut out = open_page(&title);
    let against_name = against.map(|(a, _)| a.manifest.scenario.as_str());
    let rows = headline::rows(&run.summary, against.map(|(_, c)| c));
    let _ = writeln!(out, "<h1>{}</h1>", escape(&title));
    if let Some(rows) = &rows {
        headline::findings(&mut out, rows, m, against_name);
    }
    header(&mut out, run, against.map(|a| a.0));
    headline::table(&mut out, run, rows.as_deref(), against_name);
    for section in sections {
        let lede = match (against, section.id.as_str()) {
            (Some((a, _)), "over-time") => Some(format!(
                "Solid lines: {}; dashed lines in the same colour: {} (same population, same random \
                 streams).",
                m.scenario, a.manifest.scenario
            )),
            _ => section.lede.clone(),
        };
        write_section(&mut out, section, lede.as_deref());
    }
    scenario_text(&mut out, m);
    close_page(&mut out, &run.dir);
    out
}

/// The document head, with the style sheet, and the opening of `<main>`.
fn open_page(title: &str) -> String {
    let mut out = String::with_capacity(256 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n",
        escape(title)
    );
    out
}

/// The footer naming the folder, and the end of the document.
fn close_page(out: &mut String, dir: &Path) {
    let _ = write!(
        out,
        "<footer>Written by <code>scslab report</code> from <code>{}</code>. The page is self-contained: \
         no scripts, fonts or other files are loaded.</footer>\n</main>\n</body>\n</html>\n",
        escape(&dir.display().to_string())
    );
}

/// A section: heading, lede and figures (each a chart, or a line saying it was not drawn, with
/// its caption and notes).
fn write_section(out: &mut String, section: &Section, lede: Option<&str>) {
    let _ = write!(out, "<section id=\"{}\">\n<h2>{}</h2>\n", escape(&section.id), escape(&section.title));
    if let Some(lede) = lede {
        let _ = writeln!(out, "<p class=\"lede\">{}</p>", escape(lede));
    }
    for figure in &section.figures {
        let _ = writeln!(out, "<figure id=\"fig-{}\">", escape(&figure.id));
        match &figure.svg {
            Some(svg) => out.push_str(svg),
            None => {
                let _ = write!(
                    out,
                    "<p><strong>{}</strong>: not drawn: the outcome is undefined (n/a) wherever it \
                     would be drawn, for example a share of sanctions in runs without any.</p>",
                    escape(&figure.title)
                );
            }
        }
        let _ = write!(out, "\n<figcaption>{}</figcaption>\n", escape(&figure.caption));
        if !figure.notes.is_empty() {
            out.push_str("<ul class=\"notes\">");
            for note in &figure.notes {
                let _ = write!(out, "<li>{}</li>", escape(note));
            }
            out.push_str("</ul>\n");
        }
        out.push_str("</figure>\n");
    }
    out.push_str("</section>\n");
}

fn header(out: &mut String, run: &RunFolder, against: Option<&RunFolder>) {
    let m = &run.manifest;
    out.push_str("<header id=\"header\">\n<h2>The run</h2>\n<dl>\n");
    let mut row = |name: &str, value: String| {
        let _ = writeln!(out, "<dt>{}</dt><dd>{value}</dd>", escape(name));
    };
    let origin = m.origin.as_deref().map(|o| format!(" ({})", escape(o))).unwrap_or_default();
    row("scenario", format!("<strong id=\"scenario-name\">{}</strong>{origin}", escape(&m.scenario)));
    if let Some(a) = against {
        let dir = a.dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        row(
            "compared with",
            format!(
                "<strong id=\"against-name\">{}</strong> (in <code>{}/</code>), common random numbers",
                escape(&a.manifest.scenario),
                escape(&dir)
            ),
        );
    }
    row("people", format!("{} (a synthetic sample)", format::count(m.people as f64)));
    if let Some(firms) = m.firms {
        row("firms", format::count(firms as f64));
    }
    let days = match outcomes::start_date(m.scenario_text.as_deref()) {
        Some(start) => {
            let day0 = outcomes::days_from_civil(start);
            let last = outcomes::civil_from_days(day0 + m.days.saturating_sub(1) as i64);
            format!(
                "{} ({} to {})",
                format::count(m.days as f64),
                outcomes::date_text(start),
                outcomes::date_text(last)
            )
        }
        None => format::count(m.days as f64),
    };
    row("days", days);
    row("seed", m.seed.to_string());
    row("scslab version", escape(&m.version));
    if let Some(threads) = m.threads {
        row("threads", format!("{threads} (results do not depend on it)"));
    }
    if let Some(command) = &m.command {
        row("command", format!("<code>{}</code>", escape(command)))
    }
    let repeat = match against {
        // Comparisons written since issue 12 name their counterfactual in the manifest's command.
        _ if m.repeat.contains("--against") => m.repeat.clone(),
        None => m.repeat.clone(),
        Some(a) => {
            let dir = a.dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            format!("{} --against {dir}/scenario.toml", m.repeat)
        }
    };
    row(
        "repeat the run",
        format!("<code id=\"repeat\">{}</code> (from inside the output folder)", escape(&repeat)),
    );
    out.push_str("</dl>\n</header>\n");
}

fn scenario_text(out: &mut String, m: &Manifest) {
    if let Some(text) = &m.scenario_text {
        let _ = write!(
            out,
            "<section id=\"scenario\">\n<h2>Scenario as run</h2>\n<details><summary>scenario.toml</summary>\
             <pre>{}</pre></details>\n</section>\n",
            escape(text)
        );
    }
}

/// Renders the page of a sweep: its design, the headline summary, the response charts and the
/// series over time.
fn sweep_page(sweep: &SweepFolder, sections: &[Section]) -> String {
    let title = format!("scslab report: sweep {}", sweep.manifest.name);
    let mut out = open_page(&title);
    let _ = writeln!(out, "<h1>{}</h1>", escape(&title));
    sweep_findings(&mut out, sweep);
    sweep_header(&mut out, sweep);
    design(&mut out, sweep);
    sweep_summary(&mut out, sweep);
    for section in sections {
        write_section(&mut out, section, section.lede.as_deref());
    }
    if let Some(text) = &sweep.manifest.text {
        let _ = write!(
            out,
            "<section id=\"sweep-file\">\n<h2>Sweep file as run</h2>\n<details><summary>sweep file</summary>\
             <pre>{}</pre></details>\n</section>\n",
            escape(text)
        );
    }
    close_page(&mut out, &sweep.dir);
    out
}

fn sweep_header(out: &mut String, sweep: &SweepFolder) {
    let m = &sweep.manifest;
    out.push_str("<header id=\"header\">\n<h2>The sweep</h2>\n<dl>\n");
    let mut row = |name: &str, value: String| {
        let _ = writeln!(out, "<dt>{}</dt><dd>{value}</dd>", escape(name));
    };
    row("sweep", format!("<strong id=\"sweep-name\">{}</strong>", escape(&m.name)));
    if let Some(description) = &m.description {
        row("description", escape(description));
    }
    let scenarios: Vec<String> = m
        .scenarios
        .iter()
        .map(|s| {
            let origin = s.origin.as_deref().map(|o| format!(" ({})", escape(o))).unwrap_or_default();
            format!("{}{origin}", escape(&s.name))
        })
        .collect();
    row("scenarios", format!("{} (the first is the baseline of the differences)", scenarios.join(", ")));
    row("people", format!("{} per run (a synthetic sample)", format::count(m.people as f64)));
    row("days", format::count(m.days as f64));
    row("replications", m.replications.to_string());
    row("base seed", m.seed.to_string());
    let streams = match m.streams.as_str() {
        "common" => "common random numbers (every scenario and design point of a replication share its seed)",
        "independent" => "independent (each scenario has its own seeds)",
        other => other,
    };
    row("random numbers", escape(streams));
    let runs = m.scenarios.len() as u64 * m.points.len() as u64 * m.replications;
    row(
        "runs",
        format!(
            "{} ({} scenarios × {} design points × {} replications)",
            format::count(runs as f64),
            m.scenarios.len(),
            m.points.len(),
            m.replications
        ),
    );
    row("scslab version", escape(&m.version));
    if let Some(command) = &m.command {
        row("command", format!("<code>{}</code>", escape(command)));
    }
    out.push_str("</dl>\n</header>\n");
}

/// The design: the parameters with their values or intervals, and every design point.
fn design(out: &mut String, sweep: &SweepFolder) {
    let m = &sweep.manifest;
    out.push_str("<section id=\"design\">\n<h2>Design</h2>\n");
    let kind = match m.design {
        DesignKind::Grid => {
            format!("A grid: every combination of the values below, {} design points.", m.points.len())
        }
        DesignKind::LatinHypercube { samples, seed } => format!(
            "A Latin hypercube of {samples} design points over the intervals below{}.",
            seed.map(|s| format!(" (sample seed {s})")).unwrap_or_default()
        ),
        DesignKind::Morris { trajectories, levels } => format!(
            "Morris elementary effects: {trajectories} trajectories on a grid of {levels} levels over the intervals below, {} design points.",
            m.points.len()
        ),
        DesignKind::Sobol { samples } => format!(
            "Sobol' indices by Saltelli's scheme: {samples} base rows over the intervals below, {} design points.",
            m.points.len()
        ),
    };
    let _ = writeln!(out, "<p>{}</p>", escape(&kind));
    if m.parameters.is_empty() {
        out.push_str("<p>No parameter is swept: one design point per scenario.</p>\n</section>\n");
        return;
    }
    out.push_str(
        "<table id=\"design-table\">\n<thead><tr><th>parameter</th><th>key</th><th>values</th><th>applies to</th></tr></thead>\n<tbody>\n",
    );
    for p in &m.parameters {
        let values = match &p.range {
            ParameterRange::Values(v) => v.iter().map(|x| format::number(*x)).collect::<Vec<_>>().join(", "),
            ParameterRange::Interval { min, max } => {
                format!("from {} to {}", format::number(*min), format::number(*max))
            }
        };
        let whole = if p.integer { " (whole numbers)" } else { "" };
        let applies =
            if p.applies_to.is_empty() { "every scenario".to_string() } else { p.applies_to.join(", ") };
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td><code>{}</code></td><td>{}{whole}</td><td>{}</td></tr>",
            escape(&outcomes::parameter(&p.key)),
            escape(&p.key),
            escape(&values),
            escape(&applies)
        );
    }
    out.push_str("</tbody>\n</table>\n");
    let _ = write!(
        out,
        "<details><summary>{} design points</summary>\n<table id=\"points-table\">\n<thead><tr><th class=\"num\">point</th>",
        m.points.len()
    );
    for p in &m.parameters {
        let _ = write!(out, "<th class=\"num\">{}</th>", escape(&outcomes::parameter(&p.key)));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for (i, point) in m.points.iter().enumerate() {
        let _ = write!(out, "<tr><td class=\"num\">{i}</td>");
        for v in point {
            let _ = write!(out, "<td class=\"num\">{}</td>", format::number(*v));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</details>\n</section>\n");
}

/// The headline summary from `summary.csv`, grouped by outcome: each scenario's mean at each
/// design point and each difference from the baseline, with its 95% interval, in the outcome's
/// unit.
fn sweep_summary(out: &mut String, sweep: &SweepFolder) {
    let m = &sweep.manifest;
    let rows = &sweep.summary;
    out.push_str("<section id=\"summary\">\n<h2>Headline summary</h2>\n");
    let _ = writeln!(
        out,
        "<p>From summary.csv: for each outcome, each scenario's mean over the {} replications at each \
         design point, and each scenario's difference from the first (paired by replication with common \
         random numbers, Welch's interval otherwise), with 95% intervals (Student t). An interval needs \
         at least two replications: with one it is n/a.</p>",
        m.replications
    );
    let mut keys: Vec<&str> = Vec::new();
    for r in rows {
        if !keys.contains(&r.outcome.as_str()) {
            keys.push(&r.outcome);
        }
    }
    let _ = write!(
        out,
        "<details><summary>{} rows</summary>\n<table id=\"summary-table\">\n<thead><tr><th>outcome</th>\
         <th>estimate</th><th class=\"num\">point</th>",
        format::count(rows.len() as f64)
    );
    for p in &m.parameters {
        let _ = write!(out, "<th class=\"num\">{}</th>", escape(&outcomes::parameter(&p.key)));
    }
    out.push_str("<th class=\"num\">n</th><th class=\"num\">mean</th><th class=\"num\">95% interval</th></tr></thead>\n<tbody>\n");
    for key in keys {
        for r in rows.iter().filter(|r| r.outcome == key) {
            let unit = outcomes::unit(key, r.unit.as_deref());
            let difference = r.kind == "difference";
            let estimate =
                if difference { format!("{} − {}", r.scenario, r.baseline) } else { r.scenario.clone() };
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td>",
                escape(&outcomes::name(key, None)),
                escape(&estimate),
                format::number(r.point)
            );
            let point = usize::try_from(r.point as u64).ok().and_then(|p| m.points.get(p));
            for j in 0..m.parameters.len() {
                let v = point.and_then(|p| p.get(j)).map_or_else(|| "?".to_string(), |v| format::number(*v));
                let _ = write!(out, "<td class=\"num\">{v}</td>");
            }
            let mean =
                if difference { outcomes::difference(r.mean, unit) } else { outcomes::value(r.mean, unit) };
            let _ = writeln!(
                out,
                "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                format::count(r.n),
                escape(&mean),
                escape(&outcomes::interval(r.ci_low, r.ci_high, unit, difference))
            );
        }
    }
    out.push_str("</tbody>\n</table>\n</details>\n</section>\n");
}

/// A design point in words: "fear perception 2, detection of criticism by national score 0.4".
pub(crate) fn point_words(sweep: &SweepFolder, point: f64) -> String {
    let m = &sweep.manifest;
    let Some(values) = usize::try_from(point as u64).ok().and_then(|p| m.points.get(p)) else {
        return format!("design point {}", format::number(point));
    };
    let varying: Vec<String> = m
        .parameters
        .iter()
        .enumerate()
        .filter(|(j, _)| sweep.values_of(*j).len() > 1)
        .map(|(j, p)| format!("{} {}", outcomes::parameter(&p.key).to_lowercase(), format::number(values[j])))
        .collect();
    if varying.is_empty() { "the single design point".to_string() } else { varying.join(", ") }
}

/// The findings that open a sweep's page: for the outcomes whose paired difference from the
/// baseline is largest relative to their level, the difference at the design points where it
/// is smallest and largest, with 95% intervals.
fn sweep_findings(out: &mut String, sweep: &SweepFolder) {
    let m = &sweep.manifest;
    let rows = &sweep.summary;
    out.push_str("<section id=\"findings\">\n<h2>Main findings</h2>\n");
    let Some(baseline) = m.scenarios.first() else {
        out.push_str("<p>The sweep has no scenario.</p>\n</section>\n");
        return;
    };
    let _ = writeln!(
        out,
        "<p class=\"lede\">Each scenario against <strong>{}</strong>, in synthetic samples of {} people \
         over {} days, {} replications per design point. A difference is paired: each replication runs \
         both scenarios on the same people with the same random numbers, so the 95% interval is that of \
         the difference itself. The outcomes shown differ most relative to their level.</p>",
        escape(&baseline.name),
        format::count(m.people as f64),
        format::count(m.days as f64),
        m.replications
    );
    // (relative size, outcome, scenario, rows of its differences)
    let mut candidates: Vec<(f64, &str, &str, Vec<&crate::sweep::SummaryRow>)> = Vec::new();
    for r in rows.iter().filter(|r| r.kind == "difference") {
        if candidates.iter().any(|c| c.1 == r.outcome && c.2 == r.scenario) {
            continue;
        }
        let diffs: Vec<&crate::sweep::SummaryRow> = rows
            .iter()
            .filter(|d| d.kind == "difference" && d.outcome == r.outcome && d.scenario == r.scenario)
            .filter(|d| d.mean.is_finite())
            .collect();
        let level = |scenario: &str, point: f64| {
            rows.iter()
                .find(|x| {
                    x.kind == "mean" && x.scenario == scenario && x.outcome == r.outcome && x.point == point
                })
                .map_or(f64::NAN, |x| x.mean.abs())
        };
        let size = diffs
            .iter()
            .filter_map(|d| {
                let scale = level(&d.scenario, d.point).max(level(&d.baseline, d.point));
                (scale > 0.0 && d.mean != 0.0).then(|| d.mean.abs() / scale)
            })
            .fold(f64::NAN, f64::max);
        if size.is_finite() {
            candidates.push((size, &r.outcome, &r.scenario, diffs));
        }
    }
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0));
    if candidates.is_empty() {
        out.push_str("<p id=\"no-findings\">No outcome differs from the baseline at any design point.</p>\n");
    }
    out.push_str("<ol id=\"findings-list\">\n");
    for (_, outcome, scenario, diffs) in candidates.into_iter().take(headline::FINDINGS) {
        let unit = outcomes::unit(outcome, diffs[0].unit.as_deref());
        let at = |d: &crate::sweep::SummaryRow| {
            format!(
                "{} (95% interval {})",
                outcomes::difference(d.mean, unit),
                outcomes::interval(d.ci_low, d.ci_high, unit, true)
            )
        };
        let lo = diffs.iter().min_by(|a, b| a.mean.total_cmp(&b.mean)).copied();
        let hi = diffs.iter().max_by(|a, b| a.mean.total_cmp(&b.mean)).copied();
        let text = match (lo, hi) {
            (Some(lo), Some(hi)) if diffs.len() > 1 && lo.point != hi.point => format!(
                "{scenario} minus {}: from {} at {} to {} at {}.",
                baseline.name,
                at(lo),
                point_words(sweep, lo.point),
                at(hi),
                point_words(sweep, hi.point)
            ),
            (Some(d), _) => format!("{scenario} minus {}: {}.", baseline.name, at(d)),
            _ => continue,
        };
        let _ = writeln!(
            out,
            "<li data-outcome=\"{}\"><strong>{}</strong>: {}</li>",
            escape(outcome),
            escape(&outcomes::name(outcome, None)),
            escape(&text)
        );
    }
    out.push_str("</ol>\n</section>\n");
}
