//! The page of an audit folder (`scslab audit`): the findings in words, then each criterion's
//! statistics with their 95% intervals, for the audited scenario and (if any) the scenario it was
//! compared with, and their paired difference. It reads `manifest.json` (kind `audit`) and
//! `audit.csv`; `audit.md` and the scenario files are linked, not parsed.
//!
//! The difference column always agrees with the two columns beside it: where `audit.csv`'s
//! difference is not the first estimate minus the second (a ratio's estimate is not the mean of
//! its replications, so the mean of the paired differences is not the difference of the
//! estimates), the page shows the difference of the two estimates, without an interval, and says
//! why.

use std::fmt::Write;
use std::path::Path;

use serde_json::Value;

use crate::csv::CsvTable;
use crate::format::{self, Unit};
use crate::html::STYLE;
use crate::svg::escape;
use crate::{Report, ReportError, ReportKind, read_text};

/// Whether `dir` holds an audit: its manifest parses and declares kind `audit`.
pub(crate) fn is_audit(dir: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(dir.join("manifest.json")) else { return false };
    serde_json::from_str::<Value>(&text)
        .ok()
        .is_some_and(|v| v.get("kind").and_then(Value::as_str) == Some("audit"))
}

/// How a statistic's values are written: a unit, or a plain number with words after it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Shown {
    Unit(Unit),
    Plain(&'static str),
}

/// The unit of an audit statistic, from its key.
fn shown(key: &str) -> Shown {
    if key.starts_with("ratio_") {
        Shown::Unit(Unit::Ratio)
    } else if key.contains("share") {
        Shown::Unit(Unit::Share)
    } else if key.ends_with("per_1000_adults_year") {
        Shown::Unit(Unit::Per1000AdultsYear)
    } else if key.ends_with("per_million_adults_year") {
        Shown::Plain(" per million adults a year")
    } else if key.contains("yuan") {
        Shown::Unit(Unit::Yuan)
    } else if key.contains("_per_") {
        Shown::Plain("")
    } else {
        Shown::Unit(Unit::Count)
    }
}

fn value(x: f64, s: Shown) -> String {
    match s {
        Shown::Unit(u) => format::value(x, u),
        Shown::Plain(_) if !x.is_finite() => format::NOT_AVAILABLE.to_string(),
        Shown::Plain(words) => format!("{}{words}", format::number(x)),
    }
}

fn difference(x: f64, s: Shown) -> String {
    match s {
        Shown::Unit(u) => format::difference(x, u),
        Shown::Plain(_) if !x.is_finite() => format::NOT_AVAILABLE.to_string(),
        Shown::Plain(words) if x > 0.0 => format!("+{}{words}", format::number(x)),
        Shown::Plain(words) => format!("{}{words}", format::number(x)),
    }
}

/// The possible range of a statistic: shares lie in [0, 1], counts, rates and ratios are not
/// negative. A Student-t interval over few replications can reach past it; the page cuts it.
fn clip(low: f64, high: f64, s: Shown) -> (f64, f64, bool) {
    let (min, max) = match s {
        Shown::Unit(Unit::Share) => (0.0, 1.0),
        _ => (0.0, f64::INFINITY),
    };
    if !(low.is_finite() && high.is_finite()) {
        return (low, high, false);
    }
    let (l, h) = (low.max(min), high.min(max));
    (l, h, l != low || h != high)
}

fn interval(low: f64, high: f64, s: Shown, signed: bool) -> String {
    if !(low.is_finite() && high.is_finite()) {
        return format::NOT_AVAILABLE.to_string();
    }
    if signed {
        format::range(&difference(low, s), &difference(high, s))
    } else {
        format::range(&value(low, s), &value(high, s))
    }
}

/// A criterion's key in words.
fn criterion_title(key: &str) -> String {
    match key {
        "art5_1c_i_unrelated_contexts" => {
            "Art. 5(1)(c)(i): detrimental treatment in contexts unrelated to where the data came from".into()
        }
        "art5_1c_ii_disproportionate" => {
            "Art. 5(1)(c)(ii): treatment unjustified or disproportionate to the behaviour".into()
        }
        "disparate_impact" => "Disparate impact: sanction rates of groups compared".into(),
        "false_sanctions" => "Error rate: sanctions resting on a false record".into(),
        other => crate::outcomes::words(other),
    }
}

/// A finding as written in `audit.csv`, in words for a reader.
fn finding_words(finding: &str) -> &str {
    match finding {
        "met" => "met: the whole 95% interval is past the threshold",
        "not met" => "not met: the whole 95% interval is short of the threshold",
        f if f.starts_with("indicated") => {
            "indicated: the 95% interval reaches the threshold, but not all of it"
        }
        f => f,
    }
}

/// One row of `audit.csv`.
struct Row<'a> {
    criterion: &'a str,
    statistic: &'a str,
    label: &'a str,
    finding: &'a str,
    against_finding: &'a str,
    main: [f64; 3],
    against: [f64; 3],
    difference: [f64; 3],
}

/// The difference shown beside `main` and `against`, its interval, and whether it had to be
/// recomputed from them (`audit.csv`'s difference does not equal their difference).
fn consistent_difference(r: &Row<'_>) -> ([f64; 3], bool) {
    let (a, b, d) = (r.main[0], r.against[0], r.difference[0]);
    if !(a.is_finite() && b.is_finite()) {
        return ([f64::NAN; 3], false);
    }
    let tolerance = 1e-9 * a.abs().max(b.abs()).max(1.0);
    if d.is_finite() && (d - (a - b)).abs() <= tolerance {
        (r.difference, false)
    } else {
        ([a - b, f64::NAN, f64::NAN], true)
    }
}

/// Renders the page of an audit folder.
pub(crate) fn render(dir: &Path) -> Result<Report, ReportError> {
    let manifest_path = dir.join("manifest.json");
    let manifest: Value = serde_json::from_str(&read_text(&manifest_path)?)
        .map_err(|source| ReportError::Json { path: manifest_path.clone(), source })?;
    let csv_path = dir.join("audit.csv");
    if !csv_path.is_file() {
        return Err(ReportError::MissingFile {
            path: csv_path,
            expected: "an audit folder holds it (written by `scslab audit`)".into(),
        });
    }
    let table = CsvTable::read(&csv_path)?;
    let text = |name: &'static str| -> Result<Vec<&str>, ReportError> {
        table.strings(name).ok_or_else(|| ReportError::Csv {
            path: csv_path.clone(),
            line: 1,
            message: format!("no column `{name}`; expected the columns `scslab audit` writes"),
        })
    };
    let number = |name: &'static str| -> Result<Vec<f64>, ReportError> {
        table.numbers(name)?.ok_or_else(|| ReportError::Csv {
            path: csv_path.clone(),
            line: 1,
            message: format!("no column `{name}`; expected the columns `scslab audit` writes"),
        })
    };
    let optional = |name: &str| -> Result<Vec<f64>, ReportError> {
        Ok(table.numbers(name)?.unwrap_or_else(|| vec![f64::NAN; table.n_rows()]))
    };
    let (criterion, statistic, label, finding) =
        (text("criterion")?, text("statistic")?, text("label")?, text("finding")?);
    let (estimate, low, high) = (number("estimate")?, number("ci_low")?, number("ci_high")?);
    let against_finding = table.strings("against_finding").unwrap_or_else(|| vec![""; table.n_rows()]);
    let (a_est, a_low, a_high) =
        (optional("against_estimate")?, optional("against_ci_low")?, optional("against_ci_high")?);
    let (d_est, d_low, d_high) =
        (optional("difference")?, optional("difference_ci_low")?, optional("difference_ci_high")?);
    let rows: Vec<Row<'_>> = (0..table.n_rows())
        .map(|i| Row {
            criterion: criterion[i],
            statistic: statistic[i],
            label: label[i],
            finding: finding[i],
            against_finding: against_finding[i],
            main: [estimate[i], low[i], high[i]],
            against: [a_est[i], a_low[i], a_high[i]],
            difference: [d_est[i], d_low[i], d_high[i]],
        })
        .collect();

    let field = |k: &str| manifest.get(k).and_then(Value::as_str).map(str::to_string);
    let number_field = |k: &str| manifest.get(k).and_then(Value::as_u64);
    let scenario = field("scenario").unwrap_or_else(|| "audit".into());
    let against = field("against");
    let people = number_field("people").map_or_else(|| "?".into(), |p| format::count(p as f64));
    let days = number_field("days").map_or_else(|| "?".into(), |d| format::count(d as f64));
    let replications = number_field("replications").unwrap_or(0);
    let title = format!("scslab audit: {scenario} against Art. 5(1)(c) of the EU AI Act");

    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n<h1>{}</h1>\n",
        escape(&title),
        escape(&title)
    );

    // Findings in words.
    out.push_str("<section id=\"findings\">\n<h2>Main findings</h2>\n");
    let compared = against
        .as_deref()
        .map(|a| format!(", compared with <strong>{}</strong> on the same seeds", escape(a)))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "<p class=\"lede\">Whether <strong>{}</strong>{compared} shows the marks of social scoring that \
         Art. 5(1)(c) of Regulation (EU) 2024/1689 prohibits, measured in {replications} replications of \
         a synthetic sample of {people} people over {days} days; each figure is the mean over the \
         replications with its 95% interval. A simulation of a model, not evidence about a real \
         system: thresholds and definitions are in docs/AUDIT.md.</p>",
        escape(&scenario)
    );
    out.push_str("<ul id=\"findings-list\">\n");
    for (name, which) in std::iter::once((scenario.as_str(), 0)).chain(against.as_deref().map(|a| (a, 1))) {
        for r in &rows {
            let (f, stats) = if which == 0 { (r.finding, r.main) } else { (r.against_finding, r.against) };
            if f.is_empty() {
                continue;
            }
            let s = shown(r.statistic);
            let (l, h, _) = clip(stats[1], stats[2], s);
            let _ = writeln!(
                out,
                "<li data-criterion=\"{}\" data-scenario=\"{}\"><strong>{}</strong>, {}: <strong>{}</strong>. \
                 {}: {} (95% interval {}).</li>",
                escape(r.criterion),
                escape(name),
                escape(name),
                escape(&criterion_title(r.criterion)),
                escape(finding_words(f)),
                escape(r.label),
                escape(&value(stats[0], s)),
                escape(&interval(l, h, s, false))
            );
        }
    }
    out.push_str("</ul>\n</section>\n");

    // The run.
    let mut dl = String::new();
    let mut row = |k: &str, v: String| {
        let _ = writeln!(dl, "<dt>{}</dt><dd>{v}</dd>", escape(k));
    };
    row("audited", format!("<strong id=\"scenario-name\">{}</strong>", escape(&scenario)));
    if let Some(a) = &against {
        row(
            "compared with",
            format!("<strong id=\"against-name\">{}</strong> (common random numbers)", escape(a)),
        );
    }
    row("people", format!("{people} per replication (a synthetic sample)"));
    row("days", days);
    row("replications", replications.to_string());
    if let Some(seed) = number_field("seed") {
        row("base seed", seed.to_string());
    }
    if let Some(repeat) = field("repeat") {
        row("repeat", format!("<code>{}</code> (from inside the folder)", escape(&repeat)));
    }
    let _ = write!(out, "<header id=\"header\">\n<h2>The audit</h2>\n<dl>\n{dl}</dl>\n</header>\n");

    // The criteria.
    let mut criteria: Vec<&str> = Vec::new();
    for r in &rows {
        if !criteria.contains(&r.criterion) {
            criteria.push(r.criterion);
        }
    }
    let mut clipped = false;
    let mut recomputed = false;
    out.push_str("<section id=\"criteria\">\n<h2>Criteria</h2>\n");
    for c in criteria {
        let _ = write!(
            out,
            "<h3>{}</h3>\n<table class=\"audit-table\" id=\"criterion-{}\">\n<thead><tr><th>statistic</th>\
             <th class=\"num\">{}</th><th class=\"num\">95% interval</th>",
            escape(&criterion_title(c)),
            escape(&crate::sweep_charts::slug(c)),
            escape(&scenario)
        );
        if let Some(a) = &against {
            let _ = write!(
                out,
                "<th class=\"num\">{}</th><th class=\"num\">95% interval</th><th class=\"num\">difference</th>\
                 <th class=\"num\">95% interval</th>",
                escape(a)
            );
        }
        out.push_str("</tr></thead>\n<tbody>\n");
        for r in rows.iter().filter(|r| r.criterion == c) {
            let s = shown(r.statistic);
            let (l, h, cut) = clip(r.main[1], r.main[2], s);
            clipped |= cut && r.main[0].is_finite();
            let _ = write!(
                out,
                "<tr data-statistic=\"{}\"><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>",
                escape(r.statistic),
                escape(r.label),
                escape(&value(r.main[0], s)),
                escape(&interval(l, h, s, false))
            );
            if against.is_some() {
                let (l, h, cut) = clip(r.against[1], r.against[2], s);
                clipped |= cut && r.against[0].is_finite();
                let (d, redone) = consistent_difference(r);
                recomputed |= redone;
                let mark = if redone { " *" } else { "" };
                let _ = write!(
                    out,
                    "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num difference\">{}{mark}</td>\
                     <td class=\"num\">{}</td>",
                    escape(&value(r.against[0], s)),
                    escape(&interval(l, h, s, false)),
                    escape(&difference(d[0], s)),
                    escape(&interval(d[1], d[2], s, true))
                );
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("<ul class=\"notes\">\n");
    out.push_str(
        "<li>n/a: not defined (for example a share of sanctions in a replication without any, or a \
         measure the scenario does not have); a difference involving n/a is n/a.</li>\n",
    );
    if clipped {
        out.push_str(
            "<li>Intervals are cut at the possible range (a share between 0% and 100%, counts, rates and \
             ratios not below 0): with few replications the Student-t interval can reach past it.</li>\n",
        );
    }
    if recomputed {
        out.push_str(
            "<li>* The difference of the two estimates beside it. For these statistics (ratios of rates) \
             the estimate is not the mean of the replications, so the mean of the paired differences \
             would not agree with the two columns; no interval is given for it.</li>\n",
        );
    }
    out.push_str("</ul>\n</section>\n");
    let _ = writeln!(
        out,
        "<p>The numbers behind each finding, replication by replication: <code>audit.md</code> and \
         <code>audit_replications.csv</code> in this folder.</p>"
    );
    let _ = writeln!(
        out,
        "<footer>Written by <code>scslab report</code> from <code>{}</code>. The page is self-contained: \
         no scripts, fonts or other files are loaded.</footer>\n</main>\n</body>\n</html>",
        escape(&dir.display().to_string())
    );
    Ok(Report {
        html: out,
        kind: ReportKind::Audit { scenario, against },
        charts: Vec::new(),
        skipped: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(main: f64, against: f64, difference: f64) -> Row<'static> {
        Row {
            criterion: "c",
            statistic: "ratio_income_q1_q5",
            label: "l",
            finding: "",
            against_finding: "",
            main: [main, 0.0, 0.0],
            against: [against, 0.0, 0.0],
            difference: [difference, -1.0, 1.0],
        }
    }

    #[test]
    fn the_difference_agrees_with_its_neighbours() {
        let (d, redone) = consistent_difference(&row(0.97, 5.93, -9.13));
        assert!(redone);
        assert!((d[0] - (0.97 - 5.93)).abs() < 1e-12 && d[1].is_nan());
        let (d, redone) = consistent_difference(&row(0.5, 0.25, 0.25));
        assert!(!redone);
        assert_eq!(d, [0.25, -1.0, 1.0]);
        let (d, _) = consistent_difference(&row(f64::NAN, 0.25, 0.0));
        assert!(d[0].is_nan(), "a difference involving n/a is n/a");
    }

    #[test]
    fn statistics_are_shown_in_their_units() {
        assert_eq!(value(0.385, shown("spillover_share")), "38.5%");
        assert_eq!(value(5.93, shown("ratio_income_q1_q5")), "5.93×");
        assert_eq!(
            value(495.18, shown("false_sanctions_per_million_adults_year")),
            "495 per million adults a year"
        );
        assert_eq!(value(448.97, shown("fines_yuan_per_recorded_violation")), "¥449");
        assert_eq!(value(9.43, shown("sanctions_per_1000_adults_year")), "9.43 per 1,000 adults a year");
        assert_eq!(clip(-0.44, 1.21, shown("spillover_share")), (0.0, 1.0, true));
        assert_eq!(clip(0.1, 0.2, shown("spillover_share")), (0.1, 0.2, false));
        let (l, h, cut) = clip(f64::NAN, f64::NAN, shown("spillover_share"));
        assert!(l.is_nan() && h.is_nan() && !cut, "an undefined interval stays n/a");
        assert_eq!(interval(f64::NAN, f64::NAN, shown("spillover_share"), false), "n/a");
    }
}
