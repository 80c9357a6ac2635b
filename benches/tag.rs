//! Tagging on the real index: a 300-word Dutch course description (written for this bench), and
//! bulk throughput over 200 texts (the Dutch descriptions of ESCO occupations) on all cores.
//! Each bench asserts what it found, so that a fast wrong answer fails.

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rayon::prelude::*;

use skillbridge::config::Settings;
use skillbridge::search::Engine;
use skillbridge::tag::eval::SAMPLE_COURSE_NL as COURSE;
use skillbridge::tag::TagRequest;
use skillbridge::text::Lang;
use skillbridge::vocab::Kind;

fn engine() -> Engine {
    Settings::resolve(
        None,
        Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("index")),
        None,
        vec![],
    )
    .open_engine(false)
    .expect("the real index opens")
}

fn labels(engine: &Engine, request: &TagRequest) -> Vec<String> {
    let tagging = engine.tag(request).expect("tagging works");
    tagging
        .tags
        .iter()
        .map(|t| {
            engine
                .model()
                .concept(t.concept)
                .preferred_label(Lang::NL)
                .unwrap()
                .0
                .to_string()
        })
        .collect()
}

fn tag(c: &mut Criterion) {
    let engine = engine();
    engine.tagger();
    let words = COURSE.split_whitespace().count();
    assert!(
        (280..=320).contains(&words),
        "the course text has {words} words"
    );
    let mut request = TagRequest::new(COURSE);
    request.lang = Some(Lang::NL);
    let labels = labels(&engine, &request);
    assert!(
        labels
            .iter()
            .any(|l| l.contains("weld") || l.to_lowercase().contains("las")),
        "a welding skill among {labels:?}"
    );
    c.bench_function("tag a 300-word Dutch course", |b| {
        b.iter(|| engine.tag(&request).unwrap())
    });

    let texts: Vec<TagRequest> = engine
        .model()
        .concepts
        .iter()
        .filter(|c| c.vocab == "esco" && c.kind == Kind::Occupation)
        .filter_map(|c| c.descriptions.get(&Lang::NL))
        .take(200)
        .map(|d| TagRequest::new(d.as_str()))
        .collect();
    assert_eq!(texts.len(), 200);
    let found: usize = texts
        .par_iter()
        .map(|r| engine.tag(r).unwrap().tags.len())
        .sum();
    assert!(found > 200, "{found} tags for 200 descriptions");
    let mut group = c.benchmark_group("bulk");
    group.throughput(Throughput::Elements(texts.len() as u64));
    group.sample_size(10);
    group.bench_function("tag 200 Dutch occupation descriptions (rayon)", |b| {
        b.iter(|| {
            texts
                .par_iter()
                .map(|r| engine.tag(r).unwrap().tags.len())
                .sum::<usize>()
        })
    });
    group.finish();
}

criterion_group!(benches, tag);
criterion_main!(benches);
