//! The report of a calibration folder (`scslab calibrate`): the simulated trajectory of each
//! quantity with its 95% band against the sourced figures, and the fit table. It reads
//! `manifest.json` (kind `calibration`), `calibration.csv`, `trajectory.csv` and `scenario.toml`.

use std::fmt::Write;
use std::path::Path;

use crate::csv::CsvTable;
use crate::svg::{Line, LineChart, escape, format_value, line_chart};
use crate::{Report, ReportError, ReportKind, read_text};

/// Whether `dir` holds a calibration: its manifest parses and declares kind `calibration`.
pub(crate) fn is_calibration(dir: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(dir.join("manifest.json")) else { return false };
    serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(|k| k == "calibration"))
        .unwrap_or(false)
}

fn column<'a>(t: &'a CsvTable, name: &'static str) -> Result<Vec<&'a str>, ReportError> {
    t.strings(name).ok_or_else(|| ReportError::Csv {
        path: t.path().to_path_buf(),
        line: 1,
        message: format!("missing column `{name}`"),
    })
}

fn numbers(t: &CsvTable, name: &'static str) -> Result<Vec<f64>, ReportError> {
    t.numbers(name)?.ok_or_else(|| ReportError::Csv {
        path: t.path().to_path_buf(),
        line: 1,
        message: format!("missing column `{name}`"),
    })
}

fn open(path: &Path) -> Result<CsvTable, ReportError> {
    if !path.exists() {
        return Err(ReportError::MissingFile {
            path: path.to_path_buf(),
            expected: "a calibration folder holds it (written by `scslab calibrate`)".into(),
        });
    }
    CsvTable::read(path)
}

/// Renders the page of a calibration folder.
pub(crate) fn render(dir: &Path) -> Result<Report, ReportError> {
    let manifest_path = dir.join("manifest.json");
    let manifest: serde_json::Value = serde_json::from_str(&read_text(&manifest_path)?)
        .map_err(|source| ReportError::Json { path: manifest_path.clone(), source })?;
    let facts = open(&dir.join("calibration.csv"))?;
    let traj = open(&dir.join("trajectory.csv"))?;
    let scenario = manifest.get("scenario").and_then(|v| v.as_str()).unwrap_or("calibration").to_string();
    let title = format!("scslab calibration: {scenario}");

    let (f_day, f_fact, f_quantity, f_source) = (
        numbers(&facts, "day")?,
        column(&facts, "fact")?,
        column(&facts, "quantity")?,
        column(&facts, "source")?,
    );
    let (f_date, f_within) = (column(&facts, "date")?, column(&facts, "within")?);
    let (f_value, f_mean, f_low, f_high) = (
        numbers(&facts, "sourced")?,
        numbers(&facts, "simulated_mean")?,
        numbers(&facts, "ci_low")?,
        numbers(&facts, "ci_high")?,
    );
    let (t_day, t_quantity) = (numbers(&traj, "day")?, column(&traj, "quantity")?);
    let (t_mean, t_low, t_high) =
        (numbers(&traj, "mean")?, numbers(&traj, "ci_low")?, numbers(&traj, "ci_high")?);

    let mut quantities: Vec<&str> = Vec::new();
    for q in &t_quantity {
        if !quantities.contains(q) {
            quantities.push(q);
        }
    }
    let mut charts = Vec::new();
    let mut figures = String::new();
    for q in &quantities {
        let rows: Vec<usize> = (0..t_quantity.len()).filter(|&i| t_quantity[i] == *q).collect();
        let x: Vec<f64> = rows.iter().map(|&i| t_day[i]).collect();
        let pick = |v: &[f64]| rows.iter().map(|&i| v[i] / 1e6).collect::<Vec<f64>>();
        let mut sourced = vec![f64::NAN; x.len()];
        for i in (0..f_quantity.len()).filter(|&i| f_quantity[i] == *q) {
            if let Some(p) = x.iter().position(|&d| d == f_day[i]) {
                sourced[p] = f_value[i] / 1e6;
            }
        }
        let id = format!("calibration-{q}");
        let chart = LineChart {
            id: id.clone(),
            title: q.replace('_', " "),
            y_label: "millions (real population)".into(),
            x,
            lines: vec![
                Line { label: "simulated mean".into(), values: pick(&t_mean), color: 0, dashed: false },
                Line { label: "95% CI low".into(), values: pick(&t_low), color: 5, dashed: true },
                Line { label: "95% CI high".into(), values: pick(&t_high), color: 5, dashed: true },
                Line { label: "sourced (FACTS.md)".into(), values: sourced, color: 1, dashed: false },
            ],
        };
        let _ = writeln!(
            figures,
            "<figure id=\"fig-{id}\">{}<figcaption>Simulated {} (mean and 95% interval over replications, \
             scaled to the real population) and the sourced figures (points). Day 0 = {}.</figcaption></figure>",
            line_chart(&chart),
            escape(&q.replace('_', " ")),
            escape(manifest.get("day0").and_then(|v| v.as_str()).unwrap_or("the list's launch"))
        );
        charts.push(id);
    }

    let mut out = String::with_capacity(128 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{}</style>\n</head>\n<body>\n<main>\n<h1>{}</h1>\n",
        escape(&title),
        crate::html::STYLE,
        escape(&title)
    );
    let field =
        |k: &str| manifest.get(k).map_or(String::new(), |v| v.to_string().trim_matches('"').to_string());
    let _ = writeln!(
        out,
        "<dl><dt>scenario</dt><dd><strong id=\"scenario-name\">{}</strong></dd><dt>people</dt><dd>{}</dd>\
         <dt>days</dt><dd>{} from {}</dd><dt>replications</dt><dd>{} (seed {})</dd>\
         <dt>scaled to</dt><dd>{} people</dd><dt>tolerance</dt><dd>{}</dd><dt>within</dt><dd id=\"within\">{} of {} facts</dd>\
         <dt>repeat</dt><dd><code>{}</code></dd></dl>",
        escape(&scenario),
        escape(&field("people")),
        escape(&field("days")),
        escape(&field("day0")),
        escape(&field("replications")),
        escape(&field("seed")),
        escape(&field("population_scaled_to")),
        escape(&field("tolerance")),
        escape(&field("within")),
        f_fact.len(),
        escape(&field("repeat"))
    );
    let _ = writeln!(
        out,
        "<p class=\"lede\">A fact is within when the sourced value lies in the simulated 95% interval \
         widened by the tolerance on each side (docs/calibration/CALIBRATION.md).</p>"
    );
    let _ = writeln!(
        out,
        "<section id=\"fit\">\n<h2>Fit</h2>\n<table id=\"fit-table\"><thead><tr><th>date</th><th>fact</th><th>quantity</th><th>source</th><th class=\"num\">sourced</th><th class=\"num\">simulated</th><th class=\"num\">95% CI</th><th>within</th></tr></thead><tbody>"
    );
    for i in 0..f_fact.len() {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{} to {}</td><td>{}</td></tr>",
            escape(f_date[i]),
            escape(f_fact[i]),
            escape(f_quantity[i]),
            escape(f_source[i]),
            format_value(f_value[i]),
            format_value(f_mean[i]),
            format_value(f_low[i]),
            format_value(f_high[i]),
            escape(f_within[i])
        );
    }
    let _ = writeln!(out, "</tbody></table>\n</section>");
    let _ = writeln!(out, "<section id=\"trajectories\">\n<h2>Trajectories</h2>\n{figures}</section>");
    if let Ok(text) = std::fs::read_to_string(dir.join("scenario.toml")) {
        let _ = writeln!(
            out,
            "<section id=\"scenario\">\n<h2>Scenario as run</h2>\n<details><summary>scenario.toml</summary><pre>{}</pre></details>\n</section>",
            escape(&text)
        );
    }
    let _ = writeln!(
        out,
        "<footer>Written by <code>scslab report</code> from <code>{}</code>. The page is self-contained: \
         no scripts, fonts or other files are loaded.</footer>\n</main>\n</body>\n</html>",
        escape(&dir.display().to_string())
    );
    Ok(Report { html: out, kind: ReportKind::Calibration { scenario }, charts, skipped: Vec::new() })
}
