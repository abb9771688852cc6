//! Scenarios: the presets, checking a scenario's text, and reading or setting one of its keys
//! by dotted path (`behaviour.fear_perception`, `authority.court_defaulters.detect.x`; an
//! element of an array of tables by index or by its `name`, as sweep files name them).
//!
//! A scenario is its TOML text: setting a key writes the value into the parsed document and
//! checks the new text with the scenario reader, so a refused value leaves the scenario as it
//! was and raises the reader's own located error.

use pyo3::IntoPyObjectExt;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use toml::Value;

use crate::errors;

/// `[(name, description)]` of the embedded presets.
#[pyfunction]
pub fn presets(py: Python<'_>) -> PyResult<Vec<(String, String)>> {
    scslab_scenario::PRESETS
        .iter()
        .map(|(name, _)| {
            let s = scslab_scenario::preset(name).map_err(|e| errors::scenario_error(py, &e))?;
            Ok((name.to_string(), s.description))
        })
        .collect()
}

/// The TOML text of a preset.
#[pyfunction]
pub fn preset_text(py: Python<'_>, name: &str) -> PyResult<&'static str> {
    scslab_scenario::preset_text(name).map_err(|e| errors::scenario_error(py, &e))
}

/// Checks scenario text (`file` names it in errors) and returns `{name, description, people,
/// days, seed, firms}`.
#[pyfunction]
pub fn check<'py>(py: Python<'py>, text: &str, file: &str) -> PyResult<Bound<'py, PyDict>> {
    let s = scslab_scenario::parse(text, file).map_err(|e| errors::scenario_error(py, &e))?;
    let d = PyDict::new(py);
    d.set_item("name", &s.name)?;
    d.set_item("description", &s.description)?;
    d.set_item("people", s.params.n_persons)?;
    d.set_item("days", s.params.days)?;
    d.set_item("seed", s.params.seed)?;
    d.set_item("firms", s.params.n_firms())?;
    Ok(d)
}

fn parse_table(py: Python<'_>, text: &str, file: &str) -> PyResult<toml::Table> {
    // Checked first, so a text the reader refuses raises its located error.
    scslab_scenario::parse(text, file).map_err(|e| errors::scenario_error(py, &e))?;
    text.parse::<toml::Table>().map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))
}

fn key_error(key: &str, prefix: &str, choices: &[String]) -> PyErr {
    let at = if prefix.is_empty() { "the scenario's top level".to_string() } else { format!("`{prefix}`") };
    let listed = choices
        .iter()
        .map(|c| if prefix.is_empty() { format!("`{c}`") } else { format!("`{prefix}.{c}`") })
        .collect::<Vec<_>>()
        .join(", ");
    pyo3::exceptions::PyKeyError::new_err(format!("unknown key `{key}`; valid choices under {at}: {listed}"))
}

/// The element of an array of tables named by `segment` (an index or a `name`).
fn array_index(a: &[Value], segment: &str) -> Result<usize, Vec<String>> {
    let names: Vec<String> = a
        .iter()
        .enumerate()
        .map(|(j, v)| v.get("name").and_then(Value::as_str).map_or(j.to_string(), str::to_string))
        .collect();
    segment
        .parse::<usize>()
        .ok()
        .filter(|&j| j < a.len())
        .or_else(|| names.iter().position(|n| n == segment))
        .ok_or(names)
}

/// The value at a dotted key.
fn lookup<'a>(root: &'a toml::Table, key: &str) -> PyResult<&'a Value> {
    let segments: Vec<&str> = key.split('.').collect();
    let mut current: Option<&Value> = None;
    for (i, segment) in segments.iter().enumerate() {
        let prefix = segments[..i].join(".");
        let next = match current {
            None => root
                .get(*segment)
                .ok_or_else(|| key_error(key, &prefix, &root.keys().cloned().collect::<Vec<_>>()))?,
            Some(Value::Table(t)) => t
                .get(*segment)
                .ok_or_else(|| key_error(key, &prefix, &t.keys().cloned().collect::<Vec<_>>()))?,
            Some(Value::Array(a)) => {
                let j = array_index(a, segment).map_err(|names| key_error(key, &prefix, &names))?;
                &a[j]
            }
            Some(_) => return Err(key_error(key, &prefix, &[])),
        };
        current = Some(next);
    }
    current.ok_or_else(|| key_error(key, "", &[]))
}

fn to_python(py: Python<'_>, v: &Value) -> PyResult<Py<PyAny>> {
    Ok(match v {
        Value::String(s) => s.into_py_any(py)?,
        Value::Integer(i) => i.into_py_any(py)?,
        Value::Float(f) => f.into_py_any(py)?,
        Value::Boolean(b) => b.into_py_any(py)?,
        Value::Datetime(d) => d.to_string().into_py_any(py)?,
        Value::Array(a) => {
            let items = a.iter().map(|x| to_python(py, x)).collect::<PyResult<Vec<_>>>()?;
            PyList::new(py, items)?.into_any().unbind()
        }
        Value::Table(t) => {
            let d = PyDict::new(py);
            for (k, x) in t {
                d.set_item(k, to_python(py, x)?)?;
            }
            d.into_any().unbind()
        }
    })
}

fn from_python(v: &Bound<'_, PyAny>) -> PyResult<Value> {
    // bool before int: a Python bool is an int.
    if v.is_instance_of::<PyBool>() {
        return Ok(Value::Boolean(v.extract()?));
    }
    if v.is_instance_of::<PyInt>() {
        return Ok(Value::Integer(v.extract()?));
    }
    if v.is_instance_of::<PyFloat>() {
        return Ok(Value::Float(v.extract()?));
    }
    if v.is_instance_of::<PyString>() {
        return Ok(Value::String(v.extract()?));
    }
    if let Ok(d) = v.cast::<PyDict>() {
        let mut t = toml::Table::new();
        for (k, x) in d.iter() {
            t.insert(k.extract::<String>()?, from_python(&x)?);
        }
        return Ok(Value::Table(t));
    }
    if v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() {
        return Ok(Value::Array(v.try_iter()?.map(|x| from_python(&x?)).collect::<PyResult<Vec<_>>>()?));
    }
    // numpy scalars and the like: through float() or int().
    if let Ok(i) = v.call_method0("__index__").and_then(|i| i.extract::<i64>()) {
        return Ok(Value::Integer(i));
    }
    if let Ok(f) = v.call_method0("__float__").and_then(|f| f.extract::<f64>()) {
        return Ok(Value::Float(f));
    }
    Err(pyo3::exceptions::PyTypeError::new_err(format!(
        "a scenario value must be a bool, int, float, str, list or dict, not {}",
        v.get_type().name()?
    )))
}

/// The value at `key` in scenario text.
#[pyfunction]
pub fn get_key(py: Python<'_>, text: &str, file: &str, key: &str) -> PyResult<Py<PyAny>> {
    let table = parse_table(py, text, file)?;
    to_python(py, lookup(&table, key)?)
}

/// The scenario text with `key` set to `value` (or removed, for `None`), checked by the
/// scenario reader under the name `file`. Missing tables on the way are created, so optional
/// keys absent from the text can be set; a key the reader does not know is refused by it, with
/// the valid choices.
#[pyfunction]
pub fn set_key(
    py: Python<'_>,
    text: &str,
    file: &str,
    key: &str,
    value: &Bound<'_, PyAny>,
) -> PyResult<String> {
    let mut table = parse_table(py, text, file)?;
    let value = if value.is_none() { None } else { Some(from_python(value)?) };
    let segments: Vec<&str> = key.split('.').collect();
    if segments.iter().any(|s| s.is_empty()) {
        return Err(pyo3::exceptions::PyKeyError::new_err(format!("`{key}`: an empty part in a dotted key")));
    }
    let mut current: &mut toml::Table = &mut table;
    let mut i = 0;
    while i + 1 < segments.len() {
        let prefix = segments[..i].join(".");
        let choices: Vec<String> = current.keys().cloned().collect();
        let entry =
            current.entry(segments[i].to_string()).or_insert_with(|| Value::Table(toml::Table::new()));
        current = match entry {
            Value::Table(t) => {
                i += 1;
                t
            }
            Value::Array(a) => {
                let here = segments[..=i].join(".");
                if i + 2 >= segments.len() {
                    return Err(pyo3::exceptions::PyKeyError::new_err(format!(
                        "`{here}` is a list: set it whole, or name one of its elements (by index or \
                         name) and one of that element's keys"
                    )));
                }
                let j = array_index(a, segments[i + 1]).map_err(|names| key_error(key, &here, &names))?;
                i += 2;
                match &mut a[j] {
                    Value::Table(t) => t,
                    _ => return Err(key_error(key, &here, &[])),
                }
            }
            _ => return Err(key_error(key, &prefix, &choices)),
        };
    }
    let last = segments[segments.len() - 1];
    match value {
        Some(v) => {
            current.insert(last.to_string(), v);
        }
        None => {
            if current.remove(last).is_none() {
                let prefix = segments[..segments.len() - 1].join(".");
                return Err(key_error(key, &prefix, &current.keys().cloned().collect::<Vec<_>>()));
            }
        }
    }
    checked_text(py, &table, file, key)
}

/// The document as text, checked by the scenario reader.
fn checked_text(py: Python<'_>, table: &toml::Table, file: &str, key: &str) -> PyResult<String> {
    let text = toml::to_string(table).map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))?;
    let name = format!("{file} (after setting {key})");
    scslab_scenario::parse(&text, &name).map_err(|e| errors::scenario_error(py, &e))?;
    Ok(text)
}
