//! Tagging: spans quote the text exactly (property test over random Unicode), the errors of
//! `POST /v1/tag` on a hand-made fixture vocabulary, and a smoke test on the real data.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use proptest::prelude::*;
use serde_json::{json, Value};
use tower::ServiceExt;

use skillbridge::api::tag::TagResponse;
use skillbridge::config::Settings;
use skillbridge::index::{self, Sources};
use skillbridge::search::Engine;
use skillbridge::tag::TagRequest;
use skillbridge::text::Lang;
use skillbridge::vocab::{ExtraVocab, Kind};

/// The engine over `tests/fixtures/tag-vocab.csv` alone (nine rows), built once per test binary.
fn fixture() -> Arc<Engine> {
    static ENGINE: OnceLock<Arc<Engine>> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            let root = Path::new(env!("CARGO_MANIFEST_DIR"));
            let dir = tempfile::tempdir().unwrap().keep();
            let data = dir.join("data");
            std::fs::create_dir_all(&data).unwrap();
            let sources = Sources {
                data,
                extra: vec![ExtraVocab {
                    id: "demo".into(),
                    path: root.join("tests/fixtures/tag-vocab.csv"),
                }],
            };
            let index_dir = dir.join("index");
            index::build(&index_dir, &sources, false).unwrap();
            Arc::new(Engine::new(index::open(&index_dir).unwrap()))
        })
        .clone()
}

async fn post(body: Body) -> (StatusCode, Value) {
    let app = super::support::app(fixture());
    let request = Request::post("/v1/tag")
        .header("content-type", "application/json")
        .body(body)
        .unwrap();
    let response = app.oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn post_json(body: Value) -> (StatusCode, Value) {
    post(Body::from(body.to_string())).await
}

fn error_code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("")
}

#[tokio::test]
async fn tags_a_course_with_evidence() {
    let text = "In this course you learn MIG welding and how to read blueprints. Contact us!";
    let (status, body) = post_json(json!({"text": text, "lang": "en"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["lang"], "en");
    let items = body["items"].as_array().unwrap();
    let mig = items
        .iter()
        .find(|i| i["id"] == "demo:mig")
        .expect("MIG welding is tagged");
    assert_eq!(mig["spans"][0]["text"], "MIG welding");
    assert!(items.iter().any(|i| i["id"] == "demo:blueprints"));
    // The child explains all the evidence of its parent `welding`.
    assert!(!items.iter().any(|i| i["id"] == "demo:weld"), "{body}");
}

#[tokio::test]
async fn detects_dutch_and_splits_compounds() {
    let (status, body) =
        post_json(json!({"text": "Je wordt heftruckchauffeur en leert lassen."})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["lang"], "nl");
    let ids: Vec<&str> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["id"].as_str())
        .collect();
    assert!(ids.contains(&"demo:forklift"), "{ids:?}");
    assert!(ids.contains(&"demo:weld"), "{ids:?}");
}

#[tokio::test]
async fn filters_by_kind_and_limits() {
    let text = "Welding, workplace safety and technical drawings for the welder.";
    let (_, body) = post_json(json!({"text": text, "kind": ["knowledge"], "limit": 1})).await;
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["kind"], "knowledge");
}

#[tokio::test]
async fn only_stopwords_give_an_empty_list() {
    let (status, body) = post_json(json!({"text": "de het een van en"})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["items"], json!([]));
}

#[tokio::test]
async fn bad_requests_get_json_errors() {
    let cases = [
        (json!({"text": ""}), "empty_text"),
        (json!({"text": "  \n "}), "empty_text"),
        (json!({"text": "welding", "lang": "xx1"}), "unknown_lang"),
        (json!({"text": "welding", "lang": "fr"}), "unknown_lang"),
        (
            json!({"text": "welding", "vocab": ["onet"]}),
            "unknown_vocab",
        ),
        (
            json!({"text": "welding", "kind": ["hobby"]}),
            "unknown_kind",
        ),
        (json!({"text": "welding", "limit": 0}), "invalid_limit"),
        (json!({"text": "welding", "limit": 101}), "invalid_limit"),
        (json!({"text": "welding", "limit": -3}), "invalid_limit"),
        (json!({"lang": "en"}), "invalid_body"),
    ];
    for (request, code) in cases {
        let (status, body) = post_json(request.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{request}: {body}");
        assert_eq!(error_code(&body), code, "{request}: {body}");
    }
    let (_, body) = post_json(json!({"text": "welding", "vocab": ["onet"]})).await;
    assert!(
        body["error"]["message"].as_str().unwrap().contains("demo"),
        "lists the vocabularies: {body}"
    );
}

#[tokio::test]
async fn malformed_bodies_get_json_errors() {
    let (status, body) = post(Body::from("{\"text\": \"welding\"")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&body), "malformed_json");

    let mut invalid_utf8 = b"{\"text\": \"wel".to_vec();
    invalid_utf8.extend([0xff, 0xfe]);
    invalid_utf8.extend(b"ding\"}");
    let (status, body) = post(Body::from(invalid_utf8)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["error"]["code"].is_string());

    let huge = json!({ "text": "lassen ".repeat(160_000) }).to_string();
    let (status, body) = post(Body::from(huge)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error_code(&body), "payload_too_large");
}

/// Pieces of random text: label words (so that spans occur), emoji with joiners and skin tones,
/// combining marks, other scripts, punctuation and whatever char proptest picks.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("welding".to_string()),
        Just("MIG".to_string()),
        Just("lassen".to_string()),
        Just("heftruckchauffeur".to_string()),
        Just("read technical drawings".to_string()),
        Just("👩🏽‍🔧".to_string()),
        Just("e\u{301}\u{308}".to_string()),
        Just("\u{300}".to_string()),
        Just("ﬁ".to_string()),
        Just("İ".to_string()),
        Just("溶接".to_string()),
        Just(", ".to_string()),
        Just(". ".to_string()),
        Just("\n• ".to_string()),
        Just(" ".to_string()),
        any::<char>().prop_map(String::from),
        "\\PC{1,6}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn every_span_quotes_the_text_between_its_offsets(pieces in prop::collection::vec(piece(), 1..40)) {
        let text: String = pieces.concat();
        prop_assume!(!text.trim().is_empty());
        let engine = fixture();
        let tagging = engine.tag(&TagRequest::new(text.clone())).unwrap();
        let response = TagResponse::new(&engine, &text, &tagging);
        let chars: Vec<char> = text.chars().collect();
        for item in &response.items {
            for span in &item.spans {
                prop_assert!(span.start < span.end && span.end <= chars.len());
                let between: String = text.chars().skip(span.start).take(span.end - span.start).collect();
                prop_assert_eq!(&span.text, &between);
                // A span quotes words, never a lone mark or emoji.
                prop_assert!(span.text.chars().any(char::is_alphanumeric), "{:?}", span.text);
                prop_assert!(!skillbridge::text::fold(&span.text).trim().is_empty());
            }
        }
    }
}

/// The real index, or `None` (with a note) where the shared data is not there.
fn real_engine() -> Option<Engine> {
    let settings = Settings::resolve(
        None,
        Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("index")),
        None,
        vec![],
    );
    if !settings.data.join("esco-v1.1.1").is_dir() {
        eprintln!("no shared data at {}; skipping", settings.data.display());
        return None;
    }
    Some(Engine::new(
        index::open_or_build(&settings.index, &settings.sources(), false).unwrap(),
    ))
}

/// A label about welding, in English or Dutch (`welding`, `las`, `lassen`, `lasapparatuur`).
fn about_welding(label: &str) -> bool {
    let label = label.to_lowercase();
    label.contains("weld") || label.split_whitespace().any(|w| w.starts_with("las"))
}

#[test]
fn a_dutch_welding_course_yields_a_welding_skill() {
    let Some(engine) = real_engine() else { return };
    let mut request = TagRequest::new(
        "Opleiding lasser: je leert MIG/MAG-lassen en TIG-lassen van staal en aluminium, je leest \
         technische tekeningen en werkt veilig met lasapparatuur. Schrijf je nu in!",
    );
    request.kinds = vec![Kind::Skill, Kind::Knowledge, Kind::Competence];
    let tagging = engine.tag(&request).unwrap();
    assert_eq!(tagging.lang, Lang::NL);
    let labels: Vec<String> = tagging
        .tags
        .iter()
        .take(10)
        .map(|t| {
            engine
                .model()
                .concept(t.concept)
                .preferred_label(Lang::NL)
                .unwrap()
                .0
                .to_string()
        })
        .collect();
    assert!(labels.iter().any(|l| about_welding(l)), "{labels:?}");
}
