//! The priors of a fit: a small TOML file of `[[parameter]]` tables, each a scenario key (a
//! dotted path to a number, exactly as a sweep's parameter) with a range: a uniform prior over
//! `[min, max]`, or log-uniform with `scale = "log"`. A key that the scenario does not have, a
//! parameter with no range, an empty or inverted range, and a range end the scenario reader
//! refuses are located errors in the priors file, found before any run.
//!
//! The built-in priors (`china-2020-priors.toml` beside this module) cover the four rates
//! calibrated by hand and the behaviour parameters that trade off against them.

use std::ops::Range as Span;

use scslab_scenario::{Scenario, ScenarioError};
use serde::Deserialize;
use toml::{Spanned, Value};

use crate::file::slot;

/// The built-in priors of the `china-2020` calibration.
pub const CHINA_2020_PRIORS: &str = include_str!("china-2020-priors.toml");

/// The name the built-in priors go by in messages and files.
pub const CHINA_2020_PRIORS_FILE: &str = "builtin:china-2020-priors.toml";

/// Most parameters a fit may have: the perturbation kernel's covariance is estimated from the
/// kept particles, which must outnumber the parameters several times.
pub const MAX_PARAMETERS: usize = 12;

/// One fitted parameter and its prior.
#[derive(Clone, Debug, PartialEq)]
pub struct Prior {
    /// Dotted path of a number in the scenario file.
    pub key: String,
    /// Lower end of the range, in the key's unit.
    pub min: f64,
    /// Upper end.
    pub max: f64,
    /// Log-uniform (the fit works on `ln x`) rather than uniform.
    pub log: bool,
    /// The scenario stores an integer: values are rounded.
    pub integer: bool,
}

impl Prior {
    /// The range in the fit's coordinates (`ln` of the ends for a log-uniform prior).
    pub fn bounds(&self) -> (f64, f64) {
        if self.log { (self.min.ln(), self.max.ln()) } else { (self.min, self.max) }
    }

    /// The key's value for the fit's coordinate `z`.
    pub fn value(&self, z: f64) -> f64 {
        let x = if self.log { z.exp() } else { z };
        let x = x.clamp(self.min, self.max);
        if self.integer { x.round() } else { x }
    }

    /// `uniform` or `log-uniform`.
    pub fn shape(&self) -> &'static str {
        if self.log { "log-uniform" } else { "uniform" }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPriors {
    #[serde(default)]
    parameter: Vec<RawPrior>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrior {
    key: Spanned<String>,
    min: Option<Spanned<f64>>,
    max: Option<Spanned<f64>>,
    scale: Option<Spanned<String>>,
}

/// Reads the priors of `text` (named `file` in errors) and checks each key and both ends of
/// each range against `scenario`.
pub fn parse(text: &str, file: &str, scenario: &Scenario) -> Result<Vec<Prior>, ScenarioError> {
    let error = |span: Span<usize>, message: String| {
        let (line, column) = scslab_scenario::line_column(text, span.start);
        ScenarioError::Invalid { file: file.to_string(), line, column, message }
    };
    let raw: RawPriors = toml::from_str(text)
        .map_err(|e| error(e.span().unwrap_or(0..0), e.message().trim_end().to_string()))?;
    if raw.parameter.is_empty() {
        return Err(error(
            0..0,
            "expected at least one [[parameter]] with `key`, `min` and `max` (and `scale = \"log\"` for a \
             log-uniform prior)"
                .into(),
        ));
    }
    if raw.parameter.len() > MAX_PARAMETERS {
        return Err(error(
            raw.parameter[MAX_PARAMETERS].key.span(),
            format!("at most {MAX_PARAMETERS} parameters can be fitted; found {}", raw.parameter.len()),
        ));
    }
    let table: toml::Table =
        scenario.text.parse().map_err(|e: toml::de::Error| error(0..0, e.to_string()))?;
    let mut out: Vec<Prior> = Vec::new();
    for p in &raw.parameter {
        let key = p.key.get_ref();
        if out.iter().any(|q| &q.key == key) {
            return Err(error(p.key.span(), format!("parameter `{key}` is listed twice")));
        }
        let mut t = table.clone();
        let integer = match slot(&mut t, key) {
            Ok(Value::Integer(_)) => true,
            Ok(Value::Float(_)) => false,
            Ok(other) => {
                return Err(error(
                    p.key.span(),
                    format!(
                        "`{key}` in scenario `{}` is a {}, not a number",
                        scenario.name,
                        other.type_str()
                    ),
                ));
            }
            Err(m) => {
                let at =
                    if m.prefix.is_empty() { "the top level".to_string() } else { format!("`{}`", m.prefix) };
                let choices =
                    m.choices
                        .iter()
                        .map(|c| {
                            if m.prefix.is_empty() { format!("`{c}`") } else { format!("`{}.{c}`", m.prefix) }
                        })
                        .collect::<Vec<_>>()
                        .join(", ");
                return Err(error(
                    p.key.span(),
                    format!(
                        "unknown parameter key `{key}`: scenario `{}` has no such number; valid choices under {at}: {choices}",
                        scenario.name
                    ),
                ));
            }
        };
        let (Some(min), Some(max)) = (&p.min, &p.max) else {
            return Err(error(
                p.key.span(),
                format!(
                    "parameter `{key}` has no range: expected `min` and `max` (a uniform prior over [min, max], \
                     log-uniform with `scale = \"log\"`)"
                ),
            ));
        };
        for v in [min, max] {
            if !v.get_ref().is_finite() {
                return Err(error(v.span(), format!("expected a finite number, found {}", v.get_ref())));
            }
        }
        let (lo, hi) = (*min.get_ref(), *max.get_ref());
        if lo >= hi {
            return Err(error(max.span(), format!("expected max > min ({lo}), found {hi}")));
        }
        let log = match p.scale.as_ref().map(|s| s.get_ref().as_str()) {
            None | Some("linear") => false,
            Some("log") => true,
            Some(other) => {
                let span = p.scale.as_ref().map_or(0..0, |s| s.span());
                return Err(error(span, format!("unknown scale `{other}`; expected `linear` or `log`")));
            }
        };
        if log && lo <= 0.0 {
            return Err(error(min.span(), format!("a log-uniform prior needs min > 0, found {lo}")));
        }
        let prior = Prior { key: key.clone(), min: lo, max: hi, log, integer };
        // Both ends must be values the scenario reader accepts, so that no particle is refused
        // half-way through a fit.
        for (end, span) in [(lo, min.span()), (hi, max.span())] {
            let mut single = table.clone();
            set(&mut single, &prior, end);
            reparse(&single, scenario).map_err(|why| {
                error(span, format!("`{key}` = {end} is refused by scenario `{}`: {why}", scenario.name))
            })?;
        }
        out.push(prior);
    }
    Ok(out)
}

/// `scenario` with the fitted keys set to `values` (one per prior, in the key's unit), checked by
/// the scenario reader; its size and horizon are kept.
pub fn apply(scenario: &Scenario, priors: &[Prior], values: &[f64]) -> Result<Scenario, ScenarioError> {
    let mut table: toml::Table = scenario.text.parse().map_err(|e: toml::de::Error| {
        ScenarioError::Invalid { file: scenario.origin.clone(), line: 1, column: 1, message: e.to_string() }
    })?;
    for (p, &x) in priors.iter().zip(values) {
        set(&mut table, p, x);
    }
    reparse(&table, scenario).map_err(|message| ScenarioError::Invalid {
        file: scenario.origin.clone(),
        line: 1,
        column: 1,
        message: format!("fitted values refused: {message}"),
    })
}

fn set(table: &mut toml::Table, p: &Prior, x: f64) {
    let value = if p.integer { Value::Integer(x.round() as i64) } else { Value::Float(x) };
    if let Ok(v) = slot(table, &p.key) {
        *v = value;
    }
}

fn reparse(table: &toml::Table, scenario: &Scenario) -> Result<Scenario, String> {
    let text = toml::to_string(table).map_err(|e| e.to_string())?;
    let mut out = scslab_scenario::parse(&text, &scenario.origin).map_err(|e| match e {
        ScenarioError::Invalid { message, .. } => message,
        other => other.to_string(),
    })?;
    out.params.n_persons = scenario.params.n_persons;
    out.params.days = scenario.params.days;
    out.params.seed = scenario.params.seed;
    out.origin = scenario.origin.clone();
    Ok(out)
}
