//! `scslab._native`: the Rust half of the `scslab` Python package (pyo3, abi3).
//!
//! It is a thin layer over the crates every front end uses: scenarios are read and checked by
//! `scslab-scenario`, runs go through `scslab-runner` into an output folder (the very folder the
//! CLI writes), sweeps through `scslab-experiment`. The Python package (`python/scslab`) reads
//! the folders' Parquet tables into polars frames; nothing here copies a table row by row.
//!
//! Every long call runs on a worker thread with the GIL released (`blocking.rs`): the calling
//! thread waits on a condition variable, wakes every 100 ms to report progress and to let Python
//! run its signal handlers, and on Ctrl-C sets the runner's stop flag so the run ends cleanly at
//! the end of a day. A panic on the worker thread becomes `scslab.PanicError`; a panic anywhere
//! else in a `#[pyfunction]` becomes pyo3's `PanicException`. Errors are raised as the classes of
//! `scslab/errors.py` (`errors.rs`), with the same located messages as the CLI.

mod blocking;
mod errors;
mod run;
mod scenario;
mod sweep;

use pyo3::prelude::*;

/// The extension module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(scenario::presets, m)?)?;
    m.add_function(wrap_pyfunction!(scenario::preset_text, m)?)?;
    m.add_function(wrap_pyfunction!(scenario::check, m)?)?;
    m.add_function(wrap_pyfunction!(scenario::get_key, m)?)?;
    m.add_function(wrap_pyfunction!(scenario::set_key, m)?)?;
    m.add_function(wrap_pyfunction!(run::run, m)?)?;
    m.add_function(wrap_pyfunction!(run::trace, m)?)?;
    m.add_function(wrap_pyfunction!(run::require_finished, m)?)?;
    m.add_function(wrap_pyfunction!(sweep::sweep_check, m)?)?;
    m.add_function(wrap_pyfunction!(sweep::sweep_plan, m)?)?;
    m.add_function(wrap_pyfunction!(sweep::sweep_run_one, m)?)?;
    m.add_function(wrap_pyfunction!(sweep::sweep, m)?)?;
    m.add_function(wrap_pyfunction!(blocking::panic_on_worker, m)?)?;
    Ok(())
}
