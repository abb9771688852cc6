//! The figures of a sweep report: the response of each headline outcome to each swept
//! parameter (means with 95% intervals for a grid, scattered runs with a binned mean for a Latin
//! hypercube), then headline series over time, averaged over each scenario's runs.

use crate::ReportError;
use crate::charts::{Figure, Section};
use crate::stats::{self, Estimate};
use crate::svg::{self, Line, LineChart, XyChart, XySeries, XyStyle};
use crate::sweep::{DesignKind, ParameterRange, SweepFolder};

/// Daily series drawn over time: (column of `series.csv`, title, unit).
const OVER_TIME: [(&str, &str, &str); 6] = [
    ("compliance_rate", "Compliance", "share of adults"),
    ("chilling_effect", "Chilling effect", "chilling effect"),
    ("mean_trust", "Trust", "mean trust"),
    ("blacklisted", "Persons on a blacklist", "persons"),
    ("sanctions", "Sanctions", "sanctions a day"),
    ("false_sanction_share", "False sanctions", "share of sanctions"),
];

/// Every section of a sweep report: one per swept parameter, then the series over time.
pub(crate) fn sections(sweep: &SweepFolder) -> Result<Vec<Section>, ReportError> {
    let mut sections: Vec<Section> =
        (0..sweep.manifest.parameters.len()).map(|j| response_section(sweep, j)).collect();
    sections.push(Section::new("over-time", "Outcomes over time", over_time(sweep)?));
    Ok(sections)
}

/// An element id made of a key: letters, digits, `_` and `-` kept, anything else `-`.
pub(crate) fn slug(key: &str) -> String {
    key.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c } else { '-' }).collect()
}

/// The element id of the chart of `outcome` against parameter `key`.
pub(crate) fn response_id(outcome: &str, key: &str) -> String {
    format!("response-{}-by-{}", slug(outcome), slug(key))
}

/// The keys of the parameters other than `j` that take more than one value in the design.
fn other_varying(sweep: &SweepFolder, j: usize) -> Vec<&str> {
    let parameters = &sweep.manifest.parameters;
    (0..parameters.len())
        .filter(|&k| k != j && sweep.values_of(k).len() > 1)
        .map(|k| parameters[k].key.as_str())
        .collect()
}

fn response_section(sweep: &SweepFolder, j: usize) -> Section {
    let m = &sweep.manifest;
    let key = &m.parameters[j].key;
    let others = other_varying(sweep, j);
    let values = sweep.values_of(j);
    let mut lede = match m.design {
        DesignKind::Grid => format!(
            "{key} takes the values {}. One chart per headline outcome; one line per scenario.",
            values.iter().map(f64::to_string).collect::<Vec<_>>().join(", ")
        ),
        DesignKind::LatinHypercube { .. } => format!(
            "{key} is sampled at {} design points. One chart per headline outcome; one colour per scenario.",
            m.points.len()
        ),
    };
    if !others.is_empty() && m.design == DesignKind::Grid {
        lede.push_str(&format!(
            " The other parameters ({}) vary too: each point is the marginal response, averaged over them.",
            others.join(", ")
        ));
    }
    let figures =
        sweep.runs.outcomes.iter().map(|(outcome, y)| response_figure(sweep, j, outcome, y)).collect();
    Section {
        id: format!("response-{}", slug(key)),
        title: format!("Response to {key}"),
        lede: Some(lede),
        figures,
    }
}

/// The chart of one outcome (its run-level values `y`) against parameter `j`.
fn response_figure(sweep: &SweepFolder, j: usize, outcome: &str, y: &[f64]) -> Figure {
    let m = &sweep.manifest;
    let parameter = &m.parameters[j];
    let id = response_id(outcome, &parameter.key);
    let title = format!("{outcome} against {}", parameter.key);
    let others = other_varying(sweep, j);
    let (series, caption) = match m.design {
        DesignKind::Grid => (grid_series(sweep, j, y), grid_caption(sweep, outcome, &parameter.key, &others)),
        DesignKind::LatinHypercube { .. } => {
            let bins = stats::bin_count(m.points.len());
            (
                hypercube_series(sweep, j, y, bins),
                hypercube_caption(sweep, outcome, &parameter.key, &others, bins),
            )
        }
    };
    let mut notes = Vec::new();
    let unchanged: Vec<&str> = m
        .scenarios
        .iter()
        .map(|s| s.name.as_str())
        .filter(|s| !parameter.applies_to.is_empty() && !parameter.applies_to.iter().any(|a| a == s))
        .collect();
    if !unchanged.is_empty() {
        notes.push(format!(
            "{} does not apply to {}: {} unchanged at every value.",
            parameter.key,
            unchanged.join(", "),
            if unchanged.len() == 1 { "it runs" } else { "they run" }
        ));
    }
    let drawn = series.iter().any(|s| s.points.iter().any(|(x, y)| x.is_finite() && y.is_finite()));
    let svg = if drawn {
        Some(svg::xy_chart(&XyChart {
            id: id.clone(),
            title: title.clone(),
            x_label: parameter.key.clone(),
            y_label: outcome.to_string(),
            series,
        }))
    } else {
        notes.push(format!("Not drawn: `{outcome}` is empty in every run of runs.csv."));
        None
    };
    Figure { id, title, svg, caption, notes }
}

/// One line of means with intervals per scenario, from [`stats::marginal_response`].
fn grid_series(sweep: &SweepFolder, j: usize, y: &[f64]) -> Vec<XySeries> {
    sweep
        .manifest
        .scenarios
        .iter()
        .enumerate()
        .map(|(color, scenario)| {
            let response: Vec<(f64, Estimate)> =
                stats::marginal_response(&sweep.observations(&scenario.name, j, y));
            XySeries {
                label: scenario.name.clone(),
                color,
                style: XyStyle::Means,
                points: response.iter().map(|(x, e)| (*x, e.mean)).collect(),
                intervals: response.iter().map(|(_, e)| (e.low, e.high)).collect(),
            }
        })
        .collect()
}

fn grid_caption(sweep: &SweepFolder, outcome: &str, key: &str, others: &[&str]) -> String {
    let mut caption = format!(
        "Mean of {outcome} over the {} replications at each value of {key}, with its 95% interval \
         (Student t); one line per scenario.",
        sweep.manifest.replications
    );
    if !others.is_empty() {
        caption.push_str(&format!(
            " Marginal response: at each value of {key}, each replication's runs are first averaged \
             over the other parameters ({}, every combination in the grid); the mean and interval are \
             those of these averages.",
            others.join(", ")
        ));
    }
    caption
}

/// Per scenario, its runs as dots and their binned mean as a dashed line.
fn hypercube_series(sweep: &SweepFolder, j: usize, y: &[f64], bins: usize) -> Vec<XySeries> {
    let parameter = &sweep.manifest.parameters[j];
    let values = sweep.values_of(j);
    let (lo, hi) = match parameter.range {
        ParameterRange::Interval { min, max } => (min, max),
        ParameterRange::Values(_) => {
            (values.first().copied().unwrap_or(0.0), values.last().copied().unwrap_or(0.0))
        }
    };
    let mut series = Vec::new();
    for (color, scenario) in sweep.manifest.scenarios.iter().enumerate() {
        let points: Vec<(f64, f64)> =
            sweep.observations(&scenario.name, j, y).iter().map(|o| (o.x, o.y)).collect();
        let trend = stats::binned_means(&points, lo, hi, bins);
        series.push(XySeries {
            label: format!("{}: runs", scenario.name),
            color,
            style: XyStyle::Scatter,
            points,
            intervals: Vec::new(),
        });
        series.push(XySeries {
            label: format!("{}: binned mean", scenario.name),
            color,
            style: XyStyle::Trend,
            points: trend,
            intervals: Vec::new(),
        });
    }
    series
}

fn hypercube_caption(sweep: &SweepFolder, outcome: &str, key: &str, others: &[&str], bins: usize) -> String {
    let m = &sweep.manifest;
    let mut caption = format!(
        "{outcome} of every run against {key} ({} design points × {} replications per scenario), one \
         colour per scenario; the dashed line is the mean of the runs in each of {bins} bins of equal \
         width.",
        m.points.len(),
        m.replications
    );
    if !others.is_empty() {
        caption.push_str(&format!(
            " The other parameters ({}) vary from point to point too, so the spread includes their effect.",
            others.join(", ")
        ));
    }
    caption
}

/// Headline daily series, one line per scenario: the mean over all its runs each day.
fn over_time(sweep: &SweepFolder) -> Result<Vec<Figure>, ReportError> {
    let series = &sweep.series;
    let day = series.numbers("day")?.unwrap_or_default();
    let scenario = series.strings("scenario").unwrap_or_default();
    let mut days: Vec<f64> = day.iter().copied().filter(|d| d.is_finite()).collect();
    days.sort_by(f64::total_cmp);
    days.dedup();
    let m = &sweep.manifest;
    let mut figures = Vec::new();
    for (column, title, unit) in OVER_TIME {
        let id = format!("series-{}", slug(column));
        let caption = format!(
            "Mean of {column} each day over every run of each scenario ({} replications × {} design \
             points).",
            m.replications,
            m.points.len()
        );
        let Some(values) = series.numbers(column)? else {
            let note = format!("Not drawn: `{column}` is missing from series.csv.");
            figures.push(Figure { id, title: title.to_string(), svg: None, caption, notes: vec![note] });
            continue;
        };
        let lines = m
            .scenarios
            .iter()
            .enumerate()
            .map(|(color, s)| {
                let keep: Vec<bool> = scenario.iter().map(|name| *name == s.name).collect();
                let values = stats::daily_means(&day, &values, &keep, &days);
                Line { label: s.name.clone(), values, color, dashed: false }
            })
            .collect();
        let svg = svg::line_chart(&LineChart {
            id: id.clone(),
            title: title.to_string(),
            y_label: unit.to_string(),
            x: days.clone(),
            lines,
        });
        figures.push(Figure { id, title: title.to_string(), svg: Some(svg), caption, notes: Vec::new() });
    }
    Ok(figures)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_made_of_keys() {
        assert_eq!(
            slug("authority.court_defaulters.detect.judgment_default"),
            "authority-court_defaulters-detect-judgment_default"
        );
        assert_eq!(
            response_id("compliance_rate", "behaviour.fear_perception"),
            "response-compliance_rate-by-behaviour-fear_perception"
        );
    }
}
