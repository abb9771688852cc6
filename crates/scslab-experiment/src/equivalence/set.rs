//! `--set KEY=VALUE`: variant B is the scenario with each value written into its TOML before it
//! is read, by the sweep's mechanism (`file::slot` finds the dotted key, a list element by index
//! or by `name`; the scenario reader then checks the whole scenario), so the same keys work and a
//! refused value gets the reader's own message.
//!
//! Where a sweep takes only numbers, a setting also takes a string or a boolean: a key that holds
//! one in the scenario is replaced by the same type (`--set engine.day=event` needs no quotes).
//! A key that the scenario file leaves out (a default) is added, and the scenario reader decides:
//! it refuses unknown keys, and the error then lists the keys found where the path stopped.

use scslab_scenario::{Scenario, ScenarioError};
use toml::Value;

use super::EquivalenceError;
use crate::file::{Missing, slot};

/// One `--set KEY=VALUE`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setting {
    /// The argument as given.
    pub argument: String,
    /// The dotted key, e.g. `behaviour.deterrence_weight`.
    pub key: String,
    /// The value as written, e.g. `0.5`, `true`, `event` or `"event"`.
    pub value: String,
    /// 1-based column of the value in the argument.
    value_column: usize,
}

impl Setting {
    /// Reads `KEY=VALUE`.
    pub fn parse(argument: &str) -> Result<Setting, EquivalenceError> {
        let err = |column: usize, message: String| EquivalenceError::Set {
            argument: argument.to_string(),
            column,
            message,
        };
        let Some((key, value)) = argument.split_once('=') else {
            return Err(err(
                argument.chars().count() + 1,
                "expected KEY=VALUE, e.g. behaviour.deterrence_weight=0.5".into(),
            ));
        };
        let key = key.trim();
        if key.is_empty() || key.split('.').any(str::is_empty) || key.contains(char::is_whitespace) {
            return Err(err(
                1,
                format!(
                    "expected a dotted key such as behaviour.deterrence_weight before `=`, found `{key}`"
                ),
            ));
        }
        let value_column = argument[..argument.find('=').unwrap_or(0)].chars().count() + 2;
        if value.trim().is_empty() {
            return Err(err(value_column, format!("expected a value after `{key}=`")));
        }
        Ok(Setting { argument: argument.into(), key: key.into(), value: value.trim().into(), value_column })
    }

    fn error(&self, column: usize, message: String) -> EquivalenceError {
        EquivalenceError::Set { argument: self.argument.clone(), column, message }
    }

    /// The value as TOML: a number, boolean, quoted string, list or table as TOML reads it;
    /// anything else (a bare word) as a string.
    fn literal(&self) -> Value {
        format!("v = {}", self.value)
            .parse::<toml::Table>()
            .ok()
            .and_then(|mut t| t.remove("v"))
            .unwrap_or_else(|| Value::String(self.value.clone()))
    }

    /// The value to write where the scenario holds `current`, of the same type.
    fn value_for(&self, current: &Value) -> Result<Value, EquivalenceError> {
        let (key, literal) = (&self.key, self.literal());
        let refuse =
            |what: &str| self.error(self.value_column, format!("`{key}` is {what}; found `{}`", self.value));
        match (current, literal) {
            (Value::Integer(_), Value::Integer(n)) => Ok(Value::Integer(n)),
            (Value::Integer(_), Value::Float(x)) if x.is_finite() && x.fract() == 0.0 => {
                Ok(Value::Integer(x as i64))
            }
            (Value::Integer(_), _) => Err(refuse("a whole number")),
            (Value::Float(_), Value::Integer(n)) => Ok(Value::Float(n as f64)),
            (Value::Float(_), Value::Float(x)) if x.is_finite() => Ok(Value::Float(x)),
            (Value::Float(_), _) => Err(refuse("a finite number")),
            (Value::Boolean(_), Value::Boolean(b)) => Ok(Value::Boolean(b)),
            (Value::Boolean(_), _) => Err(refuse("`true` or `false`")),
            (Value::String(_), Value::String(s)) => Ok(Value::String(s)),
            (Value::String(_), _) => Ok(Value::String(self.value.clone())),
            (Value::Table(t), _) => Err(self.error(
                1,
                format!(
                    "`{key}` is a table; choose one of its keys: {}",
                    t.keys().map(|k| format!("`{key}.{k}`")).collect::<Vec<_>>().join(", ")
                ),
            )),
            (Value::Array(_), _) => {
                Err(self
                    .error(1, format!("`{key}` is a list; name an element by index or name, e.g. `{key}.0`")))
            }
            (Value::Datetime(_), _) => Err(refuse("a date, which --set does not change")),
        }
    }
}

/// Variant B: `scenario` with every setting written into its TOML, read again by the scenario
/// reader. Its size and seed are the caller's to set; its origin stays the scenario's.
pub fn apply(scenario: &Scenario, settings: &[Setting]) -> Result<Scenario, EquivalenceError> {
    let original: toml::Table = scenario.text.parse().map_err(|e: toml::de::Error| {
        EquivalenceError::Input(ScenarioError::Invalid {
            file: scenario.origin.clone(),
            line: 1,
            column: 1,
            message: e.message().to_string(),
        })
    })?;
    let mut table = original.clone();
    for s in settings {
        write(&mut table, s, &scenario.name)?;
    }
    match reread(&table, scenario) {
        Ok(out) => Ok(out),
        Err(message) => {
            // Find the setting the reader refuses on its own; if none is, they are refused together.
            for s in settings {
                let mut alone = original.clone();
                write(&mut alone, s, &scenario.name)?;
                if let Err(message) = reread(&alone, scenario) {
                    return Err(refused(s, &original, &scenario.name, &message));
                }
            }
            let first = &settings[0];
            Err(first.error(
                1,
                format!("the settings together are refused by scenario `{}`: {message}", scenario.name),
            ))
        }
    }
}

fn write(table: &mut toml::Table, s: &Setting, scenario: &str) -> Result<(), EquivalenceError> {
    let mut probe = table.clone();
    match slot(&mut probe, &s.key) {
        Ok(current) => {
            let value = s.value_for(current)?;
            *slot(table, &s.key).unwrap_or_else(|_| unreachable!("found in the copy")) = value;
            Ok(())
        }
        Err(missing) => {
            insert(table, &s.key, s.literal()).ok_or_else(|| unknown(s, scenario, &missing, None))
        }
    }
}

/// Adds `value` at a dotted key the scenario leaves out, creating the tables on the way; `None`
/// if the path runs through something that is not a table.
fn insert(table: &mut toml::Table, key: &str, value: Value) -> Option<()> {
    let segments: Vec<&str> = key.split('.').collect();
    let (last, parents) = segments.split_last()?;
    let mut current = table;
    for segment in parents {
        let next = current.entry(segment.to_string()).or_insert_with(|| Value::Table(toml::Table::new()));
        current = match next {
            Value::Table(t) => t,
            Value::Array(a) => {
                // A list element by index or name, as `slot` reads it; it must exist.
                let names: Vec<Option<String>> =
                    a.iter().map(|v| v.get("name").and_then(Value::as_str).map(str::to_string)).collect();
                let index = segment
                    .parse::<usize>()
                    .ok()
                    .or_else(|| names.iter().position(|n| n.as_deref() == Some(segment)))?;
                a.get_mut(index)?.as_table_mut()?
            }
            _ => return None,
        };
    }
    current.insert(last.to_string(), value);
    Some(())
}

fn reread(table: &toml::Table, scenario: &Scenario) -> Result<Scenario, String> {
    let text = toml::to_string(table).map_err(|e| e.to_string())?;
    let mut out = scslab_scenario::parse(&text, &scenario.origin).map_err(|e| match e {
        ScenarioError::Invalid { message, .. } => message,
        other => other.to_string(),
    })?;
    out.origin = scenario.origin.clone();
    Ok(out)
}

/// The error of a setting the scenario reader refuses.
fn refused(s: &Setting, original: &toml::Table, scenario: &str, message: &str) -> EquivalenceError {
    let mut probe = original.clone();
    match slot(&mut probe, &s.key) {
        Err(missing) => unknown(s, scenario, &missing, Some(message)),
        Ok(_) => s.error(
            s.value_column,
            format!("`{} = {}` is refused by scenario `{scenario}`: {message}", s.key, s.value),
        ),
    }
}

/// An unknown key, with the keys found where the path stopped (as a sweep reports it).
fn unknown(s: &Setting, scenario: &str, m: &Missing, reader: Option<&str>) -> EquivalenceError {
    let (at, choices) = (m.at(), m.choices());
    let reader = reader.map_or(String::new(), |r| format!(" (the scenario reader says: {r})"));
    s.error(
        1,
        format!(
            "unknown parameter key `{}`: scenario `{scenario}` has no such key{reader}; expected a dotted \
             path to a value in the scenario file; valid choices under {at}: {choices}",
            s.key
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn preset(name: &str) -> Scenario {
        scslab_scenario::preset(name).unwrap()
    }

    fn set_error(scenario: &Scenario, argument: &str) -> (usize, String) {
        let s = match Setting::parse(argument) {
            Ok(s) => s,
            Err(EquivalenceError::Set { column, message, .. }) => return (column, message),
            Err(e) => panic!("{e}"),
        };
        match apply(scenario, &[s]) {
            Err(EquivalenceError::Set { column, message, .. }) => (column, message),
            Err(e) => panic!("expected a --set error, found {e}"),
            Ok(_) => panic!("{argument} was accepted"),
        }
    }

    #[test]
    fn a_setting_changes_that_parameter_only() {
        let a = preset("china-2020");
        let s = Setting::parse("behaviour.fear_perception=0.25").unwrap();
        let b = apply(&a, &[s]).unwrap();
        assert_eq!(b.params.behaviour.fear_perception, 0.25);
        assert_ne!(a.params.behaviour.fear_perception, 0.25);
        assert_eq!((b.name.as_str(), b.origin.as_str()), (a.name.as_str(), a.origin.as_str()));
        // Setting a parameter to its own value gives the same parameters.
        let own = format!("behaviour.fear_perception={}", a.params.behaviour.fear_perception);
        let same = apply(&a, &[Setting::parse(&own).unwrap()]).unwrap();
        assert_eq!(format!("{:?}", same.params), format!("{:?}", a.params));
        // An integer key takes a whole number written as a float.
        let s = Setting::parse("scenario.seed=7.0").unwrap();
        assert_eq!(apply(&a, &[s]).unwrap().params.seed, 7);
        // A string key takes a bare word.
        let s = Setting::parse("scenario.description=plain words").unwrap();
        assert_eq!(apply(&a, &[s]).unwrap().description, "plain words");
    }

    #[test]
    fn bad_settings_are_refused_at_their_column() {
        let a = preset("china-2020");
        let (column, m) = set_error(&a, "behaviour.fear_perception");
        assert_eq!(column, 26, "{m}");
        assert!(m.contains("expected KEY=VALUE"), "{m}");
        let (column, m) = set_error(&a, "=1");
        assert_eq!(column, 1, "{m}");
        let (column, m) = set_error(&a, "behaviour.fear_perception=");
        assert_eq!(column, 27, "{m}");
        let (column, m) = set_error(&a, "behaviour.fearfulness=1");
        assert_eq!(column, 1, "{m}");
        assert!(m.contains("unknown parameter key `behaviour.fearfulness`"), "{m}");
        assert!(m.contains("`behaviour.fear_perception`"), "choices listed: {m}");
        let (column, m) = set_error(&a, "behaviour.fear_perception=lots");
        assert_eq!(column, 27, "{m}");
        assert!(m.contains("a finite number") && m.contains("`lots`"), "{m}");
        let (column, m) = set_error(&a, "scenario.seed=1.5");
        assert_eq!(column, 15, "{m}");
        assert!(m.contains("a whole number"), "{m}");
        // A value the reader refuses: its message, at the value.
        let (column, m) = set_error(&a, "behaviour.initial_trust=7");
        assert_eq!(column, 25, "{m}");
        assert!(m.contains("refused by scenario `china-2020`"), "{m}");
        let (_, m) = set_error(&a, "behaviour=1");
        assert!(m.contains("is a table; choose one of its keys"), "{m}");
    }
}
