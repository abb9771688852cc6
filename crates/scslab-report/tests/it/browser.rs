//! The report as a browser sees it: headless Debian Chromium loads the page from disk (no
//! network) and dumps the DOM it built; every chart must be there as SVG, with its lines: for a
//! comparison, a sweep (the paired differences and the responses), an audit and a calibration.
//!
//! Chromium is required (`apt-get install chromium`); set `SCSLAB_SKIP_BROWSER_TESTS=1` to skip.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";

/// Runs `chromium --headless --dump-dom` on a file and returns the DOM, giving up after a minute.
fn dump_dom(page: &Path, profile: &Path) -> String {
    let out = profile.join("dom.html");
    let mut child = Command::new(CHROMIUM)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {CHROMIUM}: {e}"));
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "{CHROMIUM} failed: {status}");
            break;
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{CHROMIUM} did not finish within 60 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    std::fs::read_to_string(&out).unwrap()
}

#[test]
fn headless_chromium_renders_every_chart_as_svg() {
    if std::env::var("SCSLAB_SKIP_BROWSER_TESTS").as_deref() == Ok("1") {
        eprintln!("skipped: SCSLAB_SKIP_BROWSER_TESTS=1");
        return;
    }
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} not found: the report's browser test needs Debian's chromium \
         (install it with `apt-get install chromium`), or set SCSLAB_SKIP_BROWSER_TESTS=1 to skip it"
    );
    let dir = super::copy_of(super::comparison_dir(), "browser");
    let report = super::render(&dir);
    let page = scslab_report::write(&report, &scslab_report::default_path(&dir)).unwrap();
    let profile = dir.join("chromium-profile");
    std::fs::create_dir_all(&profile).unwrap();
    let dom = dump_dom(&page.canonicalize().unwrap(), &profile);

    assert!(
        dom.contains("<strong id=\"scenario-name\">china-2020</strong>"),
        "{}",
        &dom[..dom.len().min(2000)]
    );
    // Every chart of the page, small multiples included, is in the DOM as SVG.
    let svgs = dom.matches("<svg ").count();
    assert_eq!(svgs, report.html.matches("<svg ").count(), "SVG elements in the rendered DOM");
    assert!(svgs > super::CHARTS.len(), "small multiples for the lists");
    assert!(dom.contains("<section id=\"findings\">"), "the findings open the page");
    for id in super::CHARTS {
        assert!(dom.contains(&format!("id=\"{id}\"")), "{id} missing from the rendered DOM");
    }
    for id in &super::CHARTS[..super::LINE_CHARTS] {
        let lines = super::polylines(super::chart(&dom, id));
        assert!(!lines.is_empty(), "{id}: no polylines in the rendered DOM");
        for (points, _) in lines {
            assert_eq!(points, super::DAYS as usize, "{id}: points of a rendered polyline");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn headless_chromium_renders_the_response_charts_of_a_sweep() {
    if std::env::var("SCSLAB_SKIP_BROWSER_TESTS").as_deref() == Ok("1") {
        eprintln!("skipped: SCSLAB_SKIP_BROWSER_TESTS=1");
        return;
    }
    assert!(Path::new(CHROMIUM).exists(), "{CHROMIUM} not found (see the test above)");
    let dir = super::copy_of(super::sweep::grid_dir(), "browser-sweep");
    let report = super::render(&dir);
    let page = scslab_report::write(&report, &scslab_report::default_path(&dir)).unwrap();
    let profile = dir.join("chromium-profile");
    std::fs::create_dir_all(&profile).unwrap();
    let dom = dump_dom(&page.canonicalize().unwrap(), &profile);

    assert!(dom.contains("<strong id=\"sweep-name\">grid</strong>"), "{}", &dom[..dom.len().min(2000)]);
    let parameter = "behaviour.fear_perception";
    let outcomes = super::sweep::outcomes(&dir, &[parameter]);
    let svgs = dom.matches("<svg ").count();
    assert_eq!(svgs, report.charts.len(), "SVG elements in the rendered DOM");
    assert_eq!(
        super::sweep::figures(&dom),
        2 * outcomes.len() + super::sweep::SERIES_CHARTS.len(),
        "figures in the rendered DOM, drawn or not"
    );
    let drawn = |id: &String| report.charts.contains(id);
    for outcome in &outcomes {
        let id = super::sweep::response_id(outcome, parameter);
        if !drawn(&id) {
            continue;
        }
        let svg = super::chart(&dom, &id);
        assert!(svg.contains(", by fear perception</title>"), "{outcome}");
        // A difference from `none` is undefined where `none` has none of the outcome (a share of
        // sanctions in runs without any): its figure is a note, not a chart.
        let difference = super::sweep::difference_id(outcome, parameter);
        if !drawn(&difference) {
            continue;
        }
        let svg = super::chart(&dom, &difference);
        assert!(svg.contains(": difference from none, by fear perception</title>"), "{outcome}");
    }
    let compliance = super::chart(&dom, &super::sweep::response_id("compliance_rate", parameter));
    assert_eq!(super::polylines(compliance), [(2, false), (2, false)], "response lines in the rendered DOM");
    assert_eq!(compliance.matches("<circle class=\"mean\"").count(), 4);
    assert_eq!(compliance.matches("<path class=\"ci\"").count(), 4);
    for id in super::sweep::SERIES_CHARTS {
        for (points, _) in super::polylines(super::chart(&dom, id)) {
            assert_eq!(points, super::sweep::SWEEP_DAYS, "{id}: points of a rendered polyline");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn headless_chromium_renders_the_audit_and_calibration_pages() {
    if std::env::var("SCSLAB_SKIP_BROWSER_TESTS").as_deref() == Ok("1") {
        eprintln!("skipped: SCSLAB_SKIP_BROWSER_TESTS=1");
        return;
    }
    assert!(Path::new(CHROMIUM).exists(), "{CHROMIUM} not found (see the first test)");
    for (dir, tables) in [
        (super::pages::audit_folder("browser-audit"), "class=\"audit-table\""),
        (super::pages::calibration_folder("browser-calibration"), "id=\"fit-table\""),
    ] {
        let report = super::render(&dir);
        let page = scslab_report::write(&report, &scslab_report::default_path(&dir)).unwrap();
        let profile = dir.join("chromium-profile");
        std::fs::create_dir_all(&profile).unwrap();
        let dom = dump_dom(&page.canonicalize().unwrap(), &profile);
        assert!(dom.contains("<section id=\"findings\">"), "{}", &dom[..dom.len().min(2000)]);
        assert!(dom.contains(tables), "{}", &dom[..dom.len().min(2000)]);
        assert_eq!(dom.matches("<svg ").count(), report.html.matches("<svg ").count());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
