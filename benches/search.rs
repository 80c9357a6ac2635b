//! Suggest and search latency on the real index, beside SQLite FTS5 over the same labels, on the
//! generated search-box queries of `skillbridge eval search` (fixed seed).
//!
//! Run: `cargo bench --bench search` (builds `index/` first if it is missing or stale).

use criterion::{criterion_group, criterion_main, Criterion};
use skillbridge::config::Settings;
use skillbridge::eval::{self, Fts5Peer, GeneratedQuery};
use skillbridge::search::{Engine, SearchRequest};
use skillbridge::text::Lang;

/// Queries per type and language: 400 in all, enough to average over the query mix.
const PER_TYPE: usize = 50;

fn setup() -> (Engine, Vec<GeneratedQuery>) {
    let engine = Settings::resolve(None, None, None, Vec::new())
        .open_engine(false)
        .expect("the real index opens");
    let queries = eval::generate(&engine, &[Lang::NL, Lang::EN], PER_TYPE, eval::DEFAULT_SEED);
    (engine, queries)
}

fn request(q: &GeneratedQuery) -> SearchRequest {
    SearchRequest {
        text: q.text.clone(),
        lang: Some(q.lang),
        limit: 10,
        ..Default::default()
    }
}

fn benches(c: &mut Criterion) {
    let (engine, queries) = setup();
    let fts = Fts5Peer::build(engine.model()).expect("fts5 table");

    // A fast wrong answer must fail: both sides are checked on the whole query set first.
    let ours = eval::score_queries(engine.model(), &queries, |q| {
        eval::engine_answer(&engine, q)
    });
    let peer = eval::score_queries(engine.model(), &queries, |q| {
        fts.search(&q.text, 10).unwrap_or_default()
    });
    let recall =
        |t: &eval::Table| t.values().map(|s| s.hits).sum::<usize>() as f64 / queries.len() as f64;
    assert!(
        recall(&ours) > 0.95,
        "skillbridge recall {:.3}",
        recall(&ours)
    );
    assert!(recall(&peer) > 0.2, "fts5 recall {:.3}", recall(&peer));
    println!(
        "recall on the bench queries: skillbridge {:.3}, fts5 {:.3}",
        recall(&ours),
        recall(&peer)
    );

    let mut group = c.benchmark_group("suggest");
    let mut i = 0;
    group.bench_function("skillbridge", |b| {
        b.iter(|| {
            let q = &queries[i % queries.len()];
            i += 1;
            engine.suggest(&request(q)).expect("suggest")
        })
    });
    let mut i = 0;
    group.bench_function("fts5_prefix", |b| {
        b.iter(|| {
            let q = &queries[i % queries.len()];
            i += 1;
            fts.search(&q.text, 10).expect("fts5")
        })
    });
    group.finish();

    let mut group = c.benchmark_group("search");
    let mut i = 0;
    group.bench_function("skillbridge_with_facets", |b| {
        b.iter(|| {
            let q = &queries[i % queries.len()];
            i += 1;
            engine.search(&request(q)).expect("search")
        })
    });
    group.finish();
}

criterion_group!(search, benches);
criterion_main!(search);
