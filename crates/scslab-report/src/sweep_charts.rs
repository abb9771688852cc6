//! The figures of a sweep report: the response of each headline outcome to each swept
//! parameter (means with 95% intervals for a grid, scattered runs with a binned mean for a Latin
//! hypercube), then headline series over time, averaged over each scenario's runs.

use crate::ReportError;
use crate::charts::{Figure, Section};
use crate::format::{self, Unit};
use crate::outcomes;
use crate::stats::{self, Estimate};
use crate::svg::{self, Line, LineChart, XyChart, XySeries, XyStyle};
use crate::sweep::{DesignKind, ParameterRange, SweepFolder};

/// Daily series drawn over time: (column of `series.csv`, title, unit).
/// Shares (fractions in the file) are drawn in percent.
const OVER_TIME: [(&str, &str, &str); 6] = [
    ("compliance_rate", "Compliance", "% of adults without a violation"),
    ("chilling_effect", "Chilling effect", "% of wanted criticism left unsaid"),
    ("mean_trust", "Trust", "mean trust (0 to 1)"),
    ("blacklisted", "Persons on a blacklist", "persons in the sample"),
    ("sanctions", "Sanctions", "sanctions a day in the sample"),
    ("false_sanction_share", "False sanctions", "% of sanctions with no true violation"),
];

/// Every section of a sweep report: one per swept parameter that takes more than one value,
/// then the series over time.
pub(crate) fn sections(sweep: &SweepFolder) -> Result<Vec<Section>, ReportError> {
    let mut sections: Vec<Section> = (0..sweep.manifest.parameters.len())
        .filter(|&j| sweep.values_of(j).len() > 1)
        .map(|j| response_section(sweep, j))
        .collect();
    if let Some(section) = sensitivity_section(sweep)? {
        sections.insert(0, section);
    }
    sections.push(Section::new("over-time", "Outcomes over time", over_time(sweep)?));
    Ok(sections)
}

/// Ranked bars of `mu_star` (Morris) or `ST` (Sobol') per headline outcome: parameters sorted by
/// the first scenario's index, largest first, one bar per scenario.
fn sensitivity_section(sweep: &SweepFolder) -> Result<Option<Section>, ReportError> {
    let Some(t) = &sweep.sensitivity else { return Ok(None) };
    let (statistic, what) = match sweep.manifest.design {
        DesignKind::Morris { .. } => (
            "mu_star",
            "the mean absolute elementary effect mu* (Morris), per unit of the parameter's interval",
        ),
        _ => {
            ("ST", "the total Sobol' index ST (share of the outcome's variance the parameter takes part in)")
        }
    };
    let column = |c: &str| t.strings(c).unwrap_or_default();
    let (scenarios, outcomes, parameters, statistics) =
        (column("scenario"), column("outcome"), column("parameter"), column("statistic"));
    let values = t.numbers("value")?.unwrap_or_default();
    let scenario_names: Vec<&str> = sweep.manifest.scenarios.iter().map(|s| s.name.as_str()).collect();
    let keys: Vec<&str> = sweep.manifest.parameters.iter().map(|p| p.key.as_str()).collect();
    let mut figures = Vec::new();
    for (outcome, _) in &sweep.runs.outcomes {
        let value_of = |s: &str, k: &str| -> f64 {
            (0..values.len())
                .find(|&i| {
                    scenarios[i] == s
                        && outcomes[i] == outcome.as_str()
                        && parameters[i] == k
                        && statistics[i] == statistic
                })
                .map_or(f64::NAN, |i| values[i])
        };
        let mut order: Vec<&str> = keys.clone();
        let first = scenario_names.first().copied().unwrap_or_default();
        // Rank by the last scenario (the policy; the first is the baseline), NaN last.
        let rank_by = scenario_names.last().copied().unwrap_or(first);
        order.sort_by(|a, b| {
            let (x, y) = (value_of(rank_by, a), value_of(rank_by, b));
            y.partial_cmp(&x).unwrap_or_else(|| x.is_nan().cmp(&y.is_nan()))
        });
        let series: Vec<svg::Bars> = scenario_names
            .iter()
            .enumerate()
            .map(|(c, s)| svg::Bars {
                label: s.to_string(),
                values: order.iter().map(|k| value_of(s, k)).collect(),
                color: c,
            })
            .collect();
        let id = format!("sensitivity-{}", slug(outcome));
        figures.push(Figure {
            svg: Some(svg::bar_chart(&svg::BarChart {
                id: id.clone(),
                title: format!("{}: {statistic}", outcomes::name(outcome, None)),
                value_label: statistic.to_string(),
                categories: order.iter().map(|k| outcomes::parameter(k)).collect(),
                series,
            })),
            id,
            title: format!("What drives {}", outcomes::name(outcome, None).to_lowercase()),
            caption: format!(
                "Parameters ranked by {what} for {rank_by}; one bar per scenario. Bootstrap 95% intervals \
                 are in sensitivity.csv."
            ),
            notes: Vec::new(),
        });
    }
    Ok(Some(Section {
        id: "sensitivity".into(),
        title: "Sensitivity: which parameters matter".into(),
        lede: Some(format!("Indices from the means over replications per design point: {what}.")),
        figures,
    }))
}

/// An element id made of a key: letters, digits, `_` and `-` kept, anything else `-`.
pub(crate) fn slug(key: &str) -> String {
    key.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c } else { '-' }).collect()
}

/// The element id of the chart of `outcome` against parameter `key`.
pub(crate) fn response_id(outcome: &str, key: &str) -> String {
    format!("response-{}-by-{}", slug(outcome), slug(key))
}

/// The element id of the chart of the paired differences in `outcome` against parameter `key`.
pub(crate) fn difference_id(outcome: &str, key: &str) -> String {
    format!("difference-{}-by-{}", slug(outcome), slug(key))
}

/// The keys of the parameters other than `j` that take more than one value in the design.
fn other_varying(sweep: &SweepFolder, j: usize) -> Vec<&str> {
    let parameters = &sweep.manifest.parameters;
    (0..parameters.len())
        .filter(|&k| k != j && sweep.values_of(k).len() > 1)
        .map(|k| parameters[k].key.as_str())
        .collect()
}

/// Keys in words, joined.
fn in_words(keys: &[&str]) -> String {
    keys.iter().map(|k| outcomes::parameter(k).to_lowercase()).collect::<Vec<_>>().join(", ")
}

fn response_section(sweep: &SweepFolder, j: usize) -> Section {
    let m = &sweep.manifest;
    let key = &m.parameters[j].key;
    let name = outcomes::parameter(key);
    let others = other_varying(sweep, j);
    let values = sweep.values_of(j);
    let baseline = m.scenarios.first().map_or("the baseline", |s| s.name.as_str());
    let mut lede = match m.design {
        DesignKind::Grid => format!(
            "{name} (`{key}`) takes the values {}. For each headline outcome, first the paired \
             difference (each scenario minus {baseline}, run by run on the same people with the same \
             random numbers: the point of common random numbers), then each scenario's own level.",
            values.iter().map(|v| format::number(*v)).collect::<Vec<_>>().join(", ")
        ),
        DesignKind::LatinHypercube { .. } | DesignKind::Morris { .. } | DesignKind::Sobol { .. } => format!(
            "{name} (`{key}`) is sampled at {} design points. For each headline outcome, first the \
             paired differences (each scenario minus {baseline}, run by run), then each scenario's own \
             level; one colour per scenario.",
            m.points.len()
        ),
    };
    if !others.is_empty() && m.design == DesignKind::Grid {
        lede.push_str(&format!(
            " The other parameters ({}) vary too: each point is the marginal response, averaged over them.",
            in_words(&others)
        ));
    }
    let mut figures = Vec::new();
    for (outcome, y) in &sweep.runs.outcomes {
        if m.scenarios.len() > 1 {
            figures.push(difference_figure(sweep, j, outcome, y));
        }
        figures.push(response_figure(sweep, j, outcome, y));
    }
    Section {
        id: format!("response-{}", slug(key)),
        title: format!("Response to {}", name.to_lowercase()),
        lede: Some(lede),
        figures,
    }
}

/// The chart of one outcome (its run-level values `y`) against parameter `j`.
fn response_figure(sweep: &SweepFolder, j: usize, outcome: &str, y: &[f64]) -> Figure {
    let m = &sweep.manifest;
    let parameter = &m.parameters[j];
    let id = response_id(outcome, &parameter.key);
    let title = format!(
        "{}, by {}",
        outcomes::name(outcome, None),
        outcomes::parameter(&parameter.key).to_lowercase()
    );
    let others = other_varying(sweep, j);
    let (series, caption) = match m.design {
        DesignKind::Grid => (grid_series(sweep, j, y), grid_caption(sweep, outcome, &parameter.key, &others)),
        DesignKind::LatinHypercube { .. } | DesignKind::Morris { .. } | DesignKind::Sobol { .. } => {
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
            x_label: outcomes::parameter(&parameter.key),
            y_label: axis_unit(outcome, false),
            series: in_percent(outcome, series),
        }))
    } else {
        notes.push(format!("Not drawn: `{outcome}` is empty in every run of runs.csv."));
        None
    };
    Figure { id, title, svg, caption, notes }
}

/// The y axis text of an outcome: its unit in words (shares are drawn in percent, their
/// differences in percentage points).
fn axis_unit(outcome: &str, difference: bool) -> String {
    match outcomes::unit(outcome, None) {
        Some(Unit::Share) if difference => "percentage points".to_string(),
        Some(Unit::Share) => "percent".to_string(),
        Some(u) => u.label().to_string(),
        None => outcomes::name(outcome, None),
    }
}

/// Series of a share drawn in percent: values and interval ends times 100.
fn in_percent(outcome: &str, mut series: Vec<XySeries>) -> Vec<XySeries> {
    if outcomes::unit(outcome, None) == Some(Unit::Share) {
        for s in &mut series {
            s.points.iter_mut().for_each(|p| p.1 *= 100.0);
            s.intervals.iter_mut().for_each(|i| *i = (i.0 * 100.0, i.1 * 100.0));
        }
    }
    series
}

/// The chart of the paired differences in one outcome (each scenario minus the baseline, run by
/// run) against parameter `j`: means with 95% intervals for a grid, the differences of every
/// pair of runs with a binned mean for a Latin hypercube.
fn difference_figure(sweep: &SweepFolder, j: usize, outcome: &str, y: &[f64]) -> Figure {
    let m = &sweep.manifest;
    let parameter = &m.parameters[j];
    let baseline = &m.scenarios[0].name;
    let id = difference_id(outcome, &parameter.key);
    let name = outcomes::name(outcome, None);
    let key_words = outcomes::parameter(&parameter.key).to_lowercase();
    let others: Vec<&str> = other_varying(sweep, j);
    let title = format!("{name}: difference from {baseline}, by {key_words}");
    let mut series = Vec::new();
    let bins = stats::bin_count(m.points.len());
    for (color, scenario) in m.scenarios.iter().enumerate().skip(1) {
        let observations = sweep.paired_differences(&scenario.name, baseline, j, y);
        match m.design {
            DesignKind::Grid => {
                let response = stats::marginal_response(&observations);
                series.push(XySeries {
                    label: format!("{} minus {baseline}", scenario.name),
                    color,
                    style: XyStyle::Means,
                    points: response.iter().map(|(x, e)| (*x, e.mean)).collect(),
                    intervals: response.iter().map(|(_, e)| (e.ci_low(), e.ci_high())).collect(),
                });
            }
            DesignKind::LatinHypercube { .. } | DesignKind::Morris { .. } | DesignKind::Sobol { .. } => {
                let points: Vec<(f64, f64)> = observations.iter().map(|o| (o.x, o.y)).collect();
                let values = sweep.values_of(j);
                let (lo, hi) = match parameter.range {
                    ParameterRange::Interval { min, max } => (min, max),
                    ParameterRange::Values(_) => {
                        (values.first().copied().unwrap_or(0.0), values.last().copied().unwrap_or(0.0))
                    }
                };
                let trend = stats::binned_means(&points, lo, hi, bins);
                series.push(XySeries {
                    label: format!("{} minus {baseline}: pairs of runs", scenario.name),
                    color,
                    style: XyStyle::Scatter,
                    points,
                    intervals: Vec::new(),
                });
                series.push(XySeries {
                    label: format!("{} minus {baseline}: binned mean", scenario.name),
                    color,
                    style: XyStyle::Trend,
                    points: trend,
                    intervals: Vec::new(),
                });
            }
        }
    }
    let mut caption = match m.design {
        DesignKind::Grid => format!(
            "Each scenario minus {baseline} in {}, paired by replication (the same people and random \
             numbers), at each value of {key_words}: the mean difference over the {} replications with \
             its 95% interval (Student t). An interval that excludes 0 is a difference the replications \
             agree on.",
            name.to_lowercase(),
            m.replications
        ),
        DesignKind::LatinHypercube { .. } | DesignKind::Morris { .. } | DesignKind::Sobol { .. } => format!(
            "Each scenario minus {baseline} in {}, run by run (the same people and random numbers), \
             against {key_words}; the dashed line is the mean in each of {bins} bins of equal width.",
            name.to_lowercase()
        ),
    };
    if !others.is_empty() && m.design == DesignKind::Grid {
        caption.push_str(&format!(" Averaged over the other parameters ({}) first.", in_words(&others)));
    }
    let drawn = series.iter().any(|s| s.points.iter().any(|(x, y)| x.is_finite() && y.is_finite()));
    let mut notes = Vec::new();
    let svg = if drawn {
        Some(svg::xy_chart(&XyChart {
            id: id.clone(),
            title: title.clone(),
            x_label: outcomes::parameter(&parameter.key),
            y_label: format!("difference ({})", axis_unit(outcome, true)),
            series: in_percent(outcome, series),
        }))
    } else {
        notes.push(format!("Not drawn: no pair of runs has a defined {}.", name.to_lowercase()));
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
                intervals: response.iter().map(|(_, e)| (e.ci_low(), e.ci_high())).collect(),
            }
        })
        .collect()
}

fn grid_caption(sweep: &SweepFolder, outcome: &str, key: &str, others: &[&str]) -> String {
    let (outcome, key) =
        (outcomes::name(outcome, None).to_lowercase(), outcomes::parameter(key).to_lowercase());
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
            in_words(others)
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
    let (outcome, key) = (outcomes::name(outcome, None), outcomes::parameter(key).to_lowercase());
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
            in_words(others)
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
            "Mean of {} each day over every run of each scenario ({} replications × {} design \
             points), in the synthetic samples of {} people.",
            title.to_lowercase(),
            m.replications,
            m.points.len(),
            format::count(m.people as f64)
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
                let mut values = stats::daily_means(&day, &values, &keep, &days);
                if unit.starts_with('%') {
                    values.iter_mut().for_each(|v| *v *= 100.0);
                }
                Line { label: s.name.clone(), values, color, dashed: false }
            })
            .collect();
        let svg = svg::line_chart(&LineChart {
            id: id.clone(),
            title: title.to_string(),
            y_label: unit.to_string(),
            x: days.clone(),
            lines,
            x_end: (m.days > 0).then_some(m.days as f64 - 1.0),
            start: None,
            small: false,
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
