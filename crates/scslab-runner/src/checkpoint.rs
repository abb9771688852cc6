//! Checkpoints of a run in progress, and what `resume` needs to continue one.
//!
//! A run with `checkpoint_every` set writes `run.json` into its output folder before the first
//! day (the scenario text and every setting needed to rebuild its parameters), and every N days
//! `checkpoint.bin`: the simulation's state frame (`scslab_model::state`) followed by a frame
//! with the daily series collected so far. Both are streamed to the file (a checkpoint at full
//! scale is larger than the memory left beside the run) and written atomically through
//! `scslab-output`, so a run killed at any moment leaves either the previous checkpoint or the
//! new one, never half of one. The checkpoint is removed once the run's outputs are complete;
//! `run.json` stays as a record of the settings.
//!
//! A checkpoint is only ever loaded if its frames (`scslab-codec`) are complete, their checksums
//! match, and they were written by this version for the same scenario key ([`scenario_key`]).
//! One written by another scslab (an older frame format, another layout or crate version) is
//! refused with what to do instead ([`refused`]).

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use scslab_codec::{CodecError, Decoder, Encoder, read_frame, write_frame};
use scslab_model::sim::Simulation;
use scslab_model::state::StateError;
use scslab_scenario::{Overrides, Scenario};

use crate::{RunConfig, RunError, SeriesBuilder};

/// Settings of a checkpointed run, written before its first day.
pub const RUN_FILE: &str = "run.json";
/// The latest checkpoint of a run in progress.
pub const CHECKPOINT_FILE: &str = "checkpoint.bin";

/// Magic bytes of the series frame that follows the simulation's state.
const SERIES_MAGIC: [u8; 8] = *b"SCSLABSR";
/// Layout version of the series frame (`SeriesBuilder::save`).
const SERIES_VERSION: u32 = 1;

/// A 64-bit key of what a run computes: the scenario text and the complete parameters (with
/// any overrides). Threads and the output folder are not part of it: they do not change the
/// outputs.
pub fn scenario_key(config: &RunConfig) -> u64 {
    let s = &config.scenario;
    // `Debug` of the parameters prints every float exactly (shortest round trip) and holds no
    // hash maps, so equal parameters give equal text.
    let params = format!("{:?}", s.params);
    let key = fnv1a(0xcbf2_9ce4_8422_2325, s.text.as_bytes());
    fnv1a(fnv1a(key, &[0xff]), params.as_bytes())
}

/// FNV-1a 64 over `bytes`, continuing from `hash`. A key of a few kilobytes of text, not a
/// checksum of files (frames are checked by `scslab_codec::checksum`).
fn fnv1a(mut hash: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        hash ^= b as u64;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// The error of a checkpoint or replay log at `path` refused for `source`. One written by
/// another scslab (an older frame format, another layout or crate version) can never be read by
/// this one: the message says so and what to do `instead`.
pub(crate) fn refused(path: PathBuf, source: StateError, instead: &str) -> RunError {
    match source {
        StateError::Version { .. }
        | StateError::Codec(CodecError::OldFormat { .. } | CodecError::Version { .. }) => {
            RunError::RunFile { message: format!("{source}: {instead}"), path }
        }
        source => RunError::Checkpoint { path, source },
    }
}

/// Writes `run.json` and removes any checkpoint left by an earlier run in the folder.
pub(crate) fn start(config: &RunConfig, dir: &Path, every: u32) -> Result<(), RunError> {
    scslab_output::prepare_dir(dir)?;
    scslab_output::remove_file(dir, CHECKPOINT_FILE)?;
    let p = &config.scenario.params;
    let run = serde_json::json!({
        "scslab_version": env!("CARGO_PKG_VERSION"),
        "scenario": {
            "name": config.scenario.name,
            "origin": config.scenario.origin,
            "text": config.scenario.text,
        },
        "seed": p.seed,
        "people": p.n_persons,
        "days": p.days,
        "threads": config.threads,
        "memory_limit_bytes": config.memory_limit,
        "checkpoint_every": every,
        "command": config.command,
    });
    scslab_output::write_json(dir, RUN_FILE, &run)?;
    Ok(())
}

/// Writes `checkpoint.bin` for the state at the end of a day, streaming the state to the file.
pub(crate) fn save(key: u64, sim: &Simulation, series: &SeriesBuilder, dir: &Path) -> Result<(), RunError> {
    let mut e = Encoder::default();
    series.save(&mut e);
    // Saving only fails on I/O; the atomic writer names the file in the error.
    let io = |err: StateError| match err {
        StateError::Codec(CodecError::Io(err)) => err,
        other => std::io::Error::other(other.to_string()),
    };
    scslab_output::write_streamed(dir, CHECKPOINT_FILE, |mut w| {
        sim.save_state(key, &mut w).map_err(io)?;
        write_frame(SERIES_MAGIC, SERIES_VERSION, &e.bytes, &mut w).map_err(|err| io(err.into()))
    })?;
    Ok(())
}

/// Rebuilds the configuration of the run in `dir` from its `run.json`.
pub(crate) fn read_run_file(dir: &Path, threads: Option<usize>) -> Result<RunConfig, RunError> {
    let path = dir.join(RUN_FILE);
    let bad = |message: String| RunError::RunFile { path: path.clone(), message };
    let text = std::fs::read_to_string(&path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            RunError::NoCheckpoint { path: path.clone() }
        } else {
            bad(e.to_string())
        }
    })?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    let scenario = scenario_from_json(&path, &v)?;
    let u64_field =
        |ptr: &str| v.pointer(ptr).and_then(|x| x.as_u64()).ok_or_else(|| bad(format!("missing `{ptr}`")));
    let str_field =
        |ptr: &str| v.pointer(ptr).and_then(|x| x.as_str()).ok_or_else(|| bad(format!("missing `{ptr}`")));
    let every = u32::try_from(u64_field("/checkpoint_every")?)
        .map_err(|e| bad(format!("`checkpoint_every`: {e}")))?;
    Ok(RunConfig {
        scenario,
        threads: threads.unwrap_or(u64_field("/threads")? as usize),
        out_dir: Some(dir.to_path_buf()),
        memory_limit: v.pointer("/memory_limit_bytes").and_then(|x| x.as_u64()),
        command: str_field("/command")?.to_string(),
        checkpoint_every: Some(every),
        overwrite: false,
        interrupt: None,
    })
}

/// The scenario of a run as `run.json` or `manifest.json` (at `path`) records it: its text, with
/// the people, days and seed of the run.
pub(crate) fn scenario_from_json(path: &Path, v: &serde_json::Value) -> Result<Scenario, RunError> {
    let bad = |message: String| RunError::RunFile { path: path.to_path_buf(), message };
    let str_field =
        |ptr: &str| v.pointer(ptr).and_then(|x| x.as_str()).ok_or_else(|| bad(format!("missing `{ptr}`")));
    let u64_field =
        |ptr: &str| v.pointer(ptr).and_then(|x| x.as_u64()).ok_or_else(|| bad(format!("missing `{ptr}`")));
    let mut scenario = scslab_scenario::parse(str_field("/scenario/text")?, str_field("/scenario/origin")?)
        .map_err(|e| bad(format!("its scenario: {e}")))?;
    let days = u32::try_from(u64_field("/days")?).map_err(|e| bad(format!("`days`: {e}")))?;
    let overrides =
        Overrides { people: Some(u64_field("/people")?), days: Some(days), seed: Some(u64_field("/seed")?) };
    scslab_scenario::apply_overrides(&mut scenario.params, overrides).map_err(|e| bad(e.to_string()))?;
    Ok(scenario)
}

/// Opens `checkpoint.bin` of `dir` (nothing is read or checked yet).
pub(crate) fn open(dir: &Path) -> Result<(PathBuf, File), RunError> {
    let path = dir.join(CHECKPOINT_FILE);
    match File::open(&path) {
        Ok(file) => Ok((path, file)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(RunError::NoCheckpoint { path }),
        Err(e) => Err(RunError::Checkpoint { path, source: CodecError::Io(e).into() }),
    }
}

/// Restores the simulation and the series from a checkpoint, streamed from `file`, refusing
/// anything that does not match `key` or does not check out.
pub(crate) fn load(
    config: &RunConfig,
    key: u64,
    file: File,
) -> Result<(Simulation, SeriesBuilder), StateError> {
    let mut r = BufReader::with_capacity(1 << 20, file);
    let sim = Simulation::restore(config.scenario.params.clone(), key, &mut r)?;
    let body = read_frame(SERIES_MAGIC, SERIES_VERSION, &mut r)?;
    let left = r.read_to_end(&mut Vec::new()).map_err(CodecError::from)?;
    if left > 0 {
        return Err(StateError::Corrupt(format!("{left} bytes after the last frame")));
    }
    let mut series = SeriesBuilder::new(&sim);
    let mut d = Decoder::new(&body);
    series.restore(&mut d)?;
    d.finish()?;
    if series.n_days() != sim.day() as usize || sim.day() > config.scenario.params.days {
        return Err(StateError::Corrupt(format!(
            "{} days of series for day {} of {}",
            series.n_days(),
            sim.day(),
            config.scenario.params.days
        )));
    }
    Ok((sim, series))
}
