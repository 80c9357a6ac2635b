//! The API built in-process over the hand-made fixture vocabularies (`tests/fixtures`): one
//! qualification with two competences (`vks:BK-9999-1`) and a two-level sector vocabulary
//! (`sector:mobility` ⊃ `sector:bike-repair`); a fresh offers database per test.

use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::{Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

use skillbridge::api::{self, AppState};
use skillbridge::crosswalk::{Crosswalks, Options};
use skillbridge::offers::OfferStore;
use skillbridge::search::Engine;
use skillbridge::vocab::ExtraVocab;

pub use super::support::fixtures;
use super::support::{engine_for, state};

/// Built once per test run; the index folder lives as long as the process.
fn engine() -> Arc<Engine> {
    static ENGINE: OnceLock<Arc<Engine>> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            let extra = vec![ExtraVocab {
                id: "sector".into(),
                path: fixtures().join("sector-mobility.csv"),
            }];
            Arc::new(engine_for(&fixtures().join("data"), extra))
        })
        .clone()
}

pub struct TestApp {
    router: Router,
    pub store: Arc<OfferStore>,
    _db_dir: tempfile::TempDir,
}

/// A response: status and JSON body (`Null` when empty).
pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
}

impl Answer {
    /// The stable error code of an error body.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or_default()
    }

    pub fn message(&self) -> &str {
        self.body["error"]["message"].as_str().unwrap_or_default()
    }
}

impl TestApp {
    pub fn new() -> TestApp {
        // One reviewed mapping, so that offers are found across vocabularies.
        let mut crosswalks = Crosswalks::new(engine(), Options::default());
        crosswalks
            .load_curated_file(&fixtures().join("offers-curated.sssom.tsv"))
            .expect("the curated fixture loads");
        TestApp::with(engine(), crosswalks)
    }

    /// The API over another engine, with computed crosswalks only.
    pub fn over(engine: Arc<Engine>) -> TestApp {
        let crosswalks = Crosswalks::new(engine.clone(), Options::default());
        TestApp::with(engine, crosswalks)
    }

    fn with(engine: Arc<Engine>, crosswalks: Crosswalks) -> TestApp {
        let db_dir = tempfile::tempdir().unwrap();
        let store = Arc::new(OfferStore::open(&db_dir.path().join("offers.db")).unwrap());
        let router = api::router(AppState {
            offers: store.clone(),
            crosswalks: Arc::new(crosswalks),
            ..state(engine)
        });
        TestApp {
            router,
            store,
            _db_dir: db_dir,
        }
    }

    pub fn key(&self, provider: &str) -> String {
        self.store.add_key(provider).unwrap()
    }

    /// Sends a request with an optional bearer key and raw body.
    pub async fn send(
        &self,
        method: Method,
        uri: &str,
        key: Option<&str>,
        body: Option<String>,
    ) -> Answer {
        let mut request = Request::builder().method(method).uri(uri);
        if let Some(key) = key {
            request = request.header(AUTHORIZATION, format!("Bearer {key}"));
        }
        if body.is_some() {
            request = request.header(CONTENT_TYPE, "application/json");
        }
        let request = request
            .body(body.map(Body::from).unwrap_or_else(Body::empty))
            .unwrap();
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&bytes)))
        };
        Answer { status, body }
    }

    pub async fn get(&self, uri: &str) -> Answer {
        self.send(Method::GET, uri, None, None).await
    }

    pub async fn post(&self, uri: &str, key: Option<&str>, body: &Value) -> Answer {
        self.send(Method::POST, uri, key, Some(body.to_string()))
            .await
    }

    pub async fn put(&self, uri: &str, key: Option<&str>, body: &Value) -> Answer {
        self.send(Method::PUT, uri, key, Some(body.to_string()))
            .await
    }

    pub async fn delete(&self, uri: &str, key: Option<&str>) -> Answer {
        self.send(Method::DELETE, uri, key, None).await
    }
}
