//! Traces: re-simulating agents alone from the replay log gives, for every person and every
//! firm of a run, the very days they had in it: the same final state, and between them the
//! same events as the run's counters (under the event engine, all but the aggregated events of
//! quiet adults, which belong to no agent).

use scslab_model::params::AuthorityKind;
use scslab_model::sim::Simulation;
use scslab_model::trace::{AgentState, Trace, trace_firms, trace_persons};
use scslab_runner::{REPLAY_FILE, RunConfig, RunError, TraceTarget, run, trace};
use scslab_scenario::Scenario;

/// Runs `s` and checks the traces of all its agents against the run.
pub(crate) fn traces_agree_with_the_run(s: &Scenario) {
    let p = &s.params;
    let mut sim = Simulation::new(p.clone());
    let mut person_events = Vec::new();
    let mut firm_events = Vec::new();
    let mut list_entries = Vec::new();
    for _ in 0..p.days {
        sim.step();
        let sum = |values: &[u64], width: usize, start: usize, n: usize| -> u64 {
            values.chunks_exact(width).map(|row| row[start..start + n].iter().sum::<u64>()).sum()
        };
        let (pc, fc) = (&sim.person_cols, &sim.firm_cols);
        let np = scslab_model::vocab::N_PERSON_EVENTS;
        let nf = scslab_model::vocab::N_FIRM_EVENTS;
        let m = &sim.metrics;
        // The event engine's aggregated events belong to no agent: no trace holds them.
        person_events.push(sum(&m.persons.values, m.persons.width, pc.true_events, np) - m.aggregated_events);
        firm_events.push(sum(&m.firms.values, m.firms.width, fc.true_events, nf));
        let n_lists = sim.plan.person_lists.len();
        list_entries.push(sum(&m.persons.values, m.persons.width, pc.list_entries, n_lists));
    }
    let n = sim.layout.n_persons() as u32;
    let ids: Vec<u32> = (0..n).collect();
    let people = trace_persons(p, &sim.replay, &ids).unwrap();
    for (id, t) in people.iter().enumerate() {
        let AgentState::Person(states) = &t.states else { panic!("a person's trace holds firm states") };
        let last = states.last().unwrap();
        let q = &sim.persons;
        // Every declared dense column, whatever columns `world.rs` declares.
        assert_eq!(last.row, q.row(id), "dense columns of person {id}");
        for (j, &a) in sim.plan.person_points.iter().enumerate() {
            let AuthorityKind::Points(scheme) = &p.authorities[a].kind else { unreachable!() };
            assert_eq!(last.scores[j], scheme.base + q.scores[j][id] as f64, "score {j} of person {id}");
        }
    }
    assert_eq!(per_day(&people, "event", p.days), person_events, "persons' events day by day");
    assert_eq!(per_day(&people, "list_entry", p.days), list_entries, "persons' list entries day by day");
    assert!(person_events.iter().sum::<u64>() > 0 && list_entries.iter().sum::<u64>() > 0);

    let nf = sim.layout.n_firms() as u32;
    let ids: Vec<u32> = (0..nf).collect();
    let firms = trace_firms(p, &sim.replay, &ids).unwrap();
    let kf = sim.plan.firm_points.len().max(1);
    for (id, t) in firms.iter().enumerate() {
        let AgentState::Firm(states) = &t.states else { panic!("a firm's trace holds person states") };
        let last = states.last().unwrap();
        let f = &sim.firms;
        // Every declared dense column (values compared as `f64`: no NaN arises).
        assert_eq!(last.row, f.row(id), "dense columns of firm {id}");
        for (j, &a) in sim.plan.firm_points.iter().enumerate() {
            let AuthorityKind::Points(scheme) = &p.authorities[a].kind else { unreachable!() };
            assert_eq!(last.scores[j], scheme.base + f.scores[id * kf + j] as f64, "score {j} of firm {id}");
        }
    }
    assert_eq!(per_day(&firms, "event", p.days), firm_events, "firms' events day by day");
}

/// Sums the values of rows of `kind` by day.
fn per_day(traces: &[Trace], kind: &str, days: u32) -> Vec<u64> {
    let mut v = vec![0u64; days as usize];
    for r in traces.iter().flat_map(|t| &t.rows).filter(|r| r.kind == kind) {
        v[r.day as usize] += r.value as u64;
    }
    v
}

#[test]
fn traces_of_every_agent_agree_with_a_busy_run() {
    // Policy changes, an intervention, late records, joint punishment, dropped suppliers.
    traces_agree_with_the_run(&crate::checkpoint::busy_scenario(6_000, 40));
}

#[test]
fn traces_of_every_agent_agree_with_an_integrated_run() {
    // A master score with employee scoring, memoranda, legal representatives and exec bans.
    traces_agree_with_the_run(&crate::scenario("integrated", "", 6_000, 60));
}

#[test]
fn tracing_an_unknown_agent_or_with_a_short_log_is_refused() {
    let s = crate::scenario("china-2020", "", 2_000, 5);
    let mut sim = Simulation::new(s.params.clone());
    for _ in 0..4 {
        sim.step();
    }
    let short = trace_persons(&s.params, &sim.replay, &[0]).unwrap_err();
    assert!(short.to_string().contains("covers 4 days, the run has 5"), "{short}");
    sim.step();
    let none = trace_persons(&s.params, &sim.replay, &[2_000]).unwrap_err();
    assert!(none.to_string().contains("no person 2000"), "{none}");
    let firms = sim.layout.n_firms() as u32;
    let none = trace_firms(&s.params, &sim.replay, &[firms]).unwrap_err();
    assert!(none.to_string().contains(&format!("no company {firms}")), "{none}");
}

#[test]
fn trace_refuses_a_damaged_replay_log_or_one_of_an_older_scslab() {
    let dir = std::env::temp_dir().join(format!("scslab-trace-{}-old", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut cfg = RunConfig::new(crate::scenario("china-2020", "", 2_000, 5));
    cfg.out_dir = Some(dir.clone());
    run(&cfg, &mut |_| {}).unwrap();
    let path = dir.join(REPLAY_FILE);
    let good = std::fs::read(&path).unwrap();
    let (_, traced) = trace(&dir, TraceTarget::Person(0)).unwrap();
    assert!(matches!(traced.states, AgentState::Person(_)));
    let mut flipped = good.clone();
    flipped[good.len() / 2] ^= 0x20;
    std::fs::write(&path, &flipped).unwrap();
    let err = trace(&dir, TraceTarget::Person(0)).unwrap_err();
    assert!(matches!(err, RunError::Checkpoint { .. }), "{err:?}");
    assert!(err.to_string().contains("corrupt"), "{err}");
    std::fs::write(&path, crate::checkpoint::old_format(&good)).unwrap();
    let err = trace(&dir, TraceTarget::Person(0)).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{}: written by an older scslab (format 3; this one reads 4): its agents cannot be traced; run \
             it again to trace them",
            path.display()
        )
    );
    let _ = std::fs::remove_dir_all(&dir);
}
