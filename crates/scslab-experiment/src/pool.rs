//! The one worker pool of sweeps, audits and calibrations: a list of jobs (runs), a number of
//! workers, and the results back in job order.
//!
//! Each worker takes the next job from the list, one at a time, so at most `workers` runs are in
//! memory at once (the memory preflight of each command counts on it). Results are stored by the
//! job's index, never by the order jobs finish, so what a command computes from them does not
//! depend on the number of workers.
//!
//! The workers are the threads of a rayon `ThreadPool`, each running one loop through
//! `ThreadPool::broadcast` rather than one rayon task per job. The reason is nesting: every run
//! builds its own rayon pool (`scslab_runner::run` with `threads = 1`) and waits for it, and a
//! rayon worker waiting on another pool steals queued tasks of its own. With a task per job a
//! waiting worker would start further runs on top of the one it waits for, and more than
//! `workers` runs would be in memory; a broadcast job is taken only by its own thread, so a
//! waiting worker finds nothing to steal.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// The pool's threads could not be started (the message says why).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StartError(pub String);

/// The number of workers a command asked for: 0 is one per core.
pub(crate) fn workers(requested: usize) -> usize {
    match requested {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
}

/// Runs `job(index, &jobs[index])` for every job on at most `workers` threads named
/// `{name}-worker-{i}`, and returns the results in job order.
///
/// `on_done(index, finished)` is called on the worker after each job that succeeded, with the
/// number of jobs finished so far. After a job fails no job starts; the jobs in progress finish
/// and the first failure is returned. A job that panics panics the caller once the others end.
pub(crate) fn run<J, R, E>(
    name: &'static str,
    jobs: &[J],
    workers: usize,
    job: impl Fn(usize, &J) -> Result<R, E> + Sync,
    on_done: impl Fn(usize, usize) + Sync,
) -> Result<Vec<R>, E>
where
    J: Sync,
    R: Send,
    E: Send + From<StartError>,
{
    let threads = workers.min(jobs.len()).max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(move |i| format!("{name}-worker-{i}"))
        .build()
        .map_err(|e| E::from(StartError(e.to_string())))?;
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..jobs.len()).map(|_| None).collect());
    let failure: Mutex<Option<E>> = Mutex::new(None);
    let next = AtomicUsize::new(0);
    let finished = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    pool.broadcast(|_| {
        while !stop.load(Ordering::SeqCst) {
            let index = next.fetch_add(1, Ordering::SeqCst);
            let Some(item) = jobs.get(index) else { break };
            match job(index, item) {
                Ok(result) => {
                    results.lock().unwrap_or_else(|p| p.into_inner())[index] = Some(result);
                    on_done(index, finished.fetch_add(1, Ordering::SeqCst) + 1);
                }
                Err(e) => {
                    stop.store(true, Ordering::SeqCst);
                    failure.lock().unwrap_or_else(|p| p.into_inner()).get_or_insert(e);
                }
            }
        }
    });
    if let Some(e) = failure.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(e);
    }
    // Without a failure every job stored its result (a panic would have ended the call above).
    let results: Vec<R> =
        results.into_inner().unwrap_or_else(|p| p.into_inner()).into_iter().flatten().collect();
    debug_assert_eq!(results.len(), jobs.len());
    Ok(results)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[derive(Debug, PartialEq)]
    enum Failure {
        Start(String),
        Job(usize),
    }

    impl From<StartError> for Failure {
        fn from(e: StartError) -> Failure {
            Failure::Start(e.0)
        }
    }

    /// Jobs that finish in reverse order of their index (later jobs are shorter).
    fn slow_square(index: usize, x: &u64) -> Result<u64, Failure> {
        std::thread::sleep(Duration::from_millis(2 * (8 - index as u64)));
        Ok(x * x)
    }

    #[test]
    fn results_come_back_in_job_order_whatever_the_workers() {
        let jobs: Vec<u64> = (0..8).collect();
        let expected: Vec<u64> = jobs.iter().map(|x| x * x).collect();
        for workers in [1, 2, 3, 8, 50] {
            let done = AtomicUsize::new(0);
            let got = run("test", &jobs, workers, slow_square, |_, n| {
                done.fetch_max(n, Ordering::SeqCst);
            });
            assert_eq!(got, Ok(expected.clone()), "{workers} workers");
            assert_eq!(done.into_inner(), jobs.len());
        }
        let none: Result<Vec<u64>, Failure> = run("test", &[], 4, slow_square, |_, _| {});
        assert_eq!(none, Ok(vec![]));
    }

    #[test]
    fn no_more_jobs_run_at_once_than_workers_even_when_a_job_waits_on_its_own_pool() {
        // Each job waits on a rayon pool of its own, as a run does: a waiting worker must not
        // start another job on top of it.
        let (running, most) = (AtomicUsize::new(0), AtomicUsize::new(0));
        let jobs: Vec<usize> = (0..12).collect();
        let job = |_: usize, _: &usize| -> Result<(), Failure> {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(now, Ordering::SeqCst);
            let inner = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
            inner.install(|| std::thread::sleep(Duration::from_millis(5)));
            running.fetch_sub(1, Ordering::SeqCst);
            Ok(())
        };
        run("test", &jobs, 2, job, |_, _| {}).unwrap();
        let most = most.into_inner();
        assert!(most <= 2, "{most} jobs ran at once on 2 workers");
    }

    #[test]
    fn a_failure_stops_new_jobs_and_is_returned() {
        let started = AtomicUsize::new(0);
        let jobs: Vec<usize> = (0..100).collect();
        let job = |index: usize, _: &usize| {
            started.fetch_add(1, Ordering::SeqCst);
            if index == 3 { Err(Failure::Job(index)) } else { Ok(index) }
        };
        assert_eq!(run("test", &jobs, 1, job, |_, _| {}), Err(Failure::Job(3)));
        assert_eq!(started.into_inner(), 4);
    }

    #[test]
    fn zero_workers_means_one_per_core() {
        assert!(workers(0) >= 1);
        assert_eq!(workers(3), 3);
    }
}
