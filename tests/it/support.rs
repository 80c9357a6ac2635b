//! Shared test setup: engines over the hand-made fixture data and over the real data, each built
//! once per test run into a temporary folder.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use skillbridge::api::{self, AppState};
use skillbridge::crosswalk::{Crosswalks, Options};
use skillbridge::incentives::Catalog;
use skillbridge::index::{self, Sources};
use skillbridge::offers::OfferStore;
use skillbridge::search::Engine;
use skillbridge::vocab::ExtraVocab;
use tower::ServiceExt;

pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The real data beside the checkout (`../shared/data`).
pub fn shared_data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data")
}

pub fn engine_for(data: &Path, extra: Vec<ExtraVocab>) -> Engine {
    let dir = tempfile::tempdir().expect("temp dir").keep();
    let sources = Sources {
        data: data.to_path_buf(),
        extra,
    };
    let open = index::open_or_build(&dir.join("index"), &sources, false).expect("index builds");
    Engine::new(open)
}

/// The fixture vocabularies: a mini ESCO (4 occupations, 4 skills, NL and EN), one VKS
/// qualification and the `sector` import.
pub fn mini() -> Arc<Engine> {
    static ENGINE: OnceLock<Arc<Engine>> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            let extra = vec![ExtraVocab {
                id: "sector".into(),
                path: fixtures().join("sector.csv"),
            }];
            Arc::new(engine_for(&fixtures().join("mini"), extra))
        })
        .clone()
}

/// The real ESCO and VKS data.
pub fn real() -> Arc<Engine> {
    static ENGINE: OnceLock<Arc<Engine>> = OnceLock::new();
    ENGINE
        .get_or_init(|| Arc::new(engine_for(&shared_data(), Vec::new())))
        .clone()
}

/// The shipped incentive rules, loaded once.
pub fn incentive_catalog() -> Arc<Catalog> {
    static CATALOG: OnceLock<Arc<Catalog>> = OnceLock::new();
    CATALOG
        .get_or_init(|| {
            let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("taxonomies/incentives");
            Arc::new(Catalog::load(&dir).expect("the shipped rules load"))
        })
        .clone()
}

/// The state over `engine`: an empty offers database of its own, the shipped incentive rules and
/// computed crosswalks (no curated mappings).
pub fn state(engine: Arc<Engine>) -> AppState {
    let db = tempfile::tempdir()
        .expect("temp dir")
        .keep()
        .join("offers.db");
    AppState {
        crosswalks: Arc::new(Crosswalks::new(engine.clone(), Options::default())),
        engine,
        offers: Arc::new(OfferStore::open(&db).expect("offers database")),
        incentives: incentive_catalog(),
    }
}

/// The whole API over `engine`.
pub fn app(engine: Arc<Engine>) -> axum::Router {
    api::router(state(engine))
}

/// Sends one request to the router in-process; returns the status and the JSON body.
pub async fn call(app: axum::Router, request: Request<Body>) -> (StatusCode, serde_json::Value) {
    let response = app.oneshot(request).await.expect("router answers");
    let status = response.status();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    let json = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| panic!("body is not JSON: {:?}", String::from_utf8_lossy(&bytes)));
    (status, json)
}

pub async fn get(app: axum::Router, uri: &str) -> (StatusCode, serde_json::Value) {
    call(app, Request::get(uri).body(Body::empty()).unwrap()).await
}

/// Ids of the items of a suggest or search answer.
pub fn ids(body: &serde_json::Value) -> Vec<String> {
    body["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| i["id"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}
