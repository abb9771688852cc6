//! What a lay reader sees: findings in words at the top, numbers in their units, "n/a" for what
//! is not defined, dates on the axes, and the audit and calibration pages, from real run folders
//! (edited as the newer runner writes them) and hand-written audit and calibration folders.

use std::path::PathBuf;

use scslab_report::ReportKind;

use super::{chart, comparison_dir, copy_of, render, run_dir, temp};

/// The `<section id="{id}">` of a page.
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html.find(&format!("<section id=\"{id}\">")).unwrap_or_else(|| panic!("no section {id}"));
    let len = html[start..].find("</section>").unwrap();
    &html[start..start + len]
}

/// The `<tr>` of a headline outcome.
fn headline_row<'a>(html: &'a str, key: &str) -> &'a str {
    let start = html.find(&format!("<tr id=\"headline-{key}\">")).unwrap_or_else(|| panic!("no row {key}"));
    let len = html[start..].find("</tr>").unwrap();
    &html[start..start + len]
}

/// Whether a text holds a number in scientific notation (`4.2165e7`, `1.2E-5`).
fn has_exponent(text: &str) -> bool {
    let b = text.as_bytes();
    let at = (1..b.len().saturating_sub(1)).find(|&i| {
        (b[i] == b'e' || b[i] == b'E')
            && b[i - 1].is_ascii_digit()
            && (b[i + 1].is_ascii_digit() || b[i + 1] == b'-' || b[i + 1] == b'+')
    });
    if let Some(i) = at {
        eprintln!(
            "exponent at: {}",
            String::from_utf8_lossy(&b[i.saturating_sub(40)..(i + 40).min(b.len())])
        );
    }
    at.is_some()
}

/// The text a person reads: the page without its tags and their attributes, and without the
/// scenario file it quotes (a file's own notation, such as `2.16e12`, is kept there as written).
fn visible_text(html: &str) -> String {
    let html = html.find("<section id=\"scenario\">").map_or(html, |i| &html[..i]);
    let html = html.find("</style>").map_or(html, |i| &html[i..]);
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[test]
fn a_comparison_page_opens_with_its_findings_in_words() {
    let report = render(comparison_dir());
    let html = &report.html;
    let findings = section(html, "findings");
    assert!(html.find("id=\"findings\"").unwrap() < html.find("id=\"header\"").unwrap());
    assert!(findings.contains("in a synthetic sample of 3,000 people"), "{findings}");
    let items: Vec<&str> = findings.split("<li ").skip(1).collect();
    assert!(!items.is_empty() && items.len() <= 5, "{findings}");
    for item in &items {
        assert!(item.contains("under china-2020") && item.contains("under none"), "{item}");
        assert!(item.contains("(difference "), "{item}");
        assert!(!item.contains("n/a"), "n/a is never a finding: {item}");
    }
    // Totals are scaled to China, and say that it is a scaling.
    if let Some(item) = items.iter().find(|i| i.contains("data-outcome=\"sanctions\"")) {
        assert!(item.contains("China&#39;s 1.41 billion people (2020 census)"), "{item}");
        assert!(item.contains("not a forecast"), "{item}");
    }
    let text = visible_text(html);
    assert!(!text.contains("fixed-point") && !text.contains("fixed point"), "fixed-point units shown");
    assert!(!has_exponent(&text), "scientific notation in the page");
    assert!(!text.contains("NaN"));
    let criticism = chart(html, "chart-chilling-criticism");
    assert!(criticism.contains(">acts per 1,000 adults a day<"), "{criticism}");
}

#[test]
fn a_run_page_says_its_main_numbers_in_words() {
    let report = render(run_dir());
    let findings = section(&report.html, "findings");
    assert!(findings.contains("The main numbers of <strong>china-2020</strong>"), "{findings}");
    assert!(findings.contains("data-outcome=\"compliance_rate\""), "{findings}");
    assert!(findings.contains("%."), "a share in percent: {findings}");
}

#[test]
fn an_undefined_ratio_is_na_and_so_is_its_difference() {
    // As the runner writes them: a `unit` column, and an empty field for an undefined ratio (the
    // counterfactual `none` imposes no sanction, so its false share of sanctions is undefined).
    let dir = comparison_dir();
    let csv = std::fs::read_to_string(dir.join("comparison.csv")).unwrap();
    assert!(csv.starts_with("outcome,label,scenario,against,difference,unit\n"), "{csv}");
    let line = csv.lines().find(|l| l.starts_with("false_sanction_share,")).unwrap();
    assert!(line.ends_with(",,,share"), "the counterfactual and the difference are empty: {line}");
    let report = render(dir);
    for key in ["false_sanction_share", "sanction_disparity_income"] {
        let row = headline_row(&report.html, key);
        assert!(row.ends_with("<td class=\"num\">n/a</td><td class=\"num\">n/a</td>"), "{row}");
        assert!(!row.contains("0 pp") && !row.contains(">0<"), "{row}");
    }
    assert!(report.html.contains("a difference involving n/a is n/a"));
    let findings = section(&report.html, "findings");
    assert!(!findings.contains("false_sanction_share") && !findings.contains("sanction_disparity_income"));
}

#[test]
fn days_are_dates_when_the_scenario_has_a_start_date() {
    let dir = copy_of(run_dir(), "dates");
    let path = dir.join("manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let text = manifest["scenario"]["text"].as_str().unwrap().to_string();
    let text = text.replacen("[scenario]\n", "[scenario]\nstart_date = \"2020-01-01\"\n", 1);
    manifest["scenario"]["text"] = serde_json::Value::String(text);
    std::fs::write(&path, manifest.to_string()).unwrap();
    let report = render(&dir);
    let compliance = chart(&report.html, "chart-compliance");
    assert!(compliance.contains(">Jan 2020<") && compliance.contains(">date<"), "{compliance}");
    assert!(report.html.contains("<dt>days</dt><dd>30 (1 Jan 2020 to 30 Jan 2020)</dd>"));
    // Without one, the axis is the day of the run and ends at the last day.
    let plain_dir = copy_of(run_dir(), "no-dates");
    let path = plain_dir.join("manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let text = manifest["scenario"]["text"].as_str().unwrap().to_string();
    let text: String =
        text.lines().filter(|l| !l.starts_with("start_date")).map(|l| format!("{l}\n")).collect();
    manifest["scenario"]["text"] = serde_json::Value::String(text);
    std::fs::write(&path, manifest.to_string()).unwrap();
    let plain = render(&plain_dir);
    let compliance = chart(&plain.html, "chart-compliance");
    assert!(compliance.contains(">day of the run<") && !compliance.contains(">Jan 2020<"));
    assert!(!compliance.contains(">30<") && !compliance.contains(">35<"), "the axis runs past day 29");
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&plain_dir);
}

#[test]
fn lists_of_very_different_sizes_get_one_small_chart_each() {
    let report = render(run_dir());
    let lists = chart(&report.html, "chart-lists-persons");
    let charts = lists.matches("<svg ").count();
    assert!(charts >= 3, "{charts} small charts");
    // One line per chart: a list of 10,000 never flattens a list of 10.
    assert_eq!(lists.matches("<polyline").count(), charts, "{lists}");
}

const AUDIT_MANIFEST: &str = r#"{"kind": "audit", "scenario": "china-2020", "against": "integrated",
  "people": 5000, "days": 60, "replications": 3, "seed": 2020,
  "repeat": "scslab audit --scenario scenario-china-2020.toml --against scenario-integrated.toml"}"#;

const AUDIT_CSV: &str = "\
scenario,criterion,statistic,label,replications,estimate,ci_low,ci_high,finding,against,against_estimate,against_ci_low,against_ci_high,against_finding,difference,difference_ci_low,difference_ci_high
china-2020,art5_1c_i_unrelated_contexts,spillover_share,Share of sanctions from an unrelated context,3,0.38518518518518513,-0.44531056408545294,1.2156809344558233,indicated (interval reaches the threshold),integrated,0.7802197802197802,0.24737984914202293,1.3130597112975375,met,-0.39503459503459504,-1.7103779039594424,0.9203087138902524
china-2020,art5_1c_i_unrelated_contexts,sanctions_per_1000_adults_year,\"Sanctions per 1,000 adults a year (persons and firms)\",3,9.428596474476041,-10.963555955482427,29.82074890443451,,integrated,25.826702243147242,-2.664477857994747,54.31788234428923,,-16.398105768671204,-37.23386426882705,4.4376527314846435
china-2020,art5_1c_i_unrelated_contexts,spillover_share_internet_throttle,Share of sanctions: internet_throttle in an unrelated context,3,,,,,integrated,0,0,0,,,,
china-2020,disparate_impact,ratio_income_q1_q5,\"Sanction rate ratio, lowest / highest income quintile\",3,0.9742879067293962,0.9247899485260049,1.026435166939378,indicated (interval reaches the threshold),integrated,5.925815850572564,0.1200392231491517,292.5318289611507,indicated (interval reaches the threshold),-9.126958809536376,-28.773920255701803,10.520002636629052
";

/// A hand-written audit folder (rows of a real `scslab audit` run).
pub(crate) fn audit_folder(name: &str) -> PathBuf {
    let dir = temp(name);
    std::fs::write(dir.join("manifest.json"), AUDIT_MANIFEST).unwrap();
    std::fs::write(dir.join("audit.csv"), AUDIT_CSV).unwrap();
    dir
}

#[test]
fn an_audit_folder_gets_a_page_whose_differences_agree_with_their_neighbours() {
    let dir = audit_folder("audit");
    let report = render(&dir);
    assert_eq!(
        report.kind,
        ReportKind::Audit { scenario: "china-2020".into(), against: Some("integrated".into()) }
    );
    let html = &report.html;
    let findings = section(html, "findings");
    assert!(
        findings.contains("Share of sanctions from an unrelated context: 38.5% (95% interval 0% to 100%)")
    );
    assert!(findings.contains("<strong>integrated</strong>, Art. 5(1)(c)(i)"), "{findings}");
    assert!(findings.contains("<strong>met: the whole 95% interval is past the threshold</strong>"));
    // A rate with its unit once per interval; a share's interval cut at 0% and 100%.
    assert!(html.contains(
        "9.43 per 1,000 adults a year</td><td class=\"num\">0 to 29.8 per 1,000 adults a year</td>"
    ));
    // audit.csv's difference of the ratio (-9.13) is not 0.974 - 5.93: the page shows -4.95,
    // marked, without an interval.
    let ratio = &html[html.find("data-statistic=\"ratio_income_q1_q5\"").unwrap()..];
    let ratio = &ratio[..ratio.find("</tr>").unwrap()];
    assert!(ratio.contains("−4.95× *</td><td class=\"num\">n/a</td>"), "{ratio}");
    assert!(!ratio.contains("9.13"), "{ratio}");
    // The share's difference is audit.csv's, with its interval.
    let share = &html[html.find("data-statistic=\"spillover_share\"").unwrap()..];
    let share = &share[..share.find("</tr>").unwrap()];
    assert!(share.contains("−39.5 pp</td><td class=\"num\">−171 pp to +92 pp</td>"), "{share}");
    // An undefined statistic: n/a, and so is the difference.
    let na = &html[html.find("data-statistic=\"spillover_share_internet_throttle\"").unwrap()..];
    let na = &na[..na.find("</tr>").unwrap()];
    assert_eq!(na.matches(">n/a<").count(), 4, "{na}");
    assert!(!has_exponent(&visible_text(html)) && !html.contains("NaN"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A hand-written calibration folder: two facts, a trajectory of 500 days.
pub(crate) fn calibration_folder(name: &str) -> PathBuf {
    let dir = temp(name);
    std::fs::write(
        dir.join("manifest.json"),
        r#"{"kind": "calibration", "scenario": "china-2020-calibration", "day0": "2013-10-01", "days": 500,
           "people": 5000, "replications": 2, "seed": 2020, "population_scaled_to": 1411780000.0,
           "tolerance": 0.2, "repeat": "scslab calibrate --people 5000 --replications 2"}"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("calibration.csv"),
        "date,day,fact,quantity,source,sourced,simulated_mean,ci_low,ci_high,within_low,within_high,ratio,within\n\
         2014-03-10,160,B9,list_stock,\"87,079 persons on the list on 2014-03-10\",87079,282356,-3305317.1,3870029.1,-2644253.7,4644034.9,0.308,yes\n\
         2014-12-31,456,B10,list_stock,\">700,000 persons on the list by Dec 2014\",700000,1270602.4,1200000,1300000,960000,1560000,0.55,no\n",
    )
    .unwrap();
    let mut trajectory = String::from("day,date,quantity,mean,ci_low,ci_high\n");
    for day in 0..500 {
        trajectory.push_str(&format!("{day},x,list_stock,{},{},{}\n", day * 2000, day * 1500, day * 2500));
    }
    std::fs::write(dir.join("trajectory.csv"), trajectory).unwrap();
    dir
}

#[test]
fn a_fit_page_shows_the_posterior_the_correlations_and_the_errors() {
    let dir = calibration_folder("calibration-fit");
    std::fs::write(
        dir.join("manifest.json"),
        r#"{"kind": "calibration", "method": "abc-smc", "scenario": "china-2020-calibration", "day0": "2013-10-01",
           "days": 500, "people": 5000, "predictive_runs": 40, "seed": 2020, "population_scaled_to": 1411780000.0,
           "band": "the simulated 95% interval widened by 1.96 standard errors (sd) of the target on each side",
           "generations": 4, "simulations": 160, "tolerance": 1.25, "repeat": "scslab calibrate --fit"}"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("calibration.csv"),
        "date,day,fact,quantity,role,source,sourced,sd,simulated_mean,ci_low,ci_high,within_low,within_high,ratio,relative_error,log_error,within\n\
         2014-12-31,456,B10,list_stock,holdout,\">700,000\",700000,70000,770000,600000,900000,462800,1037200,0.91,0.1,0.0953,yes\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("posterior.csv"),
        "parameter,prior,prior_min,prior_max,scenario_value,mean,sd,ci_low,median,ci_high\n\
         behaviour.deterrence_weight,log-uniform,0.02,0.125,0.05,0.061,0.01,0.043,0.06,0.082\n\
         behaviour.person_rate.judgment_default,log-uniform,1.3e-5,5.2e-5,2.6e-5,2.9e-5,3e-6,2.4e-5,2.9e-5,3.5e-5\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("correlations.csv"),
        "parameter_a,parameter_b,correlation\nbehaviour.deterrence_weight,behaviour.person_rate.judgment_default,0.83\n",
    )
    .unwrap();
    let html = render(&dir).html;
    let posterior = section(&html, "posterior");
    assert!(posterior.contains("id=\"posterior-table\"") && posterior.contains("id=\"correlation-table\""));
    assert!(posterior.contains("<td class=\"num\">4.3000e-2 to 8.2000e-2</td>"), "{posterior}");
    assert!(posterior.contains("<td class=\"num\">+0.830</td>"), "{posterior}");
    assert!(section(&html, "findings").contains("40 posterior predictive runs"));
    assert!(section(&html, "findings").contains("1.96 standard errors"));
    let fit = section(&html, "fit");
    assert!(fit.contains("B10 (held out)") && fit.contains("<td class=\"num\">+10.0%</td>"), "{fit}");
    assert!(fit.contains("<td class=\"num\">+0.095</td>"), "{fit}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_calibration_page_explains_within_with_the_range_it_uses() {
    let dir = calibration_folder("calibration");
    let report = render(&dir);
    let html = &report.html;
    let findings = section(html, "findings");
    assert!(findings.contains("<strong>1 of 2 sourced figures</strong>"), "{findings}");
    assert!(findings.contains("widened by 20%"), "{findings}");
    // The interval shown and the range used, both cut at 0, counts without decimals.
    assert!(
        html.contains(
            "<td class=\"num\">0 to 3,870,029</td><td class=\"num\">0 to 4,644,035</td><td>yes</td>"
        )
    );
    assert!(html.contains("<td class=\"num\">1,270,602</td>"));
    assert!(html.contains("<td>10 Mar 2014</td>"));
    let svg = chart(html, "calibration-list_stock");
    assert!(svg.contains(">Jan 2014<") && svg.contains(">date<"), "{svg}");
    assert!(!has_exponent(&visible_text(html)));
    let _ = std::fs::remove_dir_all(&dir);
}
