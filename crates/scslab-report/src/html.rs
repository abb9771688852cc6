//! The HTML page: header from the manifest, headline table, chart sections, the scenario as run.
//! One file with its style sheet inline and no scripts, fonts or external references.

use std::fmt::Write;

use std::path::Path;

use crate::charts::Section;
use crate::csv::CsvTable;
use crate::folder::{Folder, Manifest, RunFolder};
use crate::svg::{escape, format_value};
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
    header(&mut out, &title, run, against.map(|a| a.0));
    headlines(&mut out, run, against.map(|(a, c)| (c, a.manifest.scenario.as_str())));
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
                let _ = write!(out, "<p><strong>{}</strong>: not drawn.</p>", escape(&figure.title));
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

fn header(out: &mut String, title: &str, run: &RunFolder, against: Option<&RunFolder>) {
    let m = &run.manifest;
    let _ = write!(out, "<header id=\"header\">\n<h1>{}</h1>\n<dl>\n", escape(title));
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
    row("people", thousands(m.people));
    if let Some(firms) = m.firms {
        row("firms", thousands(firms));
    }
    row("days", m.days.to_string());
    row("seed", m.seed.to_string());
    row("scslab version", escape(&m.version));
    if let Some(threads) = m.threads {
        row("threads", format!("{threads} (results do not depend on it)"));
    }
    if let Some(command) = &m.command {
        row("command", format!("<code>{}</code>", escape(command)))
    }
    let repeat = match against {
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

/// The headline table from `summary.csv`, with the counterfactual and the difference from
/// `comparison.csv` for a comparison.
fn headlines(out: &mut String, run: &RunFolder, comparison: Option<(&CsvTable, &str)>) {
    out.push_str("<section id=\"headlines\">\n<h2>Headline outcomes</h2>\n");
    let summary = &run.summary;
    let (Some(keys), Some(labels), Ok(Some(values))) =
        (summary.strings("outcome"), summary.strings("label"), summary.numbers("value"))
    else {
        out.push_str(
            "<p class=\"notes\">summary.csv lacks the columns outcome, label and value.</p>\n</section>\n",
        );
        return;
    };
    let other = comparison.and_then(|(c, _)| {
        let keys = c.strings("outcome")?;
        let against = c.numbers("against").ok()??;
        let difference = c.numbers("difference").ok()??;
        Some((keys, against, difference))
    });
    out.push_str("<table id=\"headline-table\">\n<thead><tr><th>outcome</th>");
    match &other {
        None => out.push_str("<th class=\"num\">value</th>"),
        Some(_) => {
            let _ = write!(
                out,
                "<th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">difference</th>",
                escape(&run.manifest.scenario),
                escape(comparison.map_or("", |c| c.1))
            );
        }
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for ((key, label), value) in keys.iter().zip(&labels).zip(&values) {
        let _ = write!(
            out,
            "<tr id=\"headline-{}\"><td>{}</td><td class=\"num\">{}</td>",
            escape(key),
            escape(label),
            format_value(*value)
        );
        if let Some((keys, against, difference)) = &other {
            let (a, d) = keys
                .iter()
                .position(|k| k == key)
                .map_or((f64::NAN, f64::NAN), |i| (against[i], difference[i]));
            let _ = write!(
                out,
                "<td class=\"num\">{}</td><td class=\"num\">{}</td>",
                format_value(a),
                format_value(d)
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    if comparison.is_some() && other.is_none() {
        out.push_str(
            "<p class=\"notes\">comparison.csv lacks the columns outcome, against and difference.</p>\n",
        );
    }
    out.push_str("</section>\n");
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
    sweep_header(&mut out, &title, sweep);
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

fn sweep_header(out: &mut String, title: &str, sweep: &SweepFolder) {
    let m = &sweep.manifest;
    let _ = write!(out, "<header id=\"header\">\n<h1>{}</h1>\n<dl>\n", escape(title));
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
    row("people", thousands(m.people));
    row("days", m.days.to_string());
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
            "{runs} ({} scenarios × {} design points × {} replications)",
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
    };
    let _ = writeln!(out, "<p>{}</p>", escape(&kind));
    if m.parameters.is_empty() {
        out.push_str("<p>No parameter is swept: one design point per scenario.</p>\n</section>\n");
        return;
    }
    out.push_str(
        "<table id=\"design-table\">\n<thead><tr><th>parameter</th><th>values</th><th>applies to</th></tr></thead>\n<tbody>\n",
    );
    for p in &m.parameters {
        let values = match &p.range {
            ParameterRange::Values(v) => v.iter().map(f64::to_string).collect::<Vec<_>>().join(", "),
            ParameterRange::Interval { min, max } => format!("[{min}, {max}]"),
        };
        let whole = if p.integer { " (whole numbers)" } else { "" };
        let applies =
            if p.applies_to.is_empty() { "every scenario".to_string() } else { p.applies_to.join(", ") };
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code></td><td>{}{whole}</td><td>{}</td></tr>",
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
        let _ = write!(out, "<th class=\"num\"><code>{}</code></th>", escape(&p.key));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for (i, point) in m.points.iter().enumerate() {
        let _ = write!(out, "<tr><td class=\"num\">{i}</td>");
        for v in point {
            let _ = write!(out, "<td class=\"num\">{v}</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</details>\n</section>\n");
}

/// The headline summary from `summary.csv`, grouped by outcome: each scenario's mean at each
/// design point and each difference from the baseline, with its 95% interval.
fn sweep_summary(out: &mut String, sweep: &SweepFolder) {
    let m = &sweep.manifest;
    let rows = &sweep.summary;
    out.push_str("<section id=\"summary\">\n<h2>Headline summary</h2>\n");
    let _ = writeln!(
        out,
        "<p>From summary.csv: for each outcome, each scenario's mean over the {} replications at each \
         design point, and each scenario's difference from the first (paired by replication with common \
         random numbers, Welch's interval otherwise), with 95% intervals (Student t).</p>",
        m.replications
    );
    let mut outcomes: Vec<&str> = Vec::new();
    for r in rows {
        if !outcomes.contains(&r.outcome.as_str()) {
            outcomes.push(&r.outcome);
        }
    }
    let _ = write!(
        out,
        "<details><summary>{} rows</summary>\n<table id=\"summary-table\">\n<thead><tr><th>outcome</th>\
         <th>estimate</th><th class=\"num\">point</th>",
        rows.len()
    );
    for p in &m.parameters {
        let _ = write!(out, "<th class=\"num\"><code>{}</code></th>", escape(&p.key));
    }
    out.push_str("<th class=\"num\">n</th><th class=\"num\">mean</th><th class=\"num\">95% interval</th></tr></thead>\n<tbody>\n");
    for outcome in outcomes {
        for r in rows.iter().filter(|r| r.outcome == outcome) {
            let estimate = match r.kind.as_str() {
                "difference" => format!("{} − {}", r.scenario, r.baseline),
                _ => r.scenario.clone(),
            };
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td>",
                escape(&r.outcome),
                escape(&estimate),
                r.point
            );
            let point = usize::try_from(r.point as u64).ok().and_then(|p| m.points.get(p));
            for j in 0..m.parameters.len() {
                let v = point.and_then(|p| p.get(j)).map_or_else(|| "?".to_string(), |v| v.to_string());
                let _ = write!(out, "<td class=\"num\">{v}</td>");
            }
            let interval = if r.ci_low.is_finite() && r.ci_high.is_finite() {
                format!("[{}, {}]", format_value(r.ci_low), format_value(r.ci_high))
            } else {
                "n/a".to_string()
            };
            let _ = writeln!(
                out,
                "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{interval}</td></tr>",
                r.n,
                format_value(r.mean)
            );
        }
    }
    out.push_str("</tbody>\n</table>\n</details>\n</section>\n");
}

/// 1234567 as "1,234,567".
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    // The first group has 1 to 3 digits, every later one 3.
    let head = (digits.len() + 2) % 3 + 1;
    let mut out = digits[..head].to_string();
    for start in (head..digits.len()).step_by(3) {
        out.push(',');
        out.push_str(&digits[start..start + 3]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
