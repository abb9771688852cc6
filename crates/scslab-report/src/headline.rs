//! The headline outcomes of a run or comparison, for a reader: the findings in plain words that
//! open the page, and the headline table. Every number goes through [`crate::format`] in the
//! outcome's unit; a value that is not defined (an empty CSV field) is "n/a", and so is any
//! difference involving one.

use std::fmt::Write;

use crate::csv::CsvTable;
use crate::folder::{Manifest, RunFolder};
use crate::format::{self, Unit};
use crate::outcomes;
use crate::svg::escape;

/// How many findings a comparison's page opens with.
pub(crate) const FINDINGS: usize = 5;

/// The outcomes a single run's page opens with, when present.
const RUN_FINDINGS: [&str; 6] = [
    "compliance_rate",
    "blacklisted_per_100k",
    "sanctions",
    "false_sanction_share",
    "chilling_effect",
    "fines_yuan",
];

/// One headline outcome, read from `summary.csv` (and `comparison.csv`).
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub key: String,
    pub name: String,
    pub unit: Option<Unit>,
    pub value: f64,
    /// The counterfactual's value (comparisons only).
    pub against: Option<f64>,
    /// The difference, NaN whenever either value is not defined.
    pub difference: Option<f64>,
}

/// The rows of `summary.csv`, with the counterfactual's values from `comparison.csv` if given.
/// `None` when `summary.csv` lacks the columns `outcome` and `value`.
pub(crate) fn rows(summary: &CsvTable, comparison: Option<&CsvTable>) -> Option<Vec<Row>> {
    let keys = summary.strings("outcome")?;
    let values = summary.numbers("value").ok()??;
    let labels = summary.strings("label");
    let units = summary.strings("unit");
    let other = comparison.and_then(|c| {
        let keys = c.strings("outcome")?;
        let against = c.numbers("against").ok()??;
        let difference = c.numbers("difference").ok()??;
        Some((keys, against, difference, c.strings("unit")))
    });
    Some(
        keys.iter()
            .enumerate()
            .map(|(i, key)| {
                let written = units.as_ref().map(|u| u[i]).or_else(|| {
                    let (keys, _, _, units) = other.as_ref()?;
                    let j = keys.iter().position(|k| k == key)?;
                    units.as_ref().map(|u| u[j])
                });
                let value = values[i];
                let (against, difference) = match &other {
                    None => (None, None),
                    Some((keys, against, difference, _)) => match keys.iter().position(|k| k == key) {
                        None => (Some(f64::NAN), Some(f64::NAN)),
                        Some(j) => {
                            let a = against[j];
                            let d = if value.is_finite() && a.is_finite() { difference[j] } else { f64::NAN };
                            (Some(a), Some(d))
                        }
                    },
                };
                Row {
                    key: key.to_string(),
                    name: outcomes::name(key, labels.as_ref().map(|l| l[i])),
                    unit: outcomes::unit(key, written),
                    value,
                    against,
                    difference,
                }
            })
            .collect(),
    )
}

/// The relative size of a difference, for ranking: |difference| / max(|value|, |against|);
/// `None` when a value is not defined or nothing changed.
fn relative_change(row: &Row) -> Option<f64> {
    let (a, d) = (row.against?, row.difference?);
    if !(row.value.is_finite() && a.is_finite() && d.is_finite()) || d == 0.0 {
        return None;
    }
    let scale = row.value.abs().max(a.abs());
    (scale > 0.0).then(|| d.abs() / scale)
}

/// The largest effects first: by relative change, then in file order; n/a and unchanged
/// outcomes are left out.
pub(crate) fn ranked(rows: &[Row]) -> Vec<&Row> {
    let mut ranked: Vec<(&Row, f64)> = rows.iter().filter_map(|r| Some((r, relative_change(r)?))).collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    ranked.into_iter().map(|(r, _)| r).collect()
}

/// Who the numbers are about: the synthetic sample, its size and length.
pub(crate) fn population(m: &Manifest) -> String {
    let firms = m.firms.map(|f| format!(" and {} firms", format::count(f as f64))).unwrap_or_default();
    let days = m.days;
    format!("in a synthetic sample of {} people{firms}, over {days} days", format::count(m.people as f64))
}

/// A total scaled from the sample to the real population the scenario models, as a clause.
fn scaled(row: &Row, x: f64, m: &Manifest) -> Option<String> {
    let known = outcomes::find(&row.key)?;
    let (real, name) = outcomes::real_population(m.scenario_text.as_deref())?;
    if !known.total || !x.is_finite() || m.people == 0 {
        return None;
    }
    let factor = real / m.people as f64;
    let text = match row.unit {
        Some(Unit::Yuan) => format::yuan(x * factor),
        _ => scaled_count(x * factor),
    };
    Some(format!(
        "Scaled in proportion to {name}, that would be about {text} over the same {} days (a scaling of \
         the sample, not a forecast).",
        m.days
    ))
}

/// A large scaled count, rounded to what the sample can tell: "about 8.5 million".
fn scaled_count(x: f64) -> String {
    let a = x.abs();
    if a >= 1e9 {
        format!("{} billion", trim(a / 1e9))
    } else if a >= 1e6 {
        format!("{} million", trim(a / 1e6))
    } else if a >= 1e3 {
        format::count((a / 1e3).round() * 1e3)
    } else {
        format::count(a)
    }
}

fn trim(x: f64) -> String {
    let s = if x >= 100.0 { format!("{x:.0}") } else { format!("{x:.1}") };
    if s.ends_with(".0") { s[..s.len() - 2].to_string() } else { s }
}

/// The findings that open a run or comparison page, as an HTML section.
pub(crate) fn findings(out: &mut String, rows: &[Row], m: &Manifest, against: Option<&str>) {
    out.push_str("<section id=\"findings\">\n<h2>Main findings</h2>\n");
    let population = population(m);
    match against {
        Some(against) => {
            let _ = writeln!(
                out,
                "<p class=\"lede\">The largest differences between <strong>{}</strong> and <strong>{}</strong> \
                 (the counterfactual: the same people with the same random numbers), {}, ranked by their \
                 size relative to the larger of the two values. One run each: no interval can be given; \
                 a sweep with replications gives 95% intervals.</p>",
                escape(&m.scenario),
                escape(against),
                escape(&population)
            );
            let ranked = ranked(rows);
            if ranked.is_empty() {
                out.push_str("<p id=\"no-findings\">No headline outcome differs between the two runs.</p>\n");
            }
            out.push_str("<ol id=\"findings-list\">\n");
            for row in ranked.into_iter().take(FINDINGS) {
                let (a, d) = (row.against.unwrap_or(f64::NAN), row.difference.unwrap_or(f64::NAN));
                let _ = write!(
                    out,
                    "<li data-outcome=\"{}\"><strong>{}</strong>: {} under {}, against {} under {} \
                     (difference {}).",
                    escape(&row.key),
                    escape(&row.name),
                    escape(&outcomes::value(row.value, row.unit)),
                    escape(&m.scenario),
                    escape(&outcomes::value(a, row.unit)),
                    escape(against),
                    escape(&outcomes::difference(d, row.unit))
                );
                if let Some(s) = scaled(row, d, m) {
                    let _ = write!(
                        out,
                        " <span class=\"scaled\">{}</span>",
                        escape(&s.replace("that would be", "the difference would be"))
                    );
                }
                out.push_str("</li>\n");
            }
            out.push_str("</ol>\n");
        }
        None => {
            let _ = writeln!(
                out,
                "<p class=\"lede\">The main numbers of <strong>{}</strong>, {}. One run: no interval can be \
                 given; a sweep with replications gives 95% intervals.</p>\n<ul id=\"findings-list\">",
                escape(&m.scenario),
                escape(&population)
            );
            for key in RUN_FINDINGS {
                let Some(row) = rows.iter().find(|r| r.key == key) else { continue };
                let _ = write!(
                    out,
                    "<li data-outcome=\"{}\"><strong>{}</strong>: {}.",
                    escape(&row.key),
                    escape(&row.name),
                    escape(&outcomes::value(row.value, row.unit))
                );
                if let Some(s) = scaled(row, row.value, m) {
                    let _ = write!(out, " <span class=\"scaled\">{}</span>", escape(&s));
                }
                out.push_str("</li>\n");
            }
            out.push_str("</ul>\n");
        }
    }
    out.push_str("</section>\n");
}

/// The headline table: every outcome in its unit, and for a comparison the counterfactual's
/// value and the difference.
pub(crate) fn table(out: &mut String, run: &RunFolder, rows: Option<&[Row]>, against: Option<&str>) {
    out.push_str("<section id=\"headlines\">\n<h2>Headline outcomes</h2>\n");
    let Some(rows) = rows else {
        out.push_str("<p class=\"notes\">summary.csv lacks the columns outcome and value.</p>\n</section>\n");
        return;
    };
    let _ =
        writeln!(out, "<p class=\"lede\">All headline outcomes, {}.</p>", escape(&population(&run.manifest)));
    out.push_str("<table id=\"headline-table\">\n<thead><tr><th>outcome</th>");
    match against {
        None => out.push_str("<th class=\"num\">value</th>"),
        Some(a) => {
            let _ = write!(
                out,
                "<th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">difference</th>",
                escape(&run.manifest.scenario),
                escape(a)
            );
        }
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in rows {
        let _ = write!(
            out,
            "<tr id=\"headline-{}\"><td>{}</td><td class=\"num\">{}</td>",
            escape(&row.key),
            escape(&row.name),
            escape(&outcomes::value(row.value, row.unit))
        );
        if against.is_some() {
            let _ = write!(
                out,
                "<td class=\"num\">{}</td><td class=\"num\">{}</td>",
                escape(&outcomes::value(row.against.unwrap_or(f64::NAN), row.unit)),
                escape(&outcomes::difference(row.difference.unwrap_or(f64::NAN), row.unit))
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    if rows.iter().any(|r| !r.value.is_finite() || r.against.is_some_and(|a| !a.is_finite())) {
        out.push_str(
            "<p class=\"notes\">n/a: not defined in this run (for example a share of sanctions when there \
             were none); a difference involving n/a is n/a.</p>\n",
        );
    }
    out.push_str("</section>\n");
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn table(text: &str) -> CsvTable {
        CsvTable::parse(text, Path::new("t.csv")).unwrap()
    }

    #[test]
    fn an_undefined_value_makes_the_difference_undefined() {
        let summary =
            table("outcome,label,value,unit\nfalse_sanction_share,x,,share\nsanctions,y,12,count\n");
        let comparison = table(
            "outcome,label,scenario,against,difference,unit\nfalse_sanction_share,x,,0.5,0,share\n\
             sanctions,y,12,2,10,count\n",
        );
        let rows = rows(&summary, Some(&comparison)).unwrap();
        assert!(rows[0].difference.unwrap().is_nan());
        assert_eq!(outcomes::difference(rows[0].difference.unwrap(), rows[0].unit), "n/a");
        assert_eq!(rows[1].difference, Some(10.0));
        assert_eq!(ranked(&rows).len(), 1, "n/a is never ranked");
    }

    #[test]
    fn old_folders_without_a_unit_column_use_the_known_units() {
        let summary = table("outcome,label,value\nfines_yuan,Fines,42165000\nmystery,Something,4.2165e7\n");
        let rows = rows(&summary, None).unwrap();
        assert_eq!(outcomes::value(rows[0].value, rows[0].unit), "¥42.2 M");
        assert_eq!(outcomes::value(rows[1].value, rows[1].unit), "42,165,000");
        assert_eq!(rows[1].name, "Something");
    }

    #[test]
    fn findings_are_ranked_by_relative_change() {
        let summary = table("outcome,value\na,100\nb,10\nc,5\n");
        let comparison = table("outcome,against,difference\na,99,1\nb,5,5\nc,5,0\n");
        let rows = rows(&summary, Some(&comparison)).unwrap();
        let keys: Vec<&str> = ranked(&rows).iter().map(|r| r.key.as_str()).collect();
        assert_eq!(keys, ["b", "a"]);
    }

    #[test]
    fn scaled_counts_are_rounded_words() {
        assert_eq!(scaled_count(8_512_345.0), "8.5 million");
        assert_eq!(scaled_count(1_234_567_890.0), "1.2 billion");
        assert_eq!(scaled_count(123_456.0), "123,000");
        assert_eq!(scaled_count(12.0), "12");
    }
}
