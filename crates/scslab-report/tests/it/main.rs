//! The report built from real output folders: a small run and a small comparison, written through
//! `scslab-runner` once per test binary, then read back, damaged copies of them refused with the
//! file and line, and the page rendered by a headless browser (`browser.rs`).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use scslab_report::{Report, ReportError, ReportKind};
use scslab_runner::RunConfig;

mod browser;
mod pages;
mod sweep;

const PEOPLE: u64 = 3_000;
const DAYS: u32 = 30;

/// Every chart a run or comparison report draws.
const CHARTS: [&str; 14] = [
    "chart-compliance",
    "chart-violations",
    "chart-lists-persons",
    "chart-lists-firms",
    "chart-chilling-criticism",
    "chart-chilling-dissenters",
    "chart-false-sanctions",
    "chart-false-records",
    "chart-spillover",
    "chart-groups-sanctions",
    "chart-groups-blacklisted",
    "chart-province-blacklisted",
    "chart-province-sanctions",
    "chart-province-firms",
];

/// The line charts (over days) among [`CHARTS`].
const LINE_CHARTS: usize = 9;

/// A fresh, empty folder under the system temp folder.
fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("scslab-report-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn config(dir: &Path) -> RunConfig {
    let mut s = scslab_scenario::preset("china-2020").unwrap();
    s.params.n_persons = PEOPLE;
    s.params.days = DAYS;
    let mut cfg = RunConfig::new(s);
    cfg.threads = 2;
    cfg.out_dir = Some(dir.to_path_buf());
    cfg.command = "scslab run --people 3000 --days 30".into();
    cfg
}

/// A run folder, written once.
fn run_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = temp("run");
        scslab_runner::run(&config(&dir), &mut |_| {}).unwrap();
        dir
    })
}

/// A comparison folder (china-2020 against none), written once.
fn comparison_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = temp("cmp");
        let none = scslab_scenario::preset("none").unwrap();
        scslab_runner::compare(&config(&dir), none, &mut |_| {}).unwrap();
        dir
    })
}

/// A copy of a folder (and its `against-*` folders), to damage.
fn copy_of(src: &Path, name: &str) -> PathBuf {
    fn copy(src: &Path, dst: &Path) {
        std::fs::create_dir_all(dst).unwrap();
        for entry in std::fs::read_dir(src).unwrap() {
            let path = entry.unwrap().path();
            let target = dst.join(path.file_name().unwrap());
            if path.is_dir() {
                copy(&path, &target);
            } else {
                std::fs::copy(&path, &target).unwrap();
            }
        }
    }
    let dst = temp(name);
    copy(src, &dst);
    dst
}

/// The `<svg ... id="{id}" ...>...</svg>` element of a chart, in the page or in a browser's DOM;
/// for small multiples, the `<div id="{id}">` holding their charts.
fn chart<'a>(html: &'a str, id: &str) -> &'a str {
    let at = html.find(&format!(" id=\"{id}\"")).unwrap_or_else(|| panic!("no chart {id}"));
    let start = html[..at].rfind('<').unwrap();
    let end = if html[start..].starts_with("<div") { "</div>" } else { "</svg>" };
    assert!(html[start..].starts_with("<svg") || end == "</div>", "{id} is not an svg element");
    let len = html[start..].find(end).unwrap();
    &html[start..start + len]
}

/// Point counts of the polylines of an SVG fragment, and whether each is dashed.
fn polylines(svg: &str) -> Vec<(usize, bool)> {
    svg.split("<polyline")
        .skip(1)
        .map(|p| {
            let element = &p[..p.find('>').unwrap()];
            let points = element.split("points=\"").nth(1).unwrap().split('"').next().unwrap();
            (points.split(' ').filter(|s| !s.is_empty()).count(), element.contains("stroke-dasharray"))
        })
        .collect()
}

fn render(dir: &Path) -> Report {
    scslab_report::render(dir).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_run_report_has_every_chart_with_one_point_per_day() {
    let report = render(run_dir());
    assert_eq!(report.kind, ReportKind::Run { scenario: "china-2020".into() });
    assert_eq!(report.charts, CHARTS);
    assert!(report.skipped.is_empty());
    let html = &report.html;
    assert!(html.contains("<strong id=\"scenario-name\">china-2020</strong>"));
    assert!(html.contains("scslab run --scenario scenario.toml --people 3000 --days 30 --seed 2020"));
    assert!(html.contains("<dt>people</dt><dd>3,000 (a synthetic sample)</dd>"));
    // Rates with their unit, counts without decimals.
    assert!(html.contains(" per 1,000 adults a year</td>"));
    let sanctions = &html[html.find("<tr id=\"headline-sanctions\">").unwrap()..];
    let sanctions = &sanctions[..sanctions.find("</tr>").unwrap()];
    assert!(!sanctions.contains('.'), "a count with decimals: {sanctions}");
    for id in &CHARTS[..LINE_CHARTS] {
        let lines = polylines(chart(html, id));
        assert!(!lines.is_empty(), "{id} has no lines");
        for (points, dashed) in lines {
            assert_eq!(points, DAYS as usize, "{id}");
            assert!(!dashed, "{id}: a run has no counterfactual");
        }
    }
    for id in &CHARTS[LINE_CHARTS..] {
        assert!(chart(html, id).contains("<rect data-series=\"china-2020\""), "{id} has no bars");
    }
    // 31 provinces, each with a bar or "n/a".
    assert_eq!(chart(html, "chart-province-blacklisted").matches("class=\"category\"").count(), 31);
    assert!(!html.contains("NaN") && !html.contains("<script"));
}

#[test]
fn a_comparison_report_draws_the_counterfactual_dashed() {
    let report = render(comparison_dir());
    assert_eq!(report.kind, ReportKind::Comparison { scenario: "china-2020".into(), against: "none".into() });
    assert_eq!(report.charts, CHARTS);
    let html = &report.html;
    assert!(html.contains("<strong id=\"against-name\">none</strong>"));
    assert!(html.contains("--against against-none/scenario.toml"));
    assert!(html.contains("<th class=\"num\">none</th><th class=\"num\">difference</th>"));
    let compliance = polylines(chart(html, "chart-compliance"));
    assert_eq!(compliance, [(DAYS as usize, false), (DAYS as usize, true)]);
    // The counterfactual has no lists: its list lines are left out, with a note.
    let lists = polylines(chart(html, "chart-lists-persons"));
    assert!(lists.iter().any(|l| l.1) && lists.iter().any(|l| !l.1));
    assert!(html.contains("No counterfactual line for"));
    assert!(chart(html, "chart-groups-sanctions").contains("<rect data-series=\"none\""));
}

#[test]
fn the_report_is_written_atomically_to_the_default_path_or_elsewhere() {
    let dir = copy_of(run_dir(), "write");
    let report = render(&dir);
    let path = scslab_report::write(&report, &scslab_report::default_path(&dir)).unwrap();
    assert_eq!(path, dir.join("report.html"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), report.html);
    let other = dir.join("elsewhere").join("r.html");
    assert_eq!(scslab_report::write(&report, &other).unwrap(), other);
    assert!(other.is_file());
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // A report of a folder holding a report is the same report.
    assert_eq!(render(&dir).html, report.html);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn missing_folders_files_and_bad_manifests_are_typed_errors() {
    let missing = std::env::temp_dir().join("scslab-report-no-such-folder");
    assert!(matches!(scslab_report::render(&missing), Err(ReportError::NoFolder { .. })));

    let dir = copy_of(run_dir(), "bad-manifest");
    std::fs::remove_file(dir.join("series_firms.csv")).unwrap();
    let e = scslab_report::render(&dir).unwrap_err();
    assert!(matches!(&e, ReportError::MissingFile { path, .. } if path.ends_with("series_firms.csv")), "{e}");

    std::fs::remove_file(dir.join("manifest.json")).unwrap();
    let e = scslab_report::render(&dir).unwrap_err();
    assert!(e.to_string().contains("manifest.json: missing"), "{e}");

    std::fs::write(dir.join("manifest.json"), "{\"people\": 3,\n").unwrap();
    let e = scslab_report::render(&dir).unwrap_err();
    assert!(matches!(e, ReportError::Json { .. }), "{e}");
    assert!(e.to_string().contains("line 2"), "{e}");

    std::fs::write(dir.join("manifest.json"), "{\"kind\": \"mystery\"}").unwrap();
    let e = scslab_report::render(&dir).unwrap_err();
    assert!(matches!(e, ReportError::UnsupportedKind { ref kind, .. } if kind == "mystery"), "{e}");
    assert!(e.to_string().contains("expected a run, comparison, sweep, audit or calibration folder"), "{e}");

    // An audit folder without its table.
    std::fs::write(dir.join("manifest.json"), "{\"kind\": \"audit\"}").unwrap();
    let e = scslab_report::render(&dir).unwrap_err();
    assert!(matches!(&e, ReportError::MissingFile { path, .. } if path.ends_with("audit.csv")), "{e}");

    // A manifest that says it is a sweep's is read as one, and its fields are checked.
    std::fs::write(dir.join("manifest.json"), "{\"kind\": \"sweep\"}").unwrap();
    let e = scslab_report::render(&dir).unwrap_err();
    assert!(matches!(e, ReportError::ManifestField { .. }), "{e}");

    std::fs::write(dir.join("manifest.json"), "{\"scslab_version\": \"0.1.0\"}").unwrap();
    let e = scslab_report::render(&dir).unwrap_err();
    assert!(e.to_string().contains("field `/scenario/name`: expected a string"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn malformed_csv_is_refused_with_file_and_line() {
    let dir = copy_of(run_dir(), "bad-csv");
    let file = dir.join("series_persons.csv");
    let text = std::fs::read_to_string(&file).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    // Line 5: one field too few.
    let cut = lines[4].rfind(',').unwrap();
    lines[4].truncate(cut);
    std::fs::write(&file, lines.join("\n")).unwrap();
    let e = scslab_report::render(&dir).unwrap_err();
    assert!(matches!(e, ReportError::Csv { line: 5, .. }), "{e}");
    assert!(e.to_string().contains("series_persons.csv:5: expected"), "{e}");

    // Line 3: not a number where a number is plotted.
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let column = header.iter().position(|c| *c == "compliance_rate").unwrap();
    let mut fields: Vec<String> = lines[2].split(',').map(str::to_string).collect();
    fields[column] = "many".into();
    lines[2] = fields.join(",");
    std::fs::write(&file, lines.join("\n")).unwrap();
    let e = scslab_report::render(&dir).unwrap_err();
    assert!(
        e.to_string().contains("series_persons.csv:3: column `compliance_rate`: expected a number"),
        "{e}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_missing_column_skips_its_chart_with_a_note() {
    let dir = copy_of(run_dir(), "no-column");
    let file = dir.join("series_firms_by_province.csv");
    let text = std::fs::read_to_string(&file).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let drop = header.iter().position(|c| *c == "blacklisted").unwrap();
    let kept: Vec<String> = text
        .lines()
        .map(|l| {
            l.split(',').enumerate().filter(|(i, _)| *i != drop).map(|(_, f)| f).collect::<Vec<_>>().join(",")
        })
        .collect();
    std::fs::write(&file, kept.join("\n") + "\n").unwrap();
    let report = render(&dir);
    assert_eq!(report.skipped, ["chart-province-firms"]);
    assert!(report.html.contains("Not drawn: `blacklisted` is missing from series_firms_by_province.csv."));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_comparison_without_its_counterfactual_folder_is_refused() {
    let dir = copy_of(comparison_dir(), "no-against");
    std::fs::remove_dir_all(dir.join("against-none")).unwrap();
    let e = scslab_report::render(&dir).unwrap_err();
    assert!(e.to_string().contains("against-NAME/manifest.json: missing"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}
