//! Rust errors as the Python exceptions of `scslab/errors.py`, with the messages the CLI prints.
//!
//! A scenario error keeps its parts: file, line, column, the message, and what the message says
//! was expected and which choices are valid (`expected_of`, `choices_of`: the scenario reader
//! writes them as `expected ...` and `valid choices: `a`, `b``), plus the error rendered with its
//! source excerpt as the CLI shows it.

use pyo3::prelude::*;
use scslab_experiment::SweepError;
use scslab_runner::RunError;
use scslab_scenario::ScenarioError;

/// An instance of the class `name` of `scslab.errors` built from `args`, as a `PyErr`. If the
/// module cannot be imported (a broken installation), a `RuntimeError` with the message.
fn raise<'py>(py: Python<'py>, name: &str, message: &str, kwargs: Vec<(&str, Py<PyAny>)>) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let class = py.import("scslab.errors")?.getattr(name)?;
        let kw = pyo3::types::PyDict::new(py);
        for (k, v) in kwargs {
            kw.set_item(k, v)?;
        }
        let value = class.call((message,), Some(&kw))?;
        Ok(PyErr::from_value(value))
    };
    build().unwrap_or_else(|e| pyo3::exceptions::PyRuntimeError::new_err(format!("{message} (and: {e})")))
}

fn obj<'py, T: IntoPyObjectExt<'py>>(py: Python<'py>, value: T) -> Py<PyAny> {
    value.into_py_any(py).unwrap_or_else(|_| py.None())
}

use pyo3::IntoPyObjectExt;

/// What an `Invalid` message says was expected: from `expected` to the end of that clause.
pub fn expected_of(message: &str) -> Option<String> {
    let start = message.find("expected ")?;
    let rest = &message[start + "expected ".len()..];
    let end = rest.find("; ").unwrap_or(rest.len());
    Some(rest[..end].trim_end_matches('.').to_string())
}

/// The valid choices a message lists (`valid choices: `a`, `b``, `valid choices under X:
/// ...`, `choose one of its keys: ...`, `expected one of `a`, `b``), without their backquotes.
pub fn choices_of(message: &str) -> Vec<String> {
    let list =
        if let Some(i) = message.find("valid choices").or_else(|| message.find("choose one of its keys")) {
            let rest = &message[i..];
            match rest.find(':') {
                Some(colon) => &rest[colon + 1..],
                None => return Vec::new(),
            }
        } else if let Some(i) = message.find("one of `") {
            &message[i + "one of ".len()..]
        } else {
            return Vec::new();
        };
    let list = list.split("; ").next().unwrap_or(list);
    list.split('`').skip(1).step_by(2).map(str::to_string).collect()
}

/// A scenario error as `scslab.ScenarioError`.
pub fn scenario_error(py: Python<'_>, e: &ScenarioError) -> PyErr {
    let rendered = scslab_scenario::render_error(e);
    let (file, line, column, message) = match e {
        ScenarioError::Invalid { file, line, column, message } => {
            (Some(file.clone()), Some(*line), Some(*column), message.clone())
        }
        ScenarioError::Read { file, .. } => (Some(file.clone()), None, None, e.to_string()),
        ScenarioError::UnknownPreset { .. } => (None, None, None, e.to_string()),
        ScenarioError::Override { what, message } => {
            (None, None, None, format!("{}: {message}", what.trim_start_matches('-')))
        }
    };
    let choices = choices_of(&e.to_string());
    raise(
        py,
        "ScenarioError",
        &message,
        vec![
            ("file", obj(py, file)),
            ("line", obj(py, line)),
            ("column", obj(py, column)),
            ("expected", obj(py, expected_of(&message))),
            ("choices", obj(py, choices)),
            ("rendered", obj(py, rendered)),
        ],
    )
}

/// A run error as `scslab.RunError` (or `scslab.ScenarioError` for a bad scenario).
pub fn run_error(py: Python<'_>, e: &RunError) -> PyErr {
    let kind = match e {
        RunError::Memory { .. } => "memory",
        RunError::Output(_) => "output",
        RunError::NoCheckpoint { .. } => "no_checkpoint",
        RunError::RunFile { .. } => "run_file",
        RunError::Checkpoint { .. } => "checkpoint",
        RunError::Trace(_) => "trace",
        RunError::TooManyThreads { .. } => "threads",
        RunError::Folder(_) => "folder",
        RunError::Interrupted { .. } => "interrupted",
        RunError::UnsafeName { .. } => "name",
        RunError::Threads { .. } => "threads",
    };
    raise(py, "RunError", &e.to_string(), vec![("kind", obj(py, kind))])
}

/// A sweep error as `scslab.SweepError` (or `scslab.ScenarioError` for a bad sweep file).
pub fn sweep_error(py: Python<'_>, e: &SweepError) -> PyErr {
    match e {
        SweepError::Input(s) => scenario_error(py, s),
        other => raise(py, "SweepError", &other.to_string(), vec![]),
    }
}

/// A panic of Rust code as `scslab.PanicError`.
pub fn panic_error(py: Python<'_>, message: &str) -> PyErr {
    let text = format!("scslab panicked (this is a bug; please report it): {message}");
    raise(py, "PanicError", &text, vec![])
}
