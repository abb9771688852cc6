//! Reading a sweep folder written by `scslab sweep FILE`: the design from `manifest.json`, the
//! run-level values from `runs.csv`, the means and intervals from `summary.csv` and the daily
//! series from `series.csv` (the CSV copies; the Parquet ones are not read).

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::ReportError;
use crate::csv::CsvTable;
use crate::stats::Observation;

/// The columns of `runs.csv` and `series.csv` that identify a run, besides the parameters.
const KEY_COLUMNS: [&str; 5] = ["run_id", "scenario", "point", "replication", "seed"];

/// A sweep folder, read.
#[derive(Debug)]
pub(crate) struct SweepFolder {
    pub dir: PathBuf,
    pub manifest: SweepManifest,
    /// `runs.csv`, by column.
    pub runs: Runs,
    /// `summary.csv`: means and differences with their 95% intervals.
    pub summary: Vec<SummaryRow>,
    /// `series.csv`: one row per run and day.
    pub series: CsvTable,
    /// `sensitivity.csv` of a Morris or Sobol' sweep: the indices per scenario, outcome and
    /// parameter.
    pub sensitivity: Option<CsvTable>,
}

/// How the design points were chosen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum DesignKind {
    /// Every combination of the listed values.
    Grid,
    /// A Latin hypercube sample of `samples` points.
    LatinHypercube { samples: u64, seed: Option<u64> },
    /// Morris trajectories (global sensitivity analysis).
    Morris { trajectories: u64, levels: u64 },
    /// A Saltelli design of `samples` base rows (Sobol' indices).
    Sobol { samples: u64 },
}

/// The values (grid) or the interval (Latin hypercube) of a parameter.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ParameterRange {
    Values(Vec<f64>),
    Interval { min: f64, max: f64 },
}

/// One swept parameter, as the manifest lists it.
#[derive(Debug, Clone)]
pub(crate) struct SweptParameter {
    /// The dotted key, also the name of its column.
    pub key: String,
    /// Whole numbers only.
    pub integer: bool,
    pub range: ParameterRange,
    /// The scenarios that have the key; the others run unchanged.
    pub applies_to: Vec<String>,
}

/// A scenario of the sweep.
#[derive(Debug, Clone)]
pub(crate) struct SweepScenario {
    pub name: String,
    pub origin: Option<String>,
}

/// The fields of a sweep's `manifest.json` a report shows.
#[derive(Debug, Clone)]
pub(crate) struct SweepManifest {
    pub version: String,
    pub name: String,
    pub description: Option<String>,
    /// The sweep file's text.
    pub text: Option<String>,
    /// `common` (common random numbers) or `independent`.
    pub streams: String,
    /// The scenarios; the first is the baseline of the differences.
    pub scenarios: Vec<SweepScenario>,
    pub people: u64,
    pub days: u64,
    pub replications: u64,
    pub seed: u64,
    pub design: DesignKind,
    pub parameters: Vec<SweptParameter>,
    /// One value per parameter for each design point.
    pub points: Vec<Vec<f64>>,
    pub command: Option<String>,
}

/// `runs.csv`: one row per run.
#[derive(Debug)]
pub(crate) struct Runs {
    pub scenario: Vec<String>,
    /// The design point of each run (NaN when `runs.csv` has no `point` column).
    pub point: Vec<f64>,
    pub replication: Vec<u64>,
    /// One column per parameter, in the manifest's order.
    pub parameters: Vec<Vec<f64>>,
    /// (outcome key, one value per run), in file order.
    pub outcomes: Vec<(String, Vec<f64>)>,
}

impl SweepFolder {
    /// Reads a sweep folder whose manifest (at `path`) has been parsed into `manifest`.
    pub(crate) fn read(dir: &Path, path: &Path, manifest: &Value) -> Result<SweepFolder, ReportError> {
        let manifest = SweepManifest::parse(path, manifest)?;
        let table = |name: &str| -> Result<CsvTable, ReportError> {
            let path = dir.join(name);
            if !path.is_file() {
                return Err(ReportError::MissingFile {
                    path,
                    expected: "every finished sweep folder has it (written by `scslab sweep`)".into(),
                });
            }
            CsvTable::read(&path)
        };
        let runs = Runs::read(&table("runs.csv")?, &manifest)?;
        let summary = SummaryRow::read_all(&table("summary.csv")?)?;
        let series = table("series.csv")?;
        for column in ["scenario", "day"] {
            require(&series, column)?;
        }
        let sensitivity = match manifest.design {
            DesignKind::Morris { .. } | DesignKind::Sobol { .. } => {
                let t = table("sensitivity.csv")?;
                for column in ["scenario", "outcome", "parameter", "statistic", "value", "ci_low", "ci_high"]
                {
                    require(&t, column)?;
                }
                Some(t)
            }
            _ => None,
        };
        Ok(SweepFolder { dir: dir.to_path_buf(), manifest, runs, summary, series, sensitivity })
    }

    /// One scenario's run-level values of `outcome` against parameter `j`.
    pub(crate) fn observations(&self, scenario: &str, j: usize, outcome: &[f64]) -> Vec<Observation> {
        let runs = &self.runs;
        (0..runs.scenario.len())
            .filter(|&i| runs.scenario[i] == scenario)
            .map(|i| Observation {
                x: runs.parameters[j][i],
                replication: runs.replication[i],
                y: outcome[i],
            })
            .collect()
    }

    /// One scenario's paired differences from `baseline` in `outcome` against parameter `j`:
    /// each run minus the baseline's run at the same design point and replication (the same
    /// people and random numbers under common random numbers). Runs without a partner are left
    /// out.
    pub(crate) fn paired_differences(
        &self,
        scenario: &str,
        baseline: &str,
        j: usize,
        outcome: &[f64],
    ) -> Vec<Observation> {
        let runs = &self.runs;
        let partner = |i: usize| {
            (0..runs.scenario.len()).find(|&k| {
                runs.scenario[k] == baseline
                    && runs.point[k] == runs.point[i]
                    && runs.replication[k] == runs.replication[i]
            })
        };
        (0..runs.scenario.len())
            .filter(|&i| runs.scenario[i] == scenario)
            .filter_map(|i| {
                let k = partner(i)?;
                Some(Observation {
                    x: runs.parameters[j][i],
                    replication: runs.replication[i],
                    y: outcome[i] - outcome[k],
                })
            })
            .collect()
    }

    /// The distinct values parameter `j` takes in the design, ascending.
    pub(crate) fn values_of(&self, j: usize) -> Vec<f64> {
        let mut values: Vec<f64> = self.manifest.points.iter().filter_map(|p| p.get(j).copied()).collect();
        values.sort_by(f64::total_cmp);
        values.dedup();
        values
    }
}

/// One row of `summary.csv`: a mean over replications, or a difference from the baseline.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SummaryRow {
    /// `mean` or `difference`.
    pub kind: String,
    pub scenario: String,
    /// The scenario subtracted (differences only).
    pub baseline: String,
    pub point: f64,
    pub outcome: String,
    pub n: f64,
    pub mean: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    /// The outcome's unit, when the file has a `unit` column.
    pub unit: Option<String>,
}

impl SummaryRow {
    fn read_all(table: &CsvTable) -> Result<Vec<SummaryRow>, ReportError> {
        let text = |column: &str| -> Result<Vec<&str>, ReportError> {
            require(table, column)?;
            Ok(table.strings(column).unwrap_or_default())
        };
        let number = |column: &str| -> Result<Vec<f64>, ReportError> {
            require(table, column)?;
            Ok(table.numbers(column)?.unwrap_or_default())
        };
        let (kind, scenario, outcome) = (text("kind")?, text("scenario")?, text("outcome")?);
        let baseline = table.strings("baseline").unwrap_or_else(|| vec![""; table.n_rows()]);
        let (point, n, mean) = (number("point")?, number("n")?, number("mean")?);
        let (ci_low, ci_high) = (number("ci_low")?, number("ci_high")?);
        let unit = table.strings("unit");
        Ok((0..table.n_rows())
            .map(|i| SummaryRow {
                kind: kind[i].to_string(),
                scenario: scenario[i].to_string(),
                baseline: baseline[i].to_string(),
                point: point[i],
                outcome: outcome[i].to_string(),
                n: n[i],
                mean: mean[i],
                ci_low: ci_low[i],
                ci_high: ci_high[i],
                unit: unit.as_ref().map(|u| u[i].to_string()).filter(|u| !u.is_empty()),
            })
            .collect())
    }
}

/// A CSV error on the header line unless `column` is there.
fn require(table: &CsvTable, column: &str) -> Result<(), ReportError> {
    if table.columns().iter().any(|c| c == column) {
        return Ok(());
    }
    Err(ReportError::Csv {
        path: table.path().to_path_buf(),
        line: 1,
        message: format!("no column `{column}`; expected the columns `scslab sweep` writes"),
    })
}

impl Runs {
    fn read(table: &CsvTable, manifest: &SweepManifest) -> Result<Runs, ReportError> {
        require(table, "scenario")?;
        require(table, "replication")?;
        let number = |column: &str| -> Result<Vec<f64>, ReportError> {
            require(table, column)?;
            Ok(table.numbers(column)?.unwrap_or_default())
        };
        let replication = number("replication")?;
        if let Some(i) = replication.iter().position(|r| !(r.is_finite() && *r >= 0.0 && r.fract() == 0.0)) {
            return Err(ReportError::Csv {
                path: table.path().to_path_buf(),
                line: i + 2,
                message: format!("column `replication`: expected a whole number, found {}", replication[i]),
            });
        }
        let parameters = manifest.parameters.iter().map(|p| number(&p.key)).collect::<Result<Vec<_>, _>>()?;
        let outcomes = table
            .columns()
            .iter()
            .filter(|c| {
                !KEY_COLUMNS.contains(&c.as_str()) && !manifest.parameters.iter().any(|p| &p.key == *c)
            })
            .map(|c| Ok((c.clone(), number(c)?)))
            .collect::<Result<Vec<_>, ReportError>>()?;
        let point = table.numbers("point")?.unwrap_or_else(|| vec![f64::NAN; table.n_rows()]);
        Ok(Runs {
            point,
            scenario: table.strings("scenario").unwrap_or_default().into_iter().map(str::to_string).collect(),
            replication: replication.into_iter().map(|r| r as u64).collect(),
            parameters,
            outcomes,
        })
    }
}

impl SweepManifest {
    /// The manifest's fields, or an error naming the first one missing or of the wrong type.
    fn parse(path: &Path, value: &Value) -> Result<SweepManifest, ReportError> {
        let get = |pointer: &'static str, expected: &'static str| {
            value.pointer(pointer).ok_or_else(|| ReportError::manifest_field(path, pointer, expected))
        };
        let string = |pointer: &'static str| -> Result<String, ReportError> {
            get(pointer, "a string")?
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| ReportError::manifest_field(path, pointer, "a string"))
        };
        let number = |pointer: &'static str| -> Result<u64, ReportError> {
            get(pointer, "a whole number")?
                .as_u64()
                .ok_or_else(|| ReportError::manifest_field(path, pointer, "a whole number"))
        };
        let optional_string = |pointer: &str| {
            value.pointer(pointer).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string)
        };
        let scenarios = get("/scenarios", "a list of scenarios")?
            .as_array()
            .filter(|a| !a.is_empty())
            .ok_or_else(|| ReportError::manifest_field(path, "/scenarios", "a non-empty list of scenarios"))?
            .iter()
            .map(|s| {
                Ok(SweepScenario {
                    name: s
                        .get("name")
                        .and_then(Value::as_str)
                        .ok_or_else(|| ReportError::manifest_field(path, "/scenarios/*/name", "a string"))?
                        .to_string(),
                    origin: s.get("origin").and_then(Value::as_str).map(str::to_string),
                })
            })
            .collect::<Result<Vec<_>, ReportError>>()?;
        let parameters = get("/parameters", "a list of parameters")?
            .as_array()
            .ok_or_else(|| ReportError::manifest_field(path, "/parameters", "a list of parameters"))?
            .iter()
            .map(|p| parse_parameter(path, p))
            .collect::<Result<Vec<_>, _>>()?;
        let points = parse_points(path, get("/points", "a list of design points")?, parameters.len())?;
        Ok(SweepManifest {
            version: string("/scslab_version")?,
            name: string("/sweep/name")?,
            description: optional_string("/sweep/description"),
            text: optional_string("/sweep/text"),
            streams: string("/streams")?,
            scenarios,
            people: number("/people")?,
            days: number("/days")?,
            replications: number("/replications")?,
            seed: number("/seed")?,
            design: match string("/design/kind")?.as_str() {
                "grid" => DesignKind::Grid,
                "latin_hypercube" => DesignKind::LatinHypercube {
                    samples: number("/design/samples")?,
                    seed: value.pointer("/design/seed").and_then(Value::as_u64),
                },
                "morris" => DesignKind::Morris {
                    trajectories: number("/design/trajectories")?,
                    levels: number("/design/levels")?,
                },
                "sobol" => DesignKind::Sobol { samples: number("/design/samples")? },
                _ => {
                    return Err(ReportError::manifest_field(
                        path,
                        "/design/kind",
                        "\"grid\", \"latin_hypercube\", \"morris\" or \"sobol\"",
                    ));
                }
            },
            parameters,
            points,
            command: optional_string("/command"),
        })
    }
}

fn parse_parameter(path: &Path, p: &Value) -> Result<SweptParameter, ReportError> {
    let key = p
        .get("key")
        .and_then(Value::as_str)
        .ok_or_else(|| ReportError::manifest_field(path, "/parameters/*/key", "a string"))?
        .to_string();
    let numbers = |v: &Value| -> Option<Vec<f64>> { v.as_array()?.iter().map(Value::as_f64).collect() };
    let range = p.get("range");
    let range = if let Some(values) = range.and_then(|r| r.get("values")).and_then(numbers) {
        ParameterRange::Values(values)
    } else {
        let end = |name: &str| range.and_then(|r| r.get(name)).and_then(Value::as_f64);
        match (end("min"), end("max")) {
            (Some(min), Some(max)) => ParameterRange::Interval { min, max },
            _ => {
                return Err(ReportError::manifest_field(
                    path,
                    "/parameters/*/range",
                    "{\"values\": [numbers]} or {\"min\": number, \"max\": number}",
                ));
            }
        }
    };
    let applies_to = p
        .get("applies_to")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default();
    Ok(SweptParameter {
        key,
        integer: p.get("integer").and_then(Value::as_bool).unwrap_or(false),
        range,
        applies_to,
    })
}

fn parse_points(path: &Path, points: &Value, n_parameters: usize) -> Result<Vec<Vec<f64>>, ReportError> {
    let expected = "a list of design points, each a list of one number per parameter";
    let points = points.as_array().ok_or_else(|| ReportError::manifest_field(path, "/points", expected))?;
    points
        .iter()
        .map(|p| {
            p.as_array()
                .and_then(|values| values.iter().map(Value::as_f64).collect::<Option<Vec<f64>>>())
                .filter(|values| values.len() == n_parameters)
                .ok_or_else(|| ReportError::manifest_field(path, "/points", expected))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(design: &str, parameters: &str, points: &str) -> Value {
        serde_json::from_str(&format!(
            r#"{{"scslab_version": "0.1.0", "sweep": {{"name": "s", "description": "", "text": "name = 's'"}},
                "streams": "common", "scenarios": [{{"name": "none", "origin": "preset"}}, {{"name": "china-2020"}}],
                "people": 1000, "days": 5, "replications": 2, "seed": 7, "design": {design},
                "parameters": {parameters}, "points": {points}, "command": ""}}"#
        ))
        .unwrap()
    }

    const GRID: &str = r#"{"kind": "grid", "points": 2}"#;
    const FEAR: &str = r#"[{"key": "behaviour.fear_perception", "integer": false,
        "range": {"values": [0.0, 1.0]}, "applies_to": ["none", "china-2020"]}]"#;

    fn parse(v: &Value) -> Result<SweepManifest, ReportError> {
        SweepManifest::parse(Path::new("manifest.json"), v)
    }

    #[test]
    fn a_grid_manifest_is_read() {
        let m = parse(&manifest(GRID, FEAR, "[[0.0], [1.0]]")).unwrap();
        assert_eq!(m.name, "s");
        assert_eq!(m.description, None);
        assert_eq!(m.command, None);
        assert_eq!(m.scenarios.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["none", "china-2020"]);
        assert_eq!(m.scenarios[0].origin.as_deref(), Some("preset"));
        assert_eq!(m.design, DesignKind::Grid);
        assert_eq!(m.parameters[0].range, ParameterRange::Values(vec![0.0, 1.0]));
        assert_eq!(m.parameters[0].applies_to.len(), 2);
        assert_eq!(m.points, [[0.0], [1.0]]);
        assert_eq!((m.people, m.days, m.replications, m.seed), (1000, 5, 2, 7));
    }

    #[test]
    fn a_latin_hypercube_manifest_is_read() {
        let design = r#"{"kind": "latin_hypercube", "samples": 2, "seed": 11, "points": 2}"#;
        let params = r#"[{"key": "a", "integer": true, "range": {"min": 0, "max": 4}, "applies_to": []}]"#;
        let m = parse(&manifest(design, params, "[[1], [3]]")).unwrap();
        assert_eq!(m.design, DesignKind::LatinHypercube { samples: 2, seed: Some(11) });
        assert_eq!(m.parameters[0].range, ParameterRange::Interval { min: 0.0, max: 4.0 });
        assert!(m.parameters[0].integer);
    }

    #[test]
    fn bad_fields_are_named() {
        let field = |v: &Value| match parse(v).unwrap_err() {
            ReportError::ManifestField { field, .. } => field,
            other => panic!("{other}"),
        };
        assert_eq!(field(&manifest(r#"{"kind": "random"}"#, FEAR, "[[0.0]]")), "/design/kind");
        assert_eq!(field(&manifest(GRID, FEAR, "[[0.0, 1.0]]")), "/points");
        assert_eq!(
            field(&manifest(GRID, r#"[{"key": "a", "range": {}}]"#, "[[0.0]]")),
            "/parameters/*/range"
        );
        let mut v = manifest(GRID, FEAR, "[[0.0]]");
        v["replications"] = Value::from("two");
        assert_eq!(field(&v), "/replications");
        v["scenarios"] = Value::Array(vec![]);
        assert_eq!(field(&v), "/scenarios");
    }
}
