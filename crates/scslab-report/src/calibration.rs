//! The report of a calibration folder (`scslab calibrate`): the simulated trajectory of each
//! quantity with its 95% band against the sourced figures, and the fit table. It reads
//! `manifest.json` (kind `calibration`), `calibration.csv`, `trajectory.csv` and `scenario.toml`;
//! for a fit (`scslab calibrate --fit`, manifest `method = "abc-smc"`) also `posterior.csv` and
//! `correlations.csv`: the posterior table and the pairwise correlations.

use std::fmt::Write;
use std::path::Path;

use crate::csv::CsvTable;
use crate::format;
use crate::svg::{Line, LineChart, escape, line_chart};
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

/// A calibrated quantity in words.
fn quantity_words(q: &str) -> String {
    match q {
        "list_stock" => "Persons on the court-defaulter list".into(),
        "listed_cumulative" => "Persons ever listed since the list's launch".into(),
        "flights_blocked_cumulative" => "Flight purchases refused since the list's launch".into(),
        "trains_blocked_cumulative" => "High-speed train purchases refused since the list's launch".into(),
        "exits_cumulative" => "Persons who left the list since its launch".into(),
        other => crate::outcomes::words(other),
    }
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

    let day0 = manifest.get("day0").and_then(|v| v.as_str()).and_then(crate::outcomes::parse_date);
    let start = day0.map(crate::outcomes::days_from_civil);
    let day0_text = day0.map_or_else(|| "the list's launch".to_string(), crate::outcomes::date_text);
    let mut quantities: Vec<&str> = Vec::new();
    for q in &t_quantity {
        if !quantities.contains(q) {
            quantities.push(q);
        }
    }
    let fitted = manifest.get("method").and_then(|v| v.as_str()) == Some("abc-smc");
    let over = if fitted {
        "mean and 2.5% to 97.5% of the posterior predictive runs"
    } else {
        "mean and 95% interval over the replications"
    };
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
        let last = x.iter().copied().filter(|d| d.is_finite()).fold(f64::NAN, f64::max);
        let chart = LineChart {
            id: id.clone(),
            title: quantity_words(q),
            y_label: "millions (scaled to China)".into(),
            x,
            lines: vec![
                Line { label: "simulated mean".into(), values: pick(&t_mean), color: 0, dashed: false },
                Line { label: "95% interval, low".into(), values: pick(&t_low), color: 5, dashed: true },
                Line { label: "95% interval, high".into(), values: pick(&t_high), color: 5, dashed: true },
                Line { label: "sourced figure (FACTS.md)".into(), values: sourced, color: 1, dashed: false },
            ],
            x_end: last.is_finite().then_some(last),
            start,
            small: false,
        };
        let _ = writeln!(
            figures,
            "<figure id=\"fig-{id}\">{}<figcaption>{}: simulated ({over}, scaled from the synthetic sample \
             to China's population) and the sourced figures (dots), from {}.</figcaption></figure>",
            line_chart(&chart),
            escape(&quantity_words(q)),
            escape(&day0_text)
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
    let number = |k: &str| manifest.get(k).and_then(serde_json::Value::as_f64).unwrap_or(f64::NAN);
    let tolerance = number("tolerance");
    let tolerance_text = if tolerance.is_finite() {
        format!("{}%", format::number(tolerance * 100.0))
    } else {
        field("tolerance")
    };
    let (w_low, w_high) = (
        facts.numbers("within_low")?.unwrap_or_else(|| vec![f64::NAN; f_fact.len()]),
        facts.numbers("within_high")?.unwrap_or_else(|| vec![f64::NAN; f_fact.len()]),
    );
    let within_count = f_within.iter().filter(|w| w.trim() == "yes").count();
    // The range "within" is judged against: the one calibration.csv writes (`within_low`,
    // `within_high`), explained with the tolerance that widened it; else the 95% interval itself.
    let widened = facts.columns().iter().any(|c| c == "within_high");
    let band = manifest.get("band").and_then(|v| v.as_str());
    let how = if let (true, Some(band)) = (widened, band) {
        format!(
            "How to read \"within\": the range accepted for each figure (column \"accepted range\") is {band}, \
             because a published count is itself approximate. A figure is within when the sourced value lies \
             in the accepted range."
        )
    } else if widened && tolerance.is_finite() && tolerance > 0.0 {
        format!(
            "How to read \"within\": for each figure the replications give a 95% interval for the \
             simulated value; the range accepted is that interval widened by {tolerance_text} on each \
             side (column \"accepted range\"), because a published count is itself approximate. A \
             figure is within when the sourced value lies in the accepted range."
        )
    } else if widened {
        "How to read \"within\": a figure is within when the sourced value lies in the accepted range \
         (column \"accepted range\") that calibration.csv gives for it."
            .to_string()
    } else {
        "How to read \"within\": a figure is within when the sourced value lies in the 95% interval \
         of the simulated value over the replications (column \"95% interval\")."
            .to_string()
    };
    let runs_words = if fitted {
        format!("{} posterior predictive runs", field("predictive_runs"))
    } else {
        format!("{} replications", field("replications"))
    };
    let band_words = match band {
        Some(b) => b.to_string(),
        None => format!("{tolerance_text} on each side of the 95% interval"),
    };
    // Findings in words.
    let _ = writeln!(
        out,
        "<section id=\"findings\">\n<h2>Main findings</h2>\n<p id=\"within\"><strong>{} of {} sourced figures</strong> \
         lie within the range the model accepts for them. The model's {} (synthetic samples of {} people, \
         {}) is scaled to China's {} people and compared with each published figure from \
         docs/calibration/FACTS.md.</p>\n<p class=\"lede\">{how}</p>\n</section>",
        within_count,
        f_fact.len(),
        escape(
            &quantities.iter().map(|q| quantity_words(q).to_lowercase()).collect::<Vec<_>>().join(" and ")
        ),
        escape(&format::count(number("people"))),
        escape(&runs_words),
        escape(&crate::outcomes::real_population_words(number("population_scaled_to")))
    );
    let _ = writeln!(
        out,
        "<header id=\"header\">\n<h2>The calibration</h2>\n<dl><dt>scenario</dt><dd><strong id=\"scenario-name\">{}</strong></dd>\
         <dt>people</dt><dd>{} per replication (a synthetic sample)</dd>\
         <dt>days</dt><dd>{} from {}</dd><dt>runs</dt><dd>{} (seed {})</dd>\
         <dt>scaled to</dt><dd>{} people</dd><dt>accepted range</dt><dd>{}</dd>\
         <dt>repeat</dt><dd><code>{}</code></dd></dl>\n</header>",
        escape(&scenario),
        escape(&format::count(number("people"))),
        escape(&format::count(number("days"))),
        escape(&day0_text),
        escape(&runs_words),
        escape(&field("seed")),
        escape(&format::count(number("population_scaled_to"))),
        escape(&band_words),
        escape(&field("repeat"))
    );
    if fitted {
        posterior_section(&mut out, dir, &field)?;
    }
    let (f_role, f_rel, f_log) =
        (facts.strings("role"), facts.numbers("relative_error")?, facts.numbers("log_error")?);
    let _ = writeln!(
        out,
        "<section id=\"fit\">\n<h2>Fit</h2>\n<p class=\"lede\">Each published figure beside the simulated \
         value (people, scaled to China). Intervals are cut at 0: a count cannot be negative, but a \
         Student-t interval over few replications can reach below it.</p>\n<table id=\"fit-table\"><thead><tr>\
         <th>date</th><th>fact</th><th>what</th><th>source</th><th class=\"num\">sourced</th>\
         <th class=\"num\">simulated</th><th class=\"num\">relative error</th><th class=\"num\">log error</th>\
         <th class=\"num\">95% interval</th><th class=\"num\">accepted range</th><th>within</th></tr></thead><tbody>"
    );
    let count = |x: f64| format::count(x.max(0.0));
    for i in 0..f_fact.len() {
        let range = |lo: f64, hi: f64| {
            if lo.is_finite() && hi.is_finite() {
                format!("{} to {}", count(lo), count(hi))
            } else {
                format::NOT_AVAILABLE.to_string()
            }
        };
        let date = crate::outcomes::parse_date(f_date[i])
            .map_or_else(|| f_date[i].to_string(), crate::outcomes::date_text);
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            escape(&date),
            escape(&match &f_role {
                Some(r) if r[i] == "holdout" => format!("{} (held out)", f_fact[i]),
                _ => f_fact[i].to_string(),
            }),
            escape(&quantity_words(f_quantity[i])),
            escape(f_source[i]),
            escape(&format::count(f_value[i])),
            escape(&format::count(f_mean[i])),
            escape(&f_rel.as_ref().map_or(format::NOT_AVAILABLE.to_string(), |v| signed(v[i] * 100.0, "%"))),
            escape(&f_log.as_ref().map_or(format::NOT_AVAILABLE.to_string(), |v| signed(v[i], ""))),
            escape(&range(f_low[i], f_high[i])),
            escape(&range(w_low[i], w_high[i])),
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

/// `+1.2%`, `-0.034`, or "n/a".
fn signed(x: f64, unit: &str) -> String {
    if !x.is_finite() {
        return format::NOT_AVAILABLE.to_string();
    }
    if unit == "%" { format!("{x:+.1}%") } else { format!("{x:+.3}") }
}

/// A fitted parameter's value: four significant digits.
fn sig(x: f64) -> String {
    if x.is_finite() { format!("{x:.4e}") } else { format::NOT_AVAILABLE.to_string() }
}

/// The posterior of a fit: each parameter's prior, mean and 95% interval, and the pairwise
/// correlations (identifiability).
fn posterior_section(
    out: &mut String,
    dir: &Path,
    field: &dyn Fn(&str) -> String,
) -> Result<(), ReportError> {
    let post = open(&dir.join("posterior.csv"))?;
    let corr = open(&dir.join("correlations.csv"))?;
    let (key, prior) = (column(&post, "parameter")?, column(&post, "prior")?);
    let (lo, hi, value) =
        (numbers(&post, "prior_min")?, numbers(&post, "prior_max")?, numbers(&post, "scenario_value")?);
    let (mean, sd, low, high) = (
        numbers(&post, "mean")?,
        numbers(&post, "sd")?,
        numbers(&post, "ci_low")?,
        numbers(&post, "ci_high")?,
    );
    let _ = writeln!(
        out,
        "<section id=\"posterior\">\n<h2>Posterior</h2>\n<p class=\"lede\">The parameters fitted jointly by \
         ABC-SMC (adaptive population Monte Carlo): {} generations, {} simulations, final tolerance {} (root \
         mean square of the fitted targets' errors in standard errors). Interval: the 2.5% and 97.5% weighted \
         quantiles of the kept particles.</p>\n<table id=\"posterior-table\"><thead><tr><th>parameter</th>\
         <th>prior</th><th class=\"num\">scenario value</th><th class=\"num\">posterior mean</th>\
         <th class=\"num\">sd</th><th class=\"num\">95% interval</th></tr></thead><tbody>",
        escape(&field("generations")),
        escape(&field("simulations")),
        escape(&field("tolerance")),
    );
    for i in 0..key.len() {
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code></td><td>{} on [{}, {}]</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{} to {}</td></tr>",
            escape(key[i]),
            escape(prior[i]),
            sig(lo[i]),
            sig(hi[i]),
            sig(value[i]),
            sig(mean[i]),
            sig(sd[i]),
            sig(low[i]),
            sig(high[i])
        );
    }
    let _ = writeln!(out, "</tbody></table>");
    let (a, b, r) =
        (column(&corr, "parameter_a")?, column(&corr, "parameter_b")?, numbers(&corr, "correlation")?);
    let _ = writeln!(
        out,
        "<p>Pairwise correlations of the posterior (ln of a log-uniform parameter): a strong correlation means \
         the targets pin down a combination of the two parameters rather than each alone.</p>\n\
         <table id=\"correlation-table\"><thead><tr><th>parameter</th><th>parameter</th>\
         <th class=\"num\">correlation</th></tr></thead><tbody>"
    );
    for i in 0..a.len() {
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code></td><td><code>{}</code></td><td class=\"num\">{}</td></tr>",
            escape(a[i]),
            escape(b[i]),
            signed(r[i], "")
        );
    }
    let _ = writeln!(out, "</tbody></table>\n</section>");
    Ok(())
}
