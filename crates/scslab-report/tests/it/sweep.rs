//! The report of real sweep folders, written through `scslab-experiment` once per test binary:
//! a grid over one parameter (checked against the sweep's own `summary.csv`), a grid over two
//! (the marginal response), a Latin hypercube (scattered runs), and damaged copies refused.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use scslab_experiment::SweepConfig;
use scslab_report::{ReportError, ReportKind};

use super::{chart, copy_of, polylines, render, temp};

/// Days of every sweep run here.
pub(crate) const SWEEP_DAYS: usize = 5;

const FEAR: &str = "behaviour.fear_perception";
const JUDGMENT: &str = "authority.court_defaulters.detect.judgment_default";

/// The daily series a sweep report draws over time.
pub(crate) const SERIES_CHARTS: [&str; 6] = [
    "series-compliance_rate",
    "series-chilling_effect",
    "series-mean_trust",
    "series-blacklisted",
    "series-sanctions",
    "series-false_sanction_share",
];

/// Runs a sweep file's text into a fresh folder.
fn sweep(name: &str, text: &str) -> PathBuf {
    let dir = temp(name);
    let sweep =
        scslab_experiment::parse(text, &format!("{name}.toml"), &dir).unwrap_or_else(|e| panic!("{e}"));
    let mut config = SweepConfig::new(dir.clone());
    config.workers = 2;
    scslab_experiment::run_sweep(&sweep, &config, &|_| {}).unwrap_or_else(|e| panic!("{e}"));
    dir
}

/// none and china-2020, fear perception at 0 and 1, two replications: 8 runs.
pub(crate) fn grid_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        sweep(
            "sweep-grid",
            "name = \"grid\"\nscenarios = [\"none\", \"china-2020\"]\npeople = 1000\ndays = 5\nreplications = 2\n\
             [[parameter]]\nkey = \"behaviour.fear_perception\"\nvalues = [0.0, 1.0]\n",
        )
    })
}

/// The same with a second parameter that only china-2020 has: 16 runs.
fn grid2_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        sweep(
            "sweep-grid2",
            "name = \"grid2\"\nscenarios = [\"none\", \"china-2020\"]\npeople = 1000\ndays = 5\nreplications = 2\n\
             [[parameter]]\nkey = \"behaviour.fear_perception\"\nvalues = [0.0, 1.0]\n\
             [[parameter]]\nkey = \"authority.court_defaulters.detect.judgment_default\"\nvalues = [0.3, 0.9]\n",
        )
    })
}

/// A Latin hypercube of 4 points over two parameters, china-2020, two replications: 8 runs.
fn hypercube_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        sweep(
            "sweep-lhs",
            "name = \"lhs\"\nscenarios = [\"china-2020\"]\npeople = 1000\ndays = 5\nreplications = 2\n\
             [design]\nkind = \"latin_hypercube\"\nsamples = 4\nseed = 11\n\
             [[parameter]]\nkey = \"behaviour.fear_perception\"\nmin = 0.0\nmax = 1.0\n\
             [[parameter]]\nkey = \"behaviour.deterrence_weight\"\nmin = 0.0\nmax = 0.2\n",
        )
    })
}

/// A CSV file of the sweep (no quoted fields in these), as header and rows.
fn csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines().map(|l| l.split(',').map(str::to_string).collect::<Vec<_>>());
    let header = lines.next().unwrap();
    (header, lines.collect())
}

/// The headline outcomes: the columns of runs.csv after the keys and the parameters.
pub(crate) fn outcomes(dir: &Path, parameters: &[&str]) -> Vec<String> {
    let keys = ["run_id", "scenario", "point", "replication", "seed"];
    csv(&dir.join("runs.csv"))
        .0
        .into_iter()
        .filter(|c| !keys.contains(&c.as_str()) && !parameters.contains(&c.as_str()))
        .collect()
}

/// The number of figures on a page, drawn or not.
pub(crate) fn figures(html: &str) -> usize {
    html.matches("<figure id=\"fig-").count()
}

/// The number of figures a page could not draw (an outcome undefined everywhere).
pub(crate) fn not_drawn(html: &str) -> usize {
    html.matches(": not drawn").count()
}

/// Whether the figure `id` says it was not drawn.
fn figure_not_drawn(html: &str, id: &str) -> bool {
    let start = html.find(&format!("<figure id=\"fig-{id}\">")).unwrap();
    let figure = &html[start..];
    figure[..figure.find("</figure>").unwrap()].contains(": not drawn")
}

/// The response chart's id, as the report names it.
pub(crate) fn response_id(outcome: &str, parameter: &str) -> String {
    format!("response-{outcome}-by-{}", parameter.replace('.', "-"))
}

/// The paired-difference chart's id, as the report names it.
pub(crate) fn difference_id(outcome: &str, parameter: &str) -> String {
    format!("difference-{outcome}-by-{}", parameter.replace('.', "-"))
}

/// The value of attribute `name` in each element of `svg` that starts with `start`.
fn attributes(svg: &str, start: &str, name: &str) -> Vec<f64> {
    svg.split(start)
        .skip(1)
        .map(|e| {
            let value = e.split(&format!(" {name}=\"")).nth(1).unwrap().split('"').next().unwrap();
            value.parse().unwrap_or_else(|_| panic!("{name}={value}"))
        })
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1e-300)
}

#[test]
fn a_grid_sweep_report_draws_each_outcome_against_the_parameter() {
    let dir = grid_dir();
    let report = render(dir);
    assert_eq!(
        report.kind,
        ReportKind::Sweep {
            name: "grid".into(),
            scenarios: vec!["none".into(), "china-2020".into()],
            parameters: vec![FEAR.into()],
        }
    );
    let outcomes = outcomes(dir, &[FEAR]);
    assert!(outcomes.len() >= 20, "{outcomes:?}");
    let mut expected: Vec<String> =
        outcomes.iter().flat_map(|o| [difference_id(o, FEAR), response_id(o, FEAR)]).collect();
    expected.extend(SERIES_CHARTS.map(String::from));
    // Every outcome has its figures; one undefined at every point (a share of sanctions where
    // some replication has none) says "not drawn" instead of drawing zeros.
    for id in &expected {
        assert!(report.html.contains(&format!("<figure id=\"fig-{id}\">")), "{id} missing");
    }
    let (drawn, undefined): (Vec<String>, Vec<String>) =
        expected.into_iter().partition(|id| !figure_not_drawn(&report.html, id));
    assert!(drawn.len() >= 2 * 16 + SERIES_CHARTS.len(), "{drawn:?}");
    assert_eq!(report.charts, drawn);
    // The CLI lists what was not drawn.
    assert_eq!(report.skipped, undefined);
    let html = &report.html;
    assert!(html.contains("<strong id=\"sweep-name\">grid</strong>"));
    assert!(html.contains("id=\"design-table\"") && html.contains("<code>behaviour.fear_perception</code>"));
    // Titles in words, not keys.
    let compliance = chart(html, &response_id("compliance_rate", FEAR));
    assert!(compliance.contains("<title>Adult-days without a violation, by fear perception</title>"));
    assert!(!compliance.contains(">behaviour.fear_perception<") && !compliance.contains(">compliance_rate<"));
    assert!(!html.contains("Marginal response") && !html.contains("NaN") && !html.contains("<script"));

    // Compliance: one line per scenario through its two means, each with its interval.
    let compliance = chart(html, &response_id("compliance_rate", FEAR));
    assert_eq!(polylines(compliance), [(2, false), (2, false)]);
    assert_eq!(compliance.matches("<circle class=\"mean\"").count(), 4);
    assert_eq!(compliance.matches("<path class=\"ci\"").count(), 4);
    for id in SERIES_CHARTS {
        for (points, _) in polylines(chart(html, id)) {
            assert_eq!(points, SWEEP_DAYS, "{id}");
        }
    }

    // Every mean and interval drawn is the sweep's own, from summary.csv.
    let (header, rows) = csv(&dir.join("summary.csv"));
    let col = |name: &str| header.iter().position(|c| c == name).unwrap();
    let (mut checked, mut exact) = (0, 0);
    for row in rows.iter().filter(|r| r[col("kind")] == "mean") {
        let mean: f64 = row[col("mean")].parse().unwrap_or(f64::NAN);
        if !mean.is_finite() {
            continue;
        }
        let svg = chart(html, &response_id(&row[col("outcome")], FEAR));
        // Shares are drawn in percent.
        let k = if svg.contains(">percent<") { 100.0 } else { 1.0 };
        let x: f64 = row[col(FEAR)].parse().unwrap();
        let start = format!("<circle class=\"mean\" data-series=\"{}\" data-x=\"{x}\"", row[col("scenario")]);
        assert_eq!(attributes(svg, &start, "data-y").len(), 1, "{start}");
        assert!(close(attributes(svg, &start, "data-y")[0], mean * k), "{start}: {mean}");
        let low: f64 = row[col("ci_low")].parse::<f64>().unwrap() * k;
        let ci = attributes(
            svg,
            &format!("<path class=\"ci\" data-series=\"{}\"", row[col("scenario")]),
            "data-low",
        );
        assert!(ci.iter().any(|l| close(*l, low)), "{start}: {low} not in {ci:?}");
        // Not only close: the report's intervals come from the sweep's own arithmetic
        // (`scslab-stats`), so an interval not rescaled for display is the same number.
        if k == 1.0 {
            assert!(ci.contains(&low), "{start}: {low} not exactly in {ci:?}");
            exact += 1;
        }
        checked += 1;
    }
    assert!(checked >= 40, "{checked} means checked");
    assert!(exact >= 10, "{exact} intervals compared exactly");
    // The headline summary lists every row of summary.csv.
    let table = &html[html.find("id=\"summary-table\"").unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    assert_eq!(table.matches("<tr><td>").count(), rows.len());
    assert!(table.contains("china-2020 − none"));
}

#[test]
fn a_grid_sweep_report_draws_the_paired_differences_of_summary_csv() {
    let dir = grid_dir();
    let report = render(dir);
    let html = &report.html;
    let (header, rows) = csv(&dir.join("summary.csv"));
    let col = |name: &str| header.iter().position(|c| c == name).unwrap();
    let mut checked = 0;
    for row in rows.iter().filter(|r| r[col("kind")] == "difference") {
        let mean: f64 = row[col("mean")].parse().unwrap_or(f64::NAN);
        let outcome = &row[col("outcome")];
        if !mean.is_finite() {
            continue;
        }
        let svg = chart(html, &difference_id(outcome, FEAR));
        assert!(svg.contains(": difference from none, by fear perception</title>"), "{outcome}");
        let x: f64 = row[col(FEAR)].parse().unwrap();
        let start = format!("<circle class=\"mean\" data-series=\"china-2020 minus none\" data-x=\"{x}\"");
        let drawn = attributes(svg, &start, "data-y");
        assert_eq!(drawn.len(), 1, "{outcome}: {start}");
        // Shares are drawn in percentage points.
        let share = svg.contains(">difference (percentage points)<");
        let expected = if share { mean * 100.0 } else { mean };
        assert!(
            (drawn[0] - expected).abs() <= 1e-9 * expected.abs().max(1e-9),
            "{outcome}: {drawn:?} vs {expected}"
        );
        checked += 1;
    }
    assert!(checked >= 20, "{checked} differences checked");
    // The page opens with findings in words, each with its interval.
    let findings = &html[html.find("<section id=\"findings\">").unwrap()..];
    let findings = &findings[..findings.find("</section>").unwrap()];
    assert!(findings.contains("china-2020 minus none"), "{findings}");
    assert!(findings.contains("95% interval"), "{findings}");
}

#[test]
fn a_grid_over_two_parameters_shows_the_marginal_response() {
    let dir = grid2_dir();
    let report = render(dir);
    let outcomes = outcomes(dir, &[FEAR, JUDGMENT]);
    assert_eq!(figures(&report.html), 4 * outcomes.len() + SERIES_CHARTS.len());
    assert_eq!(report.charts.len(), figures(&report.html) - not_drawn(&report.html));
    let html = &report.html;
    let id = response_id("compliance_rate", FEAR);
    let svg = chart(html, &id);
    let figure = &html[html.find(&format!("<figure id=\"fig-{id}\"")).unwrap()..];
    let caption = &figure[..figure.find("</figure>").unwrap()];
    assert!(
        caption.contains("Marginal response")
            && caption.contains("detection of judgment default by court defaulters"),
        "{caption}"
    );
    // `none` has no court lists: the note says it runs unchanged.
    let by_judgment = &html
        [html.find(&format!("<figure id=\"fig-{}\"", response_id("compliance_rate", JUDGMENT))).unwrap()..];
    assert!(by_judgment[..by_judgment.find("</figure>").unwrap()].contains("does not apply to none"));

    // The marginal mean at each value is the mean of the design points' means at that value
    // (two judgment values each), as summary.csv has them.
    let (header, rows) = csv(&dir.join("summary.csv"));
    let col = |name: &str| header.iter().position(|c| c == name).unwrap();
    for scenario in ["none", "china-2020"] {
        for x in [0.0, 1.0] {
            let means: Vec<f64> = rows
                .iter()
                .filter(|r| r[col("kind")] == "mean" && r[col("scenario")] == scenario)
                .filter(|r| {
                    r[col("outcome")] == "compliance_rate" && r[col(FEAR)].parse::<f64>().unwrap() == x
                })
                .map(|r| r[col("mean")].parse().unwrap())
                .collect();
            assert_eq!(means.len(), 2);
            let start = format!("<circle class=\"mean\" data-series=\"{scenario}\" data-x=\"{x}\"");
            let drawn = attributes(svg, &start, "data-y");
            // Compliance is a share, drawn in percent.
            let expected = (means[0] + means[1]) / 2.0 * 100.0;
            assert!((drawn[0] - expected).abs() <= 1e-10, "{start}: {drawn:?} vs {expected}");
        }
    }
}

#[test]
fn a_latin_hypercube_report_scatters_every_run_with_a_binned_mean() {
    let dir = hypercube_dir();
    let report = render(dir);
    let params = ["behaviour.fear_perception", "behaviour.deterrence_weight"];
    assert_eq!(figures(&report.html), 2 * outcomes(dir, &params).len() + SERIES_CHARTS.len());
    assert_eq!(report.charts.len(), figures(&report.html) - not_drawn(&report.html));
    let html = &report.html;
    assert!(html.contains("A Latin hypercube of 4 design points"));
    let svg = chart(html, &response_id("compliance_rate", params[1]));
    // 4 design points x 2 replications, at the parameter's values in runs.csv.
    let xs = attributes(svg, "<circle class=\"run\"", "data-x");
    assert_eq!(xs.len(), 8);
    let (header, rows) = csv(&dir.join("runs.csv"));
    let col = header.iter().position(|c| c == params[1]).unwrap();
    let mut expected: Vec<f64> = rows.iter().map(|r| r[col].parse().unwrap()).collect();
    let mut xs = xs;
    expected.sort_by(f64::total_cmp);
    xs.sort_by(f64::total_cmp);
    assert_eq!(xs, expected);
    assert!(svg.contains("class=\"trend\"") && svg.contains("china-2020: binned mean"));
    assert!(!svg.contains("class=\"mean\""));
}

#[test]
fn damaged_sweep_folders_are_refused_with_the_file() {
    let dir = copy_of(grid_dir(), "sweep-damaged");
    let summary = dir.join("summary.csv");
    let text = std::fs::read_to_string(&summary).unwrap();
    std::fs::write(&summary, text.replacen("ci_low", "low", 1)).unwrap();
    let e = scslab_report::render(&dir).unwrap_err();
    assert!(matches!(e, ReportError::Csv { line: 1, .. }), "{e}");
    assert!(e.to_string().contains("summary.csv:1: no column `ci_low`"), "{e}");

    std::fs::remove_file(dir.join("runs.csv")).unwrap();
    let e = scslab_report::render(&dir).unwrap_err();
    assert!(matches!(&e, ReportError::MissingFile { path, .. } if path.ends_with("runs.csv")), "{e}");

    let manifest = dir.join("manifest.json");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, text.replacen("\"kind\": \"grid\"", "\"kind\": \"spiral\"", 1)).unwrap();
    let e = scslab_report::render(&dir).unwrap_err();
    assert!(e.to_string().contains("field `/design/kind`"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_sobol_sweep_report_ranks_the_parameters_by_their_total_index() {
    // A key `none` lacks is exactly inert there; fear perception is not. Two scenarios, N = 4,
    // two parameters: 16 design points x 2 scenarios x 2 replications = 64 runs.
    let dir = sweep(
        "sweep-sobol",
        "name = \"sobol\"\nscenarios = [\"none\", \"china-2020\"]\npeople = 400\ndays = 5\nreplications = 2\n\
         [design]\nkind = \"sobol\"\nsamples = 4\nseed = 3\n\
         [[parameter]]\nkey = \"behaviour.fear_perception\"\nmin = 0.0\nmax = 1.0\n\
         [[parameter]]\nkey = \"authority.court_defaulters.detect.judgment_default\"\nmin = 0.001\nmax = 0.05\n",
    );
    let report = render(&dir);
    let html = &report.html;
    assert!(html.contains("id=\"sensitivity\""), "no sensitivity section");
    assert!(html.contains("4 base rows over the intervals below, 16 design points"));
    let bars = chart(html, "sensitivity-compliance_rate");
    assert!(bars.contains("ST"), "{bars}");
    // One figure per outcome in the sensitivity section.
    let params = [FEAR, JUDGMENT];
    for outcome in outcomes(&dir, &params) {
        chart(html, &format!("sensitivity-{}", outcome.replace('.', "-")));
    }
    // A Sobol' folder without its sensitivity table is refused.
    let damaged = copy_of(&dir, "sweep-sobol-damaged");
    std::fs::remove_file(damaged.join("sensitivity.csv")).unwrap();
    assert!(matches!(scslab_report::render(&damaged), Err(ReportError::MissingFile { .. })));
}
