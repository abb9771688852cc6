//! Long calls off the interpreter: the work runs on a scoped worker thread while the calling
//! thread, with the GIL released, waits for it. Every [`TICK`] (and when the work ends) the
//! calling thread takes the GIL back to report progress to a Python callable and to run Python's
//! signal handlers (`check_signals`): a Ctrl-C there sets the stop flag the runner polls at the
//! end of every day, the worker returns, and the `KeyboardInterrupt` is raised.
//!
//! A panic of the worker is caught by the thread's join and raised as `scslab.PanicError`.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use pyo3::prelude::*;

use crate::errors;

/// How often the waiting thread wakes to report progress and check for Ctrl-C.
const TICK: Duration = Duration::from_millis(100);

/// Progress shared between the worker and the waiting thread: a phase (`0` not started,
/// [`Progress::RUNNING`], [`Progress::WRITING`]), steps done and the total.
#[derive(Debug, Default)]
pub struct Progress {
    phase: AtomicU64,
    done: AtomicU64,
    total: AtomicU64,
}

impl Progress {
    /// Steps are being done.
    pub const RUNNING: u64 = 1;
    /// Outputs are being written.
    pub const WRITING: u64 = 2;

    /// Records the total number of steps and enters [`Progress::RUNNING`].
    pub fn start(&self, total: u64) {
        self.total.store(total, Ordering::Relaxed);
        self.phase.store(Self::RUNNING, Ordering::Relaxed);
    }

    /// Records the steps done.
    pub fn done(&self, done: u64) {
        self.done.store(done, Ordering::Relaxed);
    }

    /// Adds one step done.
    pub fn add_one(&self) {
        self.done.fetch_add(1, Ordering::Relaxed);
    }

    /// Enters [`Progress::WRITING`].
    pub fn writing(&self) {
        self.phase.store(Self::WRITING, Ordering::Relaxed);
    }

    fn snapshot(&self) -> (u64, u64, u64) {
        (
            self.phase.load(Ordering::Relaxed),
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        )
    }
}

/// Runs `work` on a worker thread with the GIL released; see the module's documentation.
/// `on_progress(phase, done, total)` is called from the calling thread whenever the progress
/// changed. `interrupt` is set on Ctrl-C (the work must poll it).
pub fn run<T: Send>(
    py: Python<'_>,
    progress: &Progress,
    on_progress: Option<&Bound<'_, PyAny>>,
    interrupt: &Arc<AtomicBool>,
    work: impl FnOnce() -> T + Send,
) -> PyResult<T> {
    let finished = (Mutex::new(false), Condvar::new());
    let mut pending_error: Option<PyErr> = None;
    let mut last = (u64::MAX, u64::MAX, u64::MAX);
    let joined = std::thread::scope(|s| {
        let worker = s.spawn(|| {
            // Whatever happens to `work`, the waiting thread is woken.
            struct Wake<'a>(&'a (Mutex<bool>, Condvar));
            impl Drop for Wake<'_> {
                fn drop(&mut self) {
                    let (lock, cvar) = self.0;
                    *lock.lock().unwrap_or_else(|e| e.into_inner()) = true;
                    cvar.notify_all();
                }
            }
            let _wake = Wake(&finished);
            work()
        });
        loop {
            let done = py.detach(|| {
                let (lock, cvar) = &finished;
                let guard = lock.lock().unwrap_or_else(|e| e.into_inner());
                let (guard, _) =
                    cvar.wait_timeout_while(guard, TICK, |done| !*done).unwrap_or_else(|e| e.into_inner());
                *guard
            });
            let now = progress.snapshot();
            if now != last
                && let Some(cb) = on_progress
                && pending_error.is_none()
            {
                last = now;
                if let Err(e) = cb.call1(now) {
                    // A failing callback stops the work like Ctrl-C does, and its error is raised.
                    interrupt.store(true, Ordering::Relaxed);
                    pending_error = Some(e);
                }
            }
            if pending_error.is_none()
                && let Err(e) = py.check_signals()
            {
                interrupt.store(true, Ordering::Relaxed);
                pending_error = Some(e);
            }
            if done {
                break;
            }
        }
        worker.join()
    });
    if let Some(e) = pending_error {
        return Err(e);
    }
    joined.map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_string());
        errors::panic_error(py, &message)
    })
}

/// Panics on the worker thread of [`run`], for the test that a Rust panic becomes
/// `scslab.PanicError` and leaves the interpreter usable.
#[pyfunction]
pub fn panic_on_worker(py: Python<'_>, message: &str) -> PyResult<()> {
    let progress = Progress::default();
    let interrupt = Arc::new(AtomicBool::new(false));
    let message = message.to_string();
    run(py, &progress, None, &interrupt, move || -> () { panic!("{message}") })
}
