//! Profile matching on the real index: 15-skill profiles generated from ESCO's relations (the
//! recipe of `skillbridge eval match`, padded with unrelated skills), given as ids, as
//! alternative labels and as text. Each bench first checks that the profiles find their
//! occupation, so that a fast wrong answer fails.
//!
//! Run: `cargo bench --bench match`.

use criterion::{criterion_group, criterion_main, Criterion};

use skillbridge::config::Settings;
use skillbridge::matching::eval::{self, Form, GeneratedProfile, Recipe};
use skillbridge::matching::{MatchRequest, Scoring};
use skillbridge::search::Engine;

/// Profiles per form: the bench cycles through them.
const PROFILES: usize = 50;
/// The latency target is for a 15-skill profile.
const SKILLS: usize = 15;

fn requests(engine: &Engine, profiles: &[GeneratedProfile], form: Form) -> Vec<MatchRequest> {
    profiles
        .iter()
        .map(|p| MatchRequest {
            vocabs: Vec::new(),
            limit: 10,
            ..eval::request(engine.model(), p, form, eval::DEFAULT_SEED)
        })
        .collect()
}

fn benches(c: &mut Criterion) {
    let engine = Settings::resolve(None, None, None, Vec::new())
        .open_engine(false)
        .expect("the real index opens");
    engine.tagger();
    // 30% of the essential skills, 2 optional, and noise up to 15 skills in all.
    let generated = eval::generate(
        engine.model(),
        Recipe::default(),
        PROFILES,
        eval::DEFAULT_SEED,
    );
    let profiles = eval::pad(engine.model(), &generated, SKILLS, eval::DEFAULT_SEED);
    let mut group = c.benchmark_group("match");
    for form in Form::ALL {
        let requests = requests(&engine, &profiles, form);
        let found = requests
            .iter()
            .zip(&profiles)
            .filter(|(r, p)| {
                let (_, ranked) = engine.match_profile(r, &Scoring::default()).unwrap();
                ranked.iter().take(5).any(|m| m.occupation == p.occupation)
            })
            .count();
        assert!(
            found * 10 >= PROFILES * 7,
            "{}: only {found} of {PROFILES} profiles find their occupation",
            form.name()
        );
        let mut next = requests.iter().cycle();
        group.bench_function(format!("15 skills as {}", form.name()), |b| {
            b.iter(|| {
                engine
                    .match_profile(next.next().unwrap(), &Scoring::default())
                    .unwrap()
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = match_benches;
    config = Criterion::default().sample_size(50);
    targets = benches
}
criterion_main!(match_benches);
