//! The `scslab` command: a thin front end over `scslab-runner`, `scslab-scenario` and
//! `scslab-report`. It parses
//! arguments, draws the progress bar, prints tables and errors, and alone picks exit codes:
//! 0 success, 2 bad input (nothing written), 1 failure while running or writing.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use scslab_experiment::audit::{AuditConfig, AuditError, AuditProgress, Interval};
use scslab_experiment::calibration::{CalibrationConfig, CalibrationError, CalibrationProgress};
use scslab_experiment::equivalence::{
    EquivalenceConfig, EquivalenceError, EquivalenceProgress, Setting, Verdict,
};
use scslab_experiment::{RowKind, Streams, SweepConfig, SweepError, SweepProgress};
use scslab_report::ReportError;
use scslab_report::format::{self, Unit};
use scslab_runner::{FolderError, Progress, RunConfig, RunError};
use scslab_scenario::{Overrides, Scenario, ScenarioError};

#[derive(Parser)]
#[command(name = "scslab", version, about = "Simulate social credit systems on synthetic populations")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario (default: the china-2020 preset, 1 million people, 365 days).
    Run(RunArgs),
    /// Run a scenario and a counterfactual with common random numbers (same as run --against).
    Compare(RunArgs),
    /// Finish a run started with --checkpoint-every from its last checkpoint (same outputs).
    Resume(ResumeArgs),
    /// Run a sweep file: scenarios x parameter values x replications, in parallel, resumable.
    Sweep(SweepArgs),
    /// List, print or check scenarios.
    #[command(subcommand)]
    Scenario(ScenarioCommand),
    /// Audit a regime against the EU AI Act's prohibition of social scoring (Art. 5(1)(c)):
    /// replications, criteria with 95% intervals and findings (docs/AUDIT.md).
    Audit(AuditArgs),
    /// Calibrate a scenario on dated targets (default: china-2020 on the court-defaulter list,
    /// 2013-2018): replications compared with the targets, or with `--fit` an ABC-SMC fit of
    /// the priors' parameters and posterior predictive runs (docs/calibration/CALIBRATION.md).
    Calibrate(CalibrateArgs),
    /// Compare scenarios with a variant of each (`--set KEY=VALUE`) over disjoint seeds: every
    /// headline and the main daily series, within the 95% interval or 2% (docs/EXPERIMENTS.md).
    /// Exits with 1 when the verdict is FAIL.
    Equivalence(EquivalenceArgs),
    /// Write a self-contained HTML report (charts, headline table) of a run, comparison or sweep
    /// folder.
    Report(ReportArgs),
    /// Tell one synthetic person's or company's story, day by day, by re-simulating it alone
    /// from a finished run's folder (its seed and replay log; nothing per agent is stored).
    Trace(TraceArgs),
}

#[derive(Args)]
#[command(group = clap::ArgGroup::new("agent").required(true))]
struct TraceArgs {
    /// Output folder of a finished `scslab run`.
    dir: PathBuf,
    /// Person id (0 to people - 1).
    #[arg(long, group = "agent")]
    person: Option<u32>,
    /// Company (firm) id (0 to firms - 1).
    #[arg(long, group = "agent")]
    company: Option<u32>,
    /// Also print routine days (daily money from a redlist, days in detention).
    #[arg(long)]
    all: bool,
}

#[derive(Args)]
struct ResumeArgs {
    /// Output folder of a run started with `--checkpoint-every` and stopped before it finished.
    dir: PathBuf,
    /// Worker threads (default: as in the interrupted run). Results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Memory limit in GiB for the preflight check (default: the interrupted run's limit, if it
    /// had one, else the machine's available memory).
    #[arg(long)]
    memory_limit_gib: Option<f64>,
}

#[derive(Args)]
struct ReportArgs {
    /// Output folder written by `scslab run`, `scslab compare` or `scslab sweep`.
    dir: PathBuf,
    /// Report file (default: `DIR/report.html`).
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(Args, Clone)]
struct RunArgs {
    /// Embedded preset to run (see `scslab scenario list`).
    #[arg(long, conflicts_with = "scenario")]
    preset: Option<String>,
    /// Scenario file (TOML) to run.
    #[arg(long)]
    scenario: Option<PathBuf>,
    /// Number of people (overrides the scenario).
    #[arg(long)]
    people: Option<u64>,
    /// Number of days (overrides the scenario).
    #[arg(long)]
    days: Option<u32>,
    /// Random seed (overrides the scenario).
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Output folder (default: `out/NAME`, NAME being the scenario name).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Counterfactual to compare with: a preset name or a scenario file.
    #[arg(long)]
    against: Option<String>,
    /// Memory limit in GiB for the preflight check (default: the machine's available memory).
    #[arg(long)]
    memory_limit_gib: Option<f64>,
    /// Write a checkpoint every DAYS days, so that `scslab resume OUT` can finish the run if it
    /// is stopped (killed, machine restarted).
    #[arg(long, value_name = "DAYS", conflicts_with = "against", value_parser = clap::value_parser!(u32).range(1..))]
    checkpoint_every: Option<u32>,
    /// Clear the output folder first if it holds an earlier run (by default such a folder is
    /// refused). Only folders that hold nothing but scslab's own files are cleared.
    #[arg(long)]
    overwrite: bool,
}

#[derive(Args)]
struct SweepArgs {
    /// Sweep file (TOML); the format is in docs/EXPERIMENTS.md.
    file: PathBuf,
    /// Output folder (default: `out/sweeps/NAME`). The same command on the same folder resumes.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Runs at a time (default: all cores); each run uses one thread. Results do not depend on it.
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Give each scenario its own random streams instead of common random numbers; differences
    /// then get Welch intervals. For measuring what common random numbers gain.
    #[arg(long, conflicts_with = "measure_crn")]
    independent: bool,
    /// Run the sweep with common and with independent streams (into OUT/common and
    /// OUT/independent) and compare the widths of the differences' intervals (OUT/crn.csv).
    #[arg(long)]
    measure_crn: bool,
}

#[derive(Args)]
struct AuditArgs {
    /// Embedded preset to audit (default: china-2020).
    #[arg(long, conflicts_with = "scenario")]
    preset: Option<String>,
    /// Scenario file (TOML) to audit.
    #[arg(long)]
    scenario: Option<PathBuf>,
    /// Scenario to compare with on the same seeds: a preset name or a scenario file.
    #[arg(long)]
    against: Option<String>,
    /// People per replication.
    #[arg(long, default_value_t = scslab_experiment::audit::DEFAULT_PEOPLE)]
    people: u64,
    /// Days per replication.
    #[arg(long, default_value_t = scslab_experiment::audit::DEFAULT_DAYS)]
    days: u32,
    /// Replications (at least 2).
    #[arg(long, default_value_t = scslab_experiment::audit::DEFAULT_REPLICATIONS)]
    replications: u32,
    /// Base seed (default: the scenario's); replication seeds are derived as a sweep's.
    #[arg(long)]
    seed: Option<u64>,
    /// Output folder (default: `out/audit-NAME`).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Replications at a time (default: all cores); each uses one thread. Results do not depend
    /// on it.
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Clear the output folder first if it holds an earlier result of this command (by default
    /// a folder that is not empty is refused).
    #[arg(long)]
    overwrite: bool,
}

#[derive(Args)]
struct EquivalenceArgs {
    /// Embedded preset to compare (repeatable; default: china-2020 when no --scenario is given).
    #[arg(long)]
    preset: Vec<String>,
    /// Scenario file (TOML) to compare (repeatable; compared after the presets).
    #[arg(long)]
    scenario: Vec<PathBuf>,
    /// Variant B: write VALUE at the dotted KEY of every scenario, as a sweep's parameter
    /// (repeatable; none compares each scenario with itself on other seeds).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    sets: Vec<String>,
    /// Seeds per variant (at least 2): A runs SEED..SEED+N-1, B the next N.
    #[arg(long, default_value_t = scslab_experiment::equivalence::DEFAULT_SEEDS)]
    seeds: u32,
    /// People per run.
    #[arg(long, default_value_t = scslab_experiment::equivalence::DEFAULT_PEOPLE)]
    people: u64,
    /// Days per run.
    #[arg(long, default_value_t = scslab_experiment::equivalence::DEFAULT_DAYS)]
    days: u32,
    /// First seed (default: the first scenario's).
    #[arg(long)]
    seed: Option<u64>,
    /// Runs at a time (default: all cores); each uses one thread. Results do not depend on it.
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Output folder (default: `out/equivalence`); a folder that is not empty is refused.
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(Args)]
struct CalibrateArgs {
    /// The scenario to calibrate (a .toml file with `start_date`; default: china-2020 from the
    /// court list's launch in 2013-10).
    #[arg(long)]
    scenario: Option<PathBuf>,
    /// The targets: a CSV of dated facts (`id,date,quantity,value,sd,role,source`; default: the
    /// built-in china-2020 targets, FACTS.md B9-B20).
    #[arg(long)]
    targets: Option<PathBuf>,
    /// The real population simulated counts are scaled to (default: 1,411.78 M, China's 2020
    /// census).
    #[arg(long)]
    population: Option<f64>,
    /// Fit the priors' parameters jointly by ABC-SMC, then draw posterior predictive runs.
    #[arg(long)]
    fit: bool,
    /// With --fit: the priors, a TOML of `[[parameter]]` keys with `min`, `max` and optionally
    /// `scale = "log"` (default: the built-in china-2020 priors).
    #[arg(long, requires = "fit")]
    priors: Option<PathBuf>,
    /// With --fit: particles of generation 0.
    #[arg(long, requires = "fit", default_value_t = scslab_experiment::calibration::fit::DEFAULT_PARTICLES)]
    particles: usize,
    /// With --fit: particles kept after each generation (each later one simulates particles - keep).
    #[arg(long, requires = "fit", default_value_t = scslab_experiment::calibration::fit::DEFAULT_KEEP)]
    keep: usize,
    /// With --fit: stop once at most this share of a generation's new particles beats the last
    /// tolerance.
    #[arg(long, requires = "fit", default_value_t = scslab_experiment::calibration::fit::DEFAULT_MIN_ACCEPTANCE)]
    min_acceptance: f64,
    /// With --fit: most generations after generation 0.
    #[arg(long, requires = "fit", default_value_t = scslab_experiment::calibration::fit::DEFAULT_MAX_GENERATIONS)]
    generations: u32,
    /// With --fit: posterior predictive runs.
    #[arg(long, requires = "fit", default_value_t = scslab_experiment::calibration::fit::DEFAULT_PREDICTIVE)]
    predictive: u32,
    /// People per run.
    #[arg(long, default_value_t = scslab_experiment::calibration::DEFAULT_PEOPLE)]
    people: u64,
    /// Replications (at least 2); with --fit, see --predictive instead.
    #[arg(long, conflicts_with = "fit", default_value_t = scslab_experiment::calibration::DEFAULT_REPLICATIONS)]
    replications: u32,
    /// Base seed (default: the preset's); replication seeds are derived as a sweep's.
    #[arg(long)]
    seed: Option<u64>,
    /// Output folder (default: `out/calibration`).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Replications at a time (default: all cores); each uses one thread. Results do not depend
    /// on it.
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Clear the output folder first if it holds an earlier result of this command (by default
    /// a folder that is not empty is refused).
    #[arg(long)]
    overwrite: bool,
}

#[derive(Subcommand)]
enum ScenarioCommand {
    /// List the embedded presets.
    List,
    /// Print a preset as a complete, editable TOML file.
    Show {
        /// Preset name.
        name: String,
    },
    /// Check a scenario file without running it.
    Validate {
        /// Scenario file.
        file: PathBuf,
    },
}

/// Errors as the binary reports them.
enum Failure {
    /// Bad input, refused before anything was written: exit 2.
    Input(String),
    /// A failure while running or writing: exit 1.
    Run(String),
    /// Stopped by Ctrl-C or SIGTERM: exit 130.
    Interrupted(String),
}

impl From<FolderError> for Failure {
    fn from(e: FolderError) -> Self {
        match e {
            FolderError::Io(_) => Failure::Run(format!("error: {e}")),
            other => Failure::Input(format!("error: {other}")),
        }
    }
}

impl From<ScenarioError> for Failure {
    fn from(e: ScenarioError) -> Self {
        Failure::Input(render_scenario_error(&e))
    }
}

impl From<ReportError> for Failure {
    fn from(e: ReportError) -> Self {
        match e {
            // Writing the report failed: a failure, not bad input.
            ReportError::Output(_) => Failure::Run(format!("error: {e}")),
            other => Failure::Input(format!("error: {other}")),
        }
    }
}

impl From<RunError> for Failure {
    fn from(e: RunError) -> Self {
        match e {
            RunError::Folder(e) => e.into(),
            RunError::Interrupted { day, days, dir, checkpoint_day } => {
                Failure::Interrupted(interrupted_message(day, days, dir.as_deref(), checkpoint_day))
            }
            RunError::Memory { .. }
            | RunError::TooManyThreads { .. }
            | RunError::UnsafeName { .. }
            | RunError::NoCheckpoint { .. }
            | RunError::RunFile { .. }
            | RunError::Checkpoint { .. }
            | RunError::Trace(_) => Failure::Input(format!("error: {e}")),
            other => Failure::Run(format!("error: {other}")),
        }
    }
}

impl From<AuditError> for Failure {
    fn from(e: AuditError) -> Self {
        match e {
            AuditError::Input(e) => Failure::Input(render_scenario_error(&e)),
            AuditError::Replications(_) | AuditError::Memory(_) => Failure::Input(format!("error: {e}")),
            other => Failure::Run(format!("error: {other}")),
        }
    }
}

impl From<EquivalenceError> for Failure {
    fn from(e: EquivalenceError) -> Self {
        match e {
            EquivalenceError::Input(e) => Failure::Input(render_scenario_error(&e)),
            EquivalenceError::Set { argument, column, message } => {
                // The argument is the source: show it with a caret under the column.
                let caret = " ".repeat(column.saturating_sub(1));
                Failure::Input(format!(
                    "error: --set {argument}: {message}\n  --set {argument}\n        {caret}^"
                ))
            }
            EquivalenceError::Seeds(_)
            | EquivalenceError::NoScenario
            | EquivalenceError::DuplicateScenario(_)
            | EquivalenceError::Memory(_) => Failure::Input(format!("error: {e}")),
            other => Failure::Run(format!("error: {other}")),
        }
    }
}

impl From<CalibrationError> for Failure {
    fn from(e: CalibrationError) -> Self {
        match e {
            CalibrationError::Input(e) => Failure::Input(render_scenario_error(&e)),
            CalibrationError::Replications(_)
            | CalibrationError::Memory(_)
            | CalibrationError::Setting(_)
            | CalibrationError::PredictiveMemory { .. }
            | CalibrationError::Changed { .. }
            | CalibrationError::Folder { .. } => Failure::Input(format!("error: {e}")),
            other => Failure::Run(format!("error: {other}")),
        }
    }
}

impl From<SweepError> for Failure {
    fn from(e: SweepError) -> Self {
        match e {
            SweepError::Input(e) => Failure::Input(render_scenario_error(&e)),
            SweepError::Changed { .. } | SweepError::Memory(_) | SweepError::Folder { .. } => {
                Failure::Input(format!("error: {e}"))
            }
            other => Failure::Run(format!("error: {other}")),
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run(args),
        Command::Compare(args) => {
            if args.against.is_none() {
                let mut args = args;
                args.against = Some("none".into());
                run(args)
            } else {
                run(args)
            }
        }
        Command::Resume(args) => resume(args),
        Command::Sweep(args) => sweep(args),
        Command::Audit(args) => audit(args),
        Command::Calibrate(args) => calibrate(args),
        Command::Equivalence(args) => equivalence(args),
        Command::Scenario(cmd) => scenario(cmd),
        Command::Report(args) => report(args),
        Command::Trace(args) => trace(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Input(msg)) => {
            eprintln!("{msg}");
            ExitCode::from(2)
        }
        Err(Failure::Run(msg)) => {
            eprintln!("{msg}");
            ExitCode::from(1)
        }
        Err(Failure::Interrupted(msg)) => {
            eprintln!("{msg}");
            ExitCode::from(130)
        }
    }
}

/// What an interrupted run kept, in words.
fn interrupted_message(day: u32, days: u32, dir: Option<&Path>, checkpoint_day: Option<u32>) -> String {
    let mut msg = format!("interrupted after day {day} of {days}");
    let Some(dir) = dir else { return msg };
    msg.push_str(&format!(
        "\nkept in {}: the daily series of days 1-{day} (series_*.csv.partial); the folder has no \
         manifest, so it is not taken for a finished run",
        dir.display()
    ));
    match checkpoint_day {
        Some(c) => msg.push_str(&format!(
            "\nits checkpoint at day {c} is kept: `scslab resume {}` finishes the run",
            dir.display()
        )),
        None => msg
            .push_str("\nno checkpoint was kept (use --checkpoint-every DAYS for a run that can be resumed)"),
    }
    msg.push_str("; the same command again starts the run over");
    msg
}

/// Stops a run cleanly on Ctrl-C (SIGINT) or SIGTERM: the first signal sets the flag the runner
/// checks at the end of each day; a second one ends the process at once.
fn interrupt_flag() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        // Registration only fails for forbidden signals; these two are allowed everywhere.
        let _ = signal_hook::flag::register_conditional_shutdown(signal, 130, Arc::clone(&flag));
        let _ = signal_hook::flag::register(signal, Arc::clone(&flag));
    }
    flag
}

/// Refuses more threads than the runner accepts, before anything is read or written.
fn check_threads(threads: usize) -> Result<(), Failure> {
    scslab_runner::check_threads(threads).map_err(Failure::from)
}

/// Claims an output folder for a command that writes into it (sweep, audit, calibration) with
/// `claim`, then runs `f`; removes the folder again if it was made here and `f` refused its
/// input.
fn with_folder<T>(
    dir: &Path,
    claim: impl FnOnce(&Path) -> Result<scslab_runner::FolderLock, FolderError>,
    f: impl FnOnce() -> Result<T, Failure>,
) -> Result<T, Failure> {
    let created = !dir.exists();
    let lock = claim(dir)?;
    let result = f();
    drop(lock);
    if created && matches!(result, Err(Failure::Input(_))) {
        // Only an empty folder is removed: nothing was written into it.
        let _ = std::fs::remove_dir(dir);
    }
    result
}

fn scenario(cmd: ScenarioCommand) -> Result<(), Failure> {
    match cmd {
        ScenarioCommand::List => {
            println!("{:<16} {:>10} {:>6}  description", "preset", "people", "days");
            for (name, _) in scslab_scenario::PRESETS {
                let s = scslab_scenario::preset(name)?;
                println!("{:<16} {:>10} {:>6}  {}", name, s.params.n_persons, s.params.days, s.description);
            }
        }
        ScenarioCommand::Show { name } => print!("{}", scslab_scenario::preset_text(&name)?),
        ScenarioCommand::Validate { file } => {
            let s = scslab_scenario::load(&file)?;
            println!(
                "{}: valid scenario `{}` ({} people, {} days, {} authorities, {} measures)",
                file.display(),
                s.name,
                s.params.n_persons,
                s.params.days,
                s.params.authorities.len(),
                s.params.measures.len()
            );
        }
    }
    Ok(())
}

fn report(args: ReportArgs) -> Result<(), Failure> {
    scslab_runner::require_finished(&args.dir)?;
    let report = scslab_report::render(&args.dir)?;
    let path = args.out.unwrap_or_else(|| scslab_report::default_path(&args.dir));
    let path = scslab_report::write(&report, &path)?;
    println!("report: {} ({} charts)", path.display(), report.charts.len());
    if !report.skipped.is_empty() {
        println!(
            "not drawn (columns missing, or the outcome is n/a everywhere; see the report): {}",
            report.skipped.join(", ")
        );
    }
    Ok(())
}

fn trace(args: TraceArgs) -> Result<(), Failure> {
    use scslab_runner::TraceTarget;
    let target = match (args.person, args.company) {
        (Some(id), _) => TraceTarget::Person(id),
        (None, Some(id)) => TraceTarget::Company(id),
        (None, None) => unreachable!("clap requires --person or --company"),
    };
    scslab_runner::require_finished(&args.dir)?;
    let (scenario, trace) = scslab_runner::trace(&args.dir, target)?;
    let who = match target {
        TraceTarget::Person(id) => format!("person {id}"),
        TraceTarget::Company(id) => format!("company {id}"),
    };
    println!(
        "{who} of `{}` ({} people, {} days, seed {})",
        scenario.name, scenario.params.n_persons, scenario.params.days, scenario.params.seed
    );
    for (name, value) in &trace.profile {
        println!("  {name:<18} {value}");
    }
    let routine = |r: &scslab_model::trace::TraceRow| {
        r.kind == "detention" || (r.kind == "money" && r.what == "rewards_yuan")
    };
    let mut shown = 0;
    let mut day = None;
    for r in trace.rows.iter().filter(|r| args.all || !routine(r)) {
        if day != Some(r.day) {
            println!("day {}", r.day);
            day = Some(r.day);
        }
        let value = if r.value.fract() == 0.0 { format!("{}", r.value) } else { format!("{:.2}", r.value) };
        println!("  {:<12} {:<28} {:>8}  {}", r.kind, r.what, value, r.detail);
        shown += 1;
    }
    if shown == 0 {
        println!("nothing happened to {who} beyond routine days (use --all to see them)");
    }
    let out = scslab_runner::write_trace(&args.dir, target, &trace)?;
    println!(
        "written: {}/{}.csv and {}-days.csv (and .parquet)",
        out.display(),
        target.stem(),
        target.stem()
    );
    Ok(())
}

fn load(preset: Option<&str>, file: Option<&PathBuf>) -> Result<Scenario, ScenarioError> {
    match (preset, file) {
        (_, Some(f)) => scslab_scenario::load(f),
        (Some(p), None) => scslab_scenario::preset(p),
        (None, None) => scslab_scenario::preset("china-2020"),
    }
}

fn run(args: RunArgs) -> Result<(), Failure> {
    // Everything is checked before anything is written.
    check_threads(args.threads)?;
    let mut scenario = load(args.preset.as_deref(), args.scenario.as_ref())?;
    let overrides = Overrides { people: args.people, days: args.days, seed: args.seed };
    scslab_scenario::apply_overrides(&mut scenario.params, overrides)?;
    let against = load_against(args.against.as_ref())?;
    if args.checkpoint_every.is_some() && args.against.is_some() {
        return Err(Failure::Input(
            "error: --checkpoint-every: only a single run can be checkpointed, not a comparison".into(),
        ));
    }
    let memory_limit = args.memory_limit_gib.map(gib_to_bytes).transpose()?;
    let out_dir = args.out.clone().unwrap_or_else(|| PathBuf::from("out").join(&scenario.name));
    let config = RunConfig {
        scenario,
        threads: args.threads,
        out_dir: Some(out_dir.clone()),
        memory_limit,
        command: std::env::args().collect::<Vec<_>>().join(" "),
        checkpoint_every: args.checkpoint_every,
        overwrite: args.overwrite,
        interrupt: Some(interrupt_flag()),
    };
    scslab_runner::preflight(&config)?;
    if let Some(b) = &against {
        let mut cfg_b = config.clone();
        cfg_b.scenario = b.clone();
        cfg_b.scenario.params.n_persons = config.scenario.params.n_persons;
        scslab_runner::preflight(&cfg_b)?;
    }
    let bar = progress_bar();
    let mut on_progress = |p: Progress| show_progress(&bar, p);
    match against {
        None => {
            let outcome = scslab_runner::run(&config, &mut on_progress)?;
            bar.finish_and_clear();
            print_headlines(&config, &outcome);
        }
        Some(b) => {
            let cmp = scslab_runner::compare(&config, b, &mut on_progress)?;
            bar.finish_and_clear();
            println!(
                "{} vs {} ({} people, {} days, seed {}; common random numbers)",
                config.scenario.name,
                cmp.against_name,
                config.scenario.params.n_persons,
                config.scenario.params.days,
                config.scenario.params.seed
            );
            println!(
                "{:<54} {:>18} {:>18} {:>18}",
                "outcome", &config.scenario.name, &cmp.against_name, "difference"
            );
            for r in scslab_runner::paired(&cmp.run.headlines, &cmp.against.headlines) {
                let unit = Some(r.unit);
                println!(
                    "{:<54} {:>18} {:>18} {:>18}",
                    r.label,
                    fmt(r.scenario, unit),
                    fmt(r.against, unit),
                    fmt_difference(r.difference(), unit)
                );
            }
            let both: Vec<_> = cmp.run.headlines.iter().chain(&cmp.against.headlines).cloned().collect();
            println!("{}", units_note(&both));
        }
    }
    println!("outputs: {}", out_dir.display());
    Ok(())
}

/// `--memory-limit-gib` in bytes, refusing a limit that is not a positive number.
fn gib_to_bytes(gib: f64) -> Result<u64, Failure> {
    if !(gib > 0.0 && gib.is_finite()) {
        return Err(Failure::Input(format!(
            "error: --memory-limit-gib: expected a positive number, found {gib}"
        )));
    }
    Ok((gib * (1u64 << 30) as f64) as u64)
}

fn resume(args: ResumeArgs) -> Result<(), Failure> {
    if let Some(t) = args.threads {
        check_threads(t)?;
    }
    let bar = progress_bar();
    let mut on_progress = |p: Progress| show_progress(&bar, p);
    let memory_limit = args.memory_limit_gib.map(gib_to_bytes).transpose()?;
    let outcome = scslab_runner::resume_with(
        &args.dir,
        args.threads,
        memory_limit,
        Some(interrupt_flag()),
        &mut on_progress,
    )?;
    bar.finish_and_clear();
    if let Some(day) = outcome.resumed_from_day {
        println!("resumed from day {day}");
    }
    print_table(&outcome.headlines);
    println!("outputs: {}", args.dir.display());
    Ok(())
}

fn sweep(args: SweepArgs) -> Result<(), Failure> {
    // The sweep file, every scenario and every design point are checked before anything is written.
    check_threads(args.threads)?;
    let sweep = scslab_experiment::load(&args.file)?;
    if args.measure_crn && sweep.scenarios.len() < 2 {
        return Err(Failure::Input(format!(
            "error: --measure-crn: {} names one scenario; it needs at least two to compare",
            args.file.display()
        )));
    }
    let out_dir = args.out.clone().unwrap_or_else(|| PathBuf::from("out").join("sweeps").join(&sweep.name));
    let config = SweepConfig {
        out_dir: out_dir.clone(),
        workers: args.threads,
        streams: if args.independent { Streams::Independent } else { Streams::Common },
        command: std::env::args().collect::<Vec<_>>().join(" "),
    };
    let bar = progress_bar();
    bar.set_style(
        ProgressStyle::with_template("{msg:>16} [{bar:40}] {pos}/{len} runs  ETA {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let on_progress = |p: SweepProgress| match p {
        SweepProgress::Planned { runs, to_run } => {
            bar.set_length(to_run as u64);
            bar.set_position(0);
            bar.set_message(format!("{} of {runs} to run", to_run));
        }
        SweepProgress::RunDone { done, .. } => bar.set_position(done as u64),
        SweepProgress::Combining => bar.set_message("combining"),
    };
    let size = format!("{} people, {} days, {} replications", sweep.people, sweep.days, sweep.replications);
    with_folder(&out_dir, scslab_runner::lock_folder, || {
        sweep_in_folder(&args, &sweep, &config, &bar, &on_progress, &size)
    })
}

fn sweep_in_folder(
    args: &SweepArgs,
    sweep: &scslab_experiment::Sweep,
    config: &SweepConfig,
    bar: &ProgressBar,
    on_progress: &(dyn Fn(SweepProgress) + Sync),
    size: &str,
) -> Result<(), Failure> {
    let out_dir = &config.out_dir;
    if args.measure_crn {
        let rows = scslab_experiment::measure_crn(sweep, config, on_progress)?;
        bar.finish_and_clear();
        println!("{}: {size}; 95% interval half-widths of each difference", sweep.name);
        println!(
            "{:<28} {:<30} {:>12} {:>12} {:>12} {:>8}",
            "difference", "outcome", "mean", "+/- common", "+/- indep.", "ratio"
        );
        for r in rows {
            println!(
                "{:<28} {:<30} {:>12} {:>12} {:>12} {:>8.2}",
                format!("{} - {} (p{})", r.scenario, r.baseline, r.point),
                r.outcome,
                fmt_stat(r.common.mean, &r.outcome),
                fmt_width(r.common.half_width, &r.outcome),
                fmt_width(r.independent.half_width, &r.outcome),
                r.width_ratio
            );
        }
        println!("outputs: {} (crn.csv, common/, independent/)", out_dir.display());
        return Ok(());
    }
    let outcome = scslab_experiment::run_sweep(sweep, config, on_progress)?;
    bar.finish_and_clear();
    let streams = if args.independent { "independent streams" } else { "common random numbers" };
    println!(
        "{}: {} runs ({} run now, {} reused), {size}, {} workers, {:.1} s; {streams}",
        sweep.name,
        outcome.runs.len(),
        outcome.executed.len(),
        outcome.runs.len() - outcome.executed.len(),
        outcome.workers,
        outcome.wall_seconds
    );
    if sweep.design.is_sensitivity() {
        print_sensitivity(&outcome.sensitivity);
        println!(
            "\noutputs: {} (runs, series, summary, sensitivity: .csv and .parquet; manifest.json)",
            out_dir.display()
        );
        return Ok(());
    }
    let shown = RowKind::Difference;
    let kind = if sweep.scenarios.len() > 1 { shown } else { RowKind::Mean };
    let mut group = None;
    for r in outcome.summary.iter().filter(|r| r.kind == kind) {
        if group != Some((r.scenario.clone(), r.point)) {
            group = Some((r.scenario.clone(), r.point));
            let values: Vec<String> = sweep
                .parameters
                .iter()
                .zip(&sweep.points[r.point])
                .map(|(p, v)| format!("{} = {}", p.key, format::number(*v)))
                .collect();
            let what = if r.baseline.is_empty() {
                r.scenario.clone()
            } else {
                format!("{} - {}", r.scenario, r.baseline)
            };
            println!(
                "\n{what}, design point {}{}{}",
                r.point,
                if values.is_empty() { "" } else { ": " },
                values.join(", ")
            );
            println!("{:<30} {:>14} {:>14}   95% interval", "outcome", "mean", "+/-");
        }
        let e = &r.estimate;
        println!(
            "{:<30} {:>14} {:>14}   [{}, {}]",
            r.outcome,
            fmt_stat(e.mean, &r.outcome),
            fmt_width(e.half_width, &r.outcome),
            fmt_stat(e.ci_low(), &r.outcome),
            fmt_stat(e.ci_high(), &r.outcome)
        );
    }
    println!("\noutputs: {} (runs, series, summary: .csv and .parquet; manifest.json)", out_dir.display());
    Ok(())
}

/// The closing lines of a Morris or Sobol' sweep: per scenario and outcome, the three parameters
/// with the largest `mu_star` (Morris) or total index `ST` (Sobol'); every design point's table
/// would run to thousands of lines, and the full indices are in `sensitivity.csv`.
fn print_sensitivity(rows: &[scslab_experiment::SensitivityRow]) {
    const SHOWN: usize = 3;
    let ranked = |r: &&scslab_experiment::SensitivityRow| matches!(r.estimate.statistic, "mu_star" | "ST");
    let mut groups: Vec<(&str, &str)> = Vec::new();
    for r in rows.iter().filter(ranked) {
        if !groups.contains(&(r.scenario.as_str(), r.outcome.as_str())) {
            groups.push((&r.scenario, &r.outcome));
        }
    }
    let mut scenario = "";
    for (s, o) in groups {
        let mut top: Vec<_> =
            rows.iter().filter(ranked).filter(|r| r.scenario == s && r.outcome == o).collect();
        if s != scenario {
            scenario = s;
            let statistic = top.first().map_or("", |r| r.estimate.statistic);
            println!("\n{s}: the {SHOWN} parameters with the largest {statistic} (95% bootstrap interval)");
        }
        top.sort_by(|a, b| b.estimate.value.total_cmp(&a.estimate.value));
        let shown: Vec<String> = top
            .iter()
            .filter(|r| r.estimate.value > 0.0)
            .take(SHOWN)
            .map(|r| {
                let e = &r.estimate;
                format!(
                    "{} {} [{}, {}]",
                    r.parameter,
                    format::number(e.value),
                    format::number(e.ci_low),
                    format::number(e.ci_high)
                )
            })
            .collect();
        let line =
            if shown.is_empty() { "does not vary over the design".to_string() } else { shown.join("; ") };
        println!("{o:<30} {line}");
    }
}

fn load_against(against: Option<&String>) -> Result<Option<Scenario>, ScenarioError> {
    match against {
        None => Ok(None),
        Some(a) if a.ends_with(".toml") || std::path::Path::new(a).exists() => {
            scslab_scenario::load(std::path::Path::new(a)).map(Some)
        }
        Some(a) => scslab_scenario::preset(a).map(Some),
    }
}

fn audit(args: AuditArgs) -> Result<(), Failure> {
    // Everything (scenarios, sizes, replications) is checked before anything is written.
    check_threads(args.threads)?;
    let scenario = load(args.preset.as_deref(), args.scenario.as_ref())?;
    let against = load_against(args.against.as_ref())?;
    let name = match &against {
        Some(b) => format!("audit-{}-vs-{}", scenario.name, b.name),
        None => format!("audit-{}", scenario.name),
    };
    let out_dir = args.out.clone().unwrap_or_else(|| PathBuf::from("out").join(name));
    let config = AuditConfig {
        people: args.people,
        days: args.days,
        replications: args.replications,
        seed: args.seed,
        out_dir: Some(out_dir.clone()),
        workers: args.threads,
        command: std::env::args().collect::<Vec<_>>().join(" "),
    };
    let bar = days_bar("auditing");
    let on_progress = |p: AuditProgress| {
        bar.set_length(p.total_days);
        bar.set_position(p.done_days);
    };
    let claim = |d: &Path| {
        let files = &scslab_experiment::audit::OUTPUT_FILES;
        scslab_runner::claim_result(d, "audit", files, args.overwrite)
    };
    let result = with_folder(&out_dir, claim, || {
        Ok(scslab_experiment::audit::audit(&scenario, against.as_ref(), &config, &on_progress)?)
    })?;
    bar.finish_and_clear();
    let n = result.seeds.len();
    println!(
        "audit of {} against Art. 5(1)(c) AI Act: {} people, {} days, {n} replications, seed {}",
        result.main.scenario, result.people, result.days, result.seed
    );
    let interval = |i: Option<Interval>, unit: scslab_experiment::audit::Unit, difference: bool| {
        let show = |x: f64| if difference { unit.show_difference(x) } else { unit.show(x) };
        i.map_or(String::new(), |i| {
            if i.estimate.is_finite() {
                format!("{} [{}, {}]", show(i.estimate), show(i.low), show(i.high))
            } else {
                "n/a".to_string()
            }
        })
    };
    match &result.against {
        None => println!("{:<30} {:<78} {:>34} {:>3}", "criterion", "statistic", "estimate [95% CI]", "n"),
        Some(b) => println!(
            "{:<30} {:<78} {:>34} {:>34} {:>34} {:>3}",
            "criterion", "statistic", result.main.scenario, b.scenario, "difference", "n"
        ),
    }
    for r in &result.rows {
        print!("{:<30} {:<78} {:>34}", r.criterion.title(), r.label, interval(r.main, r.unit, false));
        if result.against.is_some() {
            print!(
                " {:>34} {:>34}",
                interval(r.against, r.unit, false),
                interval(r.difference, r.unit, true)
            );
        }
        println!(" {:>3}", r.main.map_or(n, |i| i.n));
    }
    println!();
    for a in std::iter::once(&result.main).chain(result.against.as_ref()) {
        for f in &a.findings {
            println!("{}: {}: {}", a.scenario, f.criterion.title(), f.text);
        }
    }
    let report = scslab_report::render(&out_dir)?;
    let page = scslab_report::write(&report, &scslab_report::default_path(&out_dir))?;
    println!(
        "\noutputs: {} (audit.csv, audit.parquet, audit.md, manifest.json, {})",
        out_dir.display(),
        page.file_name().and_then(|n| n.to_str()).unwrap_or("report.html")
    );
    Ok(())
}

fn equivalence(args: EquivalenceArgs) -> Result<(), Failure> {
    // Scenarios, settings, sizes and seeds are checked before anything is written.
    check_threads(args.threads)?;
    let mut scenarios = Vec::new();
    for p in &args.preset {
        scenarios.push(scslab_scenario::preset(p)?);
    }
    for f in &args.scenario {
        scenarios.push(scslab_scenario::load(f)?);
    }
    if scenarios.is_empty() {
        scenarios.push(scslab_scenario::preset("china-2020")?);
    }
    let settings = args.sets.iter().map(|s| Setting::parse(s)).collect::<Result<Vec<_>, _>>()?;
    let out_dir = args.out.clone().unwrap_or_else(|| PathBuf::from("out").join("equivalence"));
    let config = EquivalenceConfig {
        people: args.people,
        days: args.days,
        seeds: args.seeds,
        seed: args.seed,
        workers: args.threads,
        out_dir: Some(out_dir.clone()),
        command: std::env::args().collect::<Vec<_>>().join(" "),
    };
    let bar = days_bar("comparing");
    let on_progress = |p: EquivalenceProgress| {
        bar.set_length(p.total_days);
        bar.set_position(p.done_days);
    };
    let claim = |d: &Path| {
        let files = &scslab_experiment::equivalence::OUTPUT_FILES;
        scslab_runner::claim_result(d, "equivalence", files, false)
    };
    let result = with_folder(&out_dir, claim, || {
        Ok(scslab_experiment::equivalence::compare(&scenarios, &settings, &config, &on_progress)?)
    })?;
    bar.finish_and_clear();
    let b = if settings.is_empty() {
        "itself".to_string()
    } else {
        settings.iter().map(|s| format!("{} = {}", s.key, s.value)).collect::<Vec<_>>().join(", ")
    };
    println!(
        "equivalence of each scenario with {b}: {} people, {} days, {} seeds per variant (A from {}, B from {}), {:.1} s",
        result.people,
        result.days,
        result.seeds_a.len(),
        result.seeds_a[0],
        result.seeds_b[0],
        result.wall_seconds
    );
    println!(
        "{:<24} {:>22} {:>14} {:>10}  verdict",
        "scenario", "headlines+means failed", "series failed", "n/a"
    );
    for v in &result.scenarios {
        let h = &v.headlines;
        println!(
            "{:<24} {:>22} {:>14} {:>10}  {}",
            v.scenario,
            format!("{}/{} ({:.1} by chance)", h.failed, h.compared, h.expected),
            format!("{}/{}", v.series_failed, v.series_compared),
            h.undefined + v.series_undefined,
            v.verdict.word()
        );
        for r in result.rows.iter().filter(|r| {
            r.scenario == v.scenario
                && r.day.is_none()
                && r.comparison.status == scslab_experiment::equivalence::Status::Fail
        }) {
            let c = &r.comparison;
            println!(
                "    {} {}: A {} B {} (|B - A| / tolerance {:.2})",
                if r.days > 0 { "series" } else { "headline" },
                r.outcome,
                fmt_stat(c.mean_a, &r.outcome),
                fmt_stat(c.mean_b, &r.outcome),
                c.ratio()
            );
        }
        for s in result.series.iter().filter(|s| {
            s.scenario == v.scenario && s.verdict.status == scslab_experiment::equivalence::Status::Fail
        }) {
            let v = &s.verdict;
            let unit = if v.window == 1 { "days".to_string() } else { format!("{}-day windows", v.window) };
            println!(
                "    series {}: {} of {} {unit} failed, {} grossly (at most {} by chance at autocorrelation {:.2}, none grossly), worst {:.2} from day {}",
                s.series,
                v.failed,
                v.compared,
                v.gross,
                v.allowed,
                v.autocorrelation,
                v.worst_ratio,
                v.worst_day.unwrap_or(0)
            );
        }
    }
    println!("verdict: {}", result.verdict.word());
    println!(
        "outputs: {} (equivalence.csv/.parquet, equivalence_series.csv/.parquet, equivalence.md, manifest.json)",
        out_dir.display()
    );
    if result.verdict == Verdict::Fail {
        return Err(Failure::Run(
            "error: the variants differ: the verdict is FAIL (see equivalence.md)".into(),
        ));
    }
    Ok(())
}

fn calibrate(args: CalibrateArgs) -> Result<(), Failure> {
    check_threads(args.threads)?;
    let out_dir = args.out.clone().unwrap_or_else(|| PathBuf::from("out").join("calibration"));
    let config = CalibrationConfig {
        people: args.people,
        replications: args.replications,
        seed: args.seed,
        out_dir: Some(out_dir.clone()),
        workers: args.threads,
        command: std::env::args().collect::<Vec<_>>().join(" "),
        scenario: args.scenario.clone(),
        targets: args.targets.clone(),
        population: args.population,
    };
    let bar = days_bar("calibrating");
    let on_progress = |p: CalibrationProgress| {
        bar.set_message(p.phase.clone());
        bar.set_length(p.total_days);
        bar.set_position(p.done_days);
    };
    if args.fit {
        return calibrate_fit(&args, config, &bar, &on_progress);
    }
    let claim = |d: &Path| {
        let files = &scslab_experiment::calibration::OUTPUT_FILES;
        scslab_runner::claim_result(d, "calibration", files, args.overwrite)
    };
    let result = with_folder(&out_dir, claim, || {
        Ok(scslab_experiment::calibration::calibrate(&config, &on_progress)?)
    })?;
    bar.finish_and_clear();
    println!(
        "calibration of {}: {} people, {} days from {}, {} replications, seed {}; counts scaled to {:.2} M people",
        result.scenario.name,
        result.people,
        result.days,
        result.start.iso(),
        result.seeds.len(),
        result.seed,
        result.population / 1e6
    );
    print_targets(&result, "95% interval", "replications");
    let pct = |e: &scslab_experiment::stats::Estimate| {
        let p = |x: f64| format::value(x, Unit::Share);
        format!("{} (95% interval {} to {})", p(e.mean), p(e.ci_low().max(0.0)), p(e.ci_high()))
    };
    if result.stock_share_2018.mean.is_finite() {
        println!("share of adults listed, end of 2018: {}", pct(&result.stock_share_2018));
    }
    let warm =
        if result.scenario.origin.starts_with("preset:") { " (china-2020's initial_share)" } else { "" };
    println!("share of adults listed, {}{warm}: {}", result.end().iso(), pct(&result.stock_share_end));
    let report = scslab_report::render(&out_dir)?;
    let path = scslab_report::write(&report, &scslab_report::default_path(&out_dir))?;
    println!(
        "\noutputs: {} (calibration.csv/.parquet, trajectory.csv/.parquet, calibration.md, scenario.toml, targets.csv, manifest.json, {})",
        out_dir.display(),
        path.file_name().and_then(|n| n.to_str()).unwrap_or("report.html")
    );
    Ok(())
}

/// `scslab calibrate --fit`: ABC-SMC into a folder that a rerun resumes.
fn calibrate_fit(
    args: &CalibrateArgs,
    calibration: CalibrationConfig,
    bar: &ProgressBar,
    on_progress: &(dyn Fn(CalibrationProgress) + Sync),
) -> Result<(), Failure> {
    use scslab_experiment::calibration::fit::{FitConfig, fit};
    let out_dir = calibration.out_dir.clone().unwrap_or_default();
    let config = FitConfig {
        calibration,
        priors: args.priors.clone(),
        particles: args.particles,
        keep: args.keep,
        min_acceptance: args.min_acceptance,
        max_generations: args.generations,
        predictive: args.predictive,
    };
    let claim = |d: &Path| {
        if args.overwrite {
            let files = &scslab_experiment::calibration::OUTPUT_FILES;
            scslab_runner::claim_result(d, "calibration", files, true)
        } else {
            scslab_runner::lock_folder(d)
        }
    };
    let result = with_folder(&out_dir, claim, || Ok(fit(&config, on_progress)?))?;
    bar.finish_and_clear();
    let c = &result.calibration;
    let simulations: usize = result.generations.iter().map(|g| g.proposed.len()).sum();
    println!(
        "fit of {}: {} people, {} days from {}; {} generations ({} read back from the folder), {simulations} simulations; counts scaled to {:.2} M people",
        c.scenario.name,
        c.people,
        c.days,
        c.start.iso(),
        result.generations.len(),
        result.resumed,
        c.population / 1e6
    );
    println!("{:<48} {:>12} {:>12} {:>12} {:>27}", "parameter", "scenario", "mean", "sd", "95% interval");
    for p in &result.posterior {
        println!(
            "{:<48} {:>12.4e} {:>12.4e} {:>12.4e} {:>27}",
            p.prior.key,
            p.scenario_value,
            p.mean,
            p.sd,
            format!("{:.4e} to {:.4e}", p.low, p.high)
        );
    }
    println!("\nposterior correlations (|r| >= 0.3):");
    for &(i, j, r) in result.correlations.iter().filter(|c| c.2.abs() >= 0.3) {
        println!("  {} ~ {}: {r:+.2}", result.priors[i].key, result.priors[j].key);
    }
    println!();
    print_targets(c, "predictive 95%", "posterior predictive runs");
    let report = scslab_report::render(&out_dir)?;
    let path = scslab_report::write(&report, &scslab_report::default_path(&out_dir))?;
    println!(
        "\noutputs: {} (posterior, correlations, particles, calibration, trajectory (.csv/.parquet), generation-NNN.json, calibration.md, manifest.json, {})",
        out_dir.display(),
        path.file_name().and_then(|n| n.to_str()).unwrap_or("report.html")
    );
    Ok(())
}

/// The table of targets: sourced, simulated, interval, band, errors, within.
fn print_targets(result: &scslab_experiment::calibration::Calibration, interval: &str, runs: &str) {
    let z = scslab_experiment::calibration::SD_WIDENING;
    println!(
        "{:<10} {:<5} {:<27} {:>13} {:>13} {:>27} {:>27} {:>7}",
        "date",
        "fact",
        "quantity",
        "sourced",
        "simulated",
        interval,
        format!("band (± {z} sd)"),
        "within"
    );
    let m = scslab_experiment::format::millions;
    for r in &result.rows {
        println!(
            "{:<10} {:<5} {:<27} {:>13} {:>13} {:>27} {:>27} {:>7}",
            r.fact.date.iso(),
            r.fact.id,
            r.fact.quantity.key(),
            m(r.fact.value),
            m(r.simulated.mean),
            format!("{} to {}", m(r.ci_low), m(r.ci_high)),
            format!("{} to {}", m(r.low), m(r.high)),
            if r.within { "yes" } else { "NO" }
        );
    }
    println!(
        "\n{} of {} facts within the band (the simulated interval over the {runs}, widened by {z} standard errors of the target at each end)",
        result.within(),
        result.rows.len(),
    );
    let mean_abs = |f: &dyn Fn(&scslab_experiment::calibration::Row) -> f64| {
        result.rows.iter().map(|r| f(r).abs()).sum::<f64>() / result.rows.len() as f64
    };
    println!(
        "mean absolute relative error {:.1}%, mean absolute log error {:.3}",
        100.0 * mean_abs(&|r| r.relative_error),
        mean_abs(&|r| r.log_error)
    );
}

/// A progress bar counting the days simulated over all replications (audit, calibration), so
/// that it moves from the start.
fn days_bar(message: &'static str) -> ProgressBar {
    let bar = progress_bar();
    bar.set_message(message);
    bar
}

fn progress_bar() -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    if !std::io::stderr().is_terminal() {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    let style = ProgressStyle::with_template("{msg:>16} [{bar:40}] {pos}/{len} days  {rate}  ETA {eta}")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .with_key("rate", |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = write!(w, "{:.1} simulated days/s", state.per_sec());
        })
        .progress_chars("=> ");
    bar.set_style(style);
    bar
}

/// Shows a run's progress on the bar.
fn show_progress(bar: &ProgressBar, p: Progress) {
    match p {
        Progress::Started { days, persons } => {
            bar.set_length(days as u64);
            bar.set_position(0);
            bar.set_message(format!("{persons} people"));
        }
        Progress::Day { done } => bar.set_position(done as u64),
        Progress::Writing => bar.set_message("writing outputs"),
    }
}

fn print_headlines(config: &RunConfig, outcome: &scslab_runner::RunOutcome) {
    let p = &config.scenario.params;
    let pd = p.n_persons as f64 * p.days as f64 / outcome.timings.simulate.max(1e-9);
    println!(
        "{}: {} people, {} days, seed {}, {} engine, {} threads: simulated in {:.1} s ({:.1} M person-days/s)",
        config.scenario.name,
        p.n_persons,
        p.days,
        p.seed,
        p.engine.name(),
        outcome.threads,
        outcome.timings.simulate,
        pd / 1e6
    );
    print_table(&outcome.headlines);
}

/// The headline outcomes, one a line, each in its unit.
fn print_table(headlines: &[scslab_runner::Headline]) {
    for h in headlines {
        println!("{:<54} {:>18}", h.label, fmt(h.value, Some(h.unit)));
    }
    println!("{}", units_note(headlines));
}

/// What a reader needs to read the table: the size it refers to, and what "n/a" means.
fn units_note(headlines: &[scslab_runner::Headline]) -> String {
    let mut note =
        String::from("counts are totals over the run in this synthetic population, not in the real one");
    if headlines.iter().any(|h| !h.value.is_finite()) {
        note.push_str("; n/a: undefined (nothing to divide by, e.g. a share of zero sanctions)");
    }
    note
}

/// A value in its unit (`12.3%`, `1,234`, `¥4.2 M`, `n/a`), or a plain number. Rates are plain
/// numbers: their unit is in the label beside them ("per 1,000 adults a year").
fn fmt(x: f64, unit: Option<Unit>) -> String {
    match unit {
        Some(u) if !in_label(u) => format::value(x, u),
        _ => format::number(x),
    }
}

/// A signed difference in its unit (`+1.2 pp`, `−56`, `n/a`), or a plain signed number.
fn fmt_difference(x: f64, unit: Option<Unit>) -> String {
    match unit {
        Some(u) if !in_label(u) => format::difference(x, u),
        _ if x.is_finite() && x > 0.0 => format!("+{}", format::number(x)),
        _ => format::number(x),
    }
}

/// Units that the headlines' labels already spell out.
fn in_label(unit: Unit) -> bool {
    matches!(unit, Unit::Per1000AdultsYear | Unit::Per100kAdults | Unit::PerFirmYear)
}

/// A statistic of a sweep, audit or calibration in the unit of its outcome, if known.
fn fmt_stat(x: f64, outcome: &str) -> String {
    fmt(x, scslab_runner::unit_of(outcome))
}

/// The half-width of an interval in the unit of its outcome (`0.5 pp`, `1,234`).
fn fmt_width(x: f64, outcome: &str) -> String {
    match scslab_runner::unit_of(outcome) {
        Some(u) => format::difference(x, u).trim_start_matches('+').to_string(),
        None => format::number(x),
    }
}

/// An error with the offending line of the file (an excerpt, if it is long) and a caret under the
/// column.
fn render_scenario_error(e: &ScenarioError) -> String {
    scslab_scenario::render_error(e)
}
