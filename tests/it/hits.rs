//! Search hits show their best confident mapping into each other vocabulary (issue #3, "no wrong
//! door"), on `tests/fixtures/hits`: the VKS qualification Magazijnmedewerker, whose ESCO
//! counterpart is confident (0.79), and Bakker van brood en banket, whose only computed one is a
//! weak relatedMatch (0.32) onto the ESCO baker. The table is warmed synchronously here; `serve`
//! warms it on a background thread.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use serde_json::Value;

use skillbridge::api::{self, AppState};
use skillbridge::crosswalk::hits::{self, Warmed};
use skillbridge::crosswalk::{Crosswalks, Options};
use skillbridge::search::Engine;

use super::support::{engine_for, fixtures, get, state};

const WAREHOUSE_WORKER: &str = "http://data.europa.eu/esco/occupation/test-warehouse";
const BAKER: &str = "http://data.europa.eu/esco/occupation/test-baker";
const MAGAZIJNMEDEWERKER: &str = "vks:BK-9001-1";
const BAKKER: &str = "vks:BK-9002-1";

fn engine() -> Arc<Engine> {
    static ENGINE: OnceLock<Arc<Engine>> = OnceLock::new();
    ENGINE
        .get_or_init(|| Arc::new(engine_for(&fixtures().join("hits"), Vec::new())))
        .clone()
}

/// Computed crosswalks, with the curated file that says the bakery qualification is narrower
/// than the ESCO baker when `curated`.
fn crosswalks(curated: bool) -> Crosswalks {
    let mut c = Crosswalks::new(engine(), Options::default());
    if curated {
        c.load_curated_file(&fixtures().join("hits-curated.sssom.tsv"))
            .expect("the curated fixture loads");
    }
    c
}

fn warm(c: &Crosswalks, dir: Option<&Path>) -> Warmed {
    hits::warm(c, dir).expect("warm-up succeeds")
}

fn cache_dir() -> PathBuf {
    tempfile::tempdir().expect("temp dir").keep()
}

/// The API with warmed hit mappings.
fn warmed_app(curated: bool) -> axum::Router {
    let c = crosswalks(curated);
    warm(&c, None);
    api::router(AppState {
        crosswalks: Arc::new(c),
        ..state(engine())
    })
}

/// The item of `id` in a suggest or search answer.
fn item<'a>(body: &'a Value, id: &str) -> &'a Value {
    body["items"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["id"] == id))
        .unwrap_or_else(|| panic!("{id} is not among the hits: {body}"))
}

fn mapping_targets(item: &Value) -> Vec<(String, String)> {
    item["mappings"]
        .as_array()
        .unwrap_or_else(|| panic!("no mappings field: {item}"))
        .iter()
        .map(|m| {
            (
                m["target_id"].as_str().unwrap().to_string(),
                m["relation"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_qualification_hit_shows_its_esco_occupation_and_the_occupation_shows_it_back() {
    let app = warmed_app(false);
    let (status, body) = get(app.clone(), "/v1/suggest?q=magazijnmedewerker&lang=nl").await;
    assert_eq!(status, 200, "{body}");

    let qualification = item(&body, MAGAZIJNMEDEWERKER);
    let mapping = &qualification["mappings"][0];
    assert_eq!(mapping["target_id"], WAREHOUSE_WORKER, "{qualification}");
    assert_eq!(mapping["target_vocab"], "esco");
    assert_eq!(mapping["target_label"], "magazijnmedewerker");
    assert_eq!(mapping["relation"], "exactMatch");
    assert_eq!(mapping["source"], "computed");
    assert!(
        mapping["confidence"].as_f64().unwrap() >= f64::from(hits::HIT_MIN_CONFIDENCE),
        "{mapping}"
    );

    let occupation = item(&body, WAREHOUSE_WORKER);
    assert_eq!(
        mapping_targets(occupation),
        [(MAGAZIJNMEDEWERKER.to_string(), "exactMatch".to_string())]
    );

    // Full search shows the same, labelled in the language asked for.
    let (_, body) = get(app, "/v1/search?q=warehouse%20worker&lang=en").await;
    let occupation = item(&body, WAREHOUSE_WORKER);
    assert_eq!(occupation["mappings"][0]["target_id"], MAGAZIJNMEDEWERKER);
    assert_eq!(
        occupation["mappings"][0]["target_label"],
        "Magazijnmedewerker"
    );
}

#[tokio::test]
async fn a_weak_mapping_is_not_shown_on_a_hit() {
    let app = warmed_app(false);
    // The concept view still offers the weak candidate for review …
    let (_, all) = get(
        app.clone(),
        "/v1/concepts/vks%3ABK-9002-1/mappings?target=esco",
    )
    .await;
    assert_eq!(all["items"][0]["target_id"], BAKER, "{all}");
    assert_eq!(all["items"][0]["relation"], "relatedMatch");
    // … but the search box does not present it as the counterpart.
    let (_, body) = get(app, "/v1/suggest?q=bakker&lang=nl").await;
    assert_eq!(mapping_targets(item(&body, BAKKER)), []);
    assert_eq!(mapping_targets(item(&body, BAKER)), []);
}

#[tokio::test]
async fn a_curated_mapping_is_shown_both_ways_with_the_inverse_relation() {
    let app = warmed_app(true);
    let (_, body) = get(app, "/v1/suggest?q=bakker&lang=nl").await;
    let qualification = item(&body, BAKKER);
    assert_eq!(
        mapping_targets(qualification),
        [(BAKER.to_string(), "broadMatch".to_string())]
    );
    assert_eq!(qualification["mappings"][0]["source"], "curated");
    // Read from the baker's side, the qualification is narrower.
    assert_eq!(
        mapping_targets(item(&body, BAKER)),
        [(BAKKER.to_string(), "narrowMatch".to_string())]
    );
}

#[tokio::test]
async fn before_the_warm_up_hits_answer_without_mappings() {
    let app = api::router(state(engine()));
    let (_, health) = get(app.clone(), "/health").await;
    assert_eq!(health["crosswalks"], "warming");
    let (status, body) = get(app, "/v1/suggest?q=magazijnmedewerker&lang=nl").await;
    assert_eq!(status, 200);
    assert_eq!(mapping_targets(item(&body, MAGAZIJNMEDEWERKER)), []);

    let app = warmed_app(false);
    let (_, health) = get(app, "/health").await;
    assert_eq!(health["crosswalks"], "ready");
}

#[test]
fn a_restart_reads_the_warmed_table_from_its_file() {
    let dir = cache_dir();
    let first = crosswalks(false);
    let computed = warm(&first, Some(&dir));
    assert!(!computed.from_cache);
    let file = computed.file.clone().expect("a cache file");
    assert!(file.starts_with(&dir) && file.exists(), "{file:?}");
    assert!(
        computed
            .pairs
            .contains(&("vks".to_string(), "esco".to_string())),
        "{:?}",
        computed.pairs
    );

    let restarted = crosswalks(false);
    let read = warm(&restarted, Some(&dir));
    assert!(read.from_cache, "the second start recomputed");
    assert_eq!(read.file.as_ref(), Some(&file));
    assert_eq!(read.concepts, computed.concepts);

    let model = engine().model().clone();
    let qualification = model.find(MAGAZIJNMEDEWERKER).unwrap();
    let shown = |c: &Crosswalks| c.hit_mappings().unwrap().of(qualification).to_vec();
    assert_eq!(shown(&restarted), shown(&first));
    assert_eq!(
        model.concept(shown(&restarted)[0].object).id,
        WAREHOUSE_WORKER
    );
    // The whole crosswalk is served from the primed cache, the same as computed.
    assert_eq!(
        restarted.crosswalk("vks", "esco", &[]).unwrap(),
        first.crosswalk("vks", "esco", &[]).unwrap()
    );
}

#[test]
fn a_corrupt_or_foreign_cache_file_is_ignored_and_rebuilt() {
    let dir = cache_dir();
    let file = warm(&crosswalks(false), Some(&dir)).file.unwrap();
    let good = std::fs::read(&file).unwrap();

    for damaged in [
        b"not a cache file".to_vec(),
        good[..good.len() / 2].to_vec(),
        Vec::new(),
    ] {
        std::fs::write(&file, &damaged).unwrap();
        let c = crosswalks(false);
        let warmed = warm(&c, Some(&dir));
        assert!(!warmed.from_cache);
        assert_eq!(warmed.concepts, 2, "the warehouse pair, both ways");
        assert_eq!(std::fs::read(&file).unwrap(), good, "rewritten whole");
    }

    // A file made with other curated mappings has another name; put under this one, it is
    // not taken for ours.
    let curated_dir = cache_dir();
    let curated_file = warm(&crosswalks(true), Some(&curated_dir)).file.unwrap();
    assert_ne!(curated_file.file_name(), file.file_name());
    std::fs::copy(&curated_file, &file).unwrap();
    let c = crosswalks(false);
    assert!(!warm(&c, Some(&dir)).from_cache);
    let bakker = engine().model().find(BAKKER).unwrap();
    assert!(c.hit_mappings().unwrap().of(bakker).is_empty());
}
