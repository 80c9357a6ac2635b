//! Crosswalks on a tiny hand-made pair of imported vocabularies (`tests/fixtures/crosswalk`):
//! the relation rule, curated overrides, the SSSOM export, malformed curated files and the HTTP
//! error paths.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

use skillbridge::api::{self, AppState};
use skillbridge::crosswalk::relation::{decide, RelationFacts};
use skillbridge::crosswalk::sssom::{self, Format};
use skillbridge::crosswalk::{Crosswalks, MappingSource, Options, Relation};
use skillbridge::index::{self, Sources};
use skillbridge::search::Engine;
use skillbridge::vocab::ExtraVocab;
use skillbridge::Error;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/crosswalk")
}

/// One index over the two fixture vocabularies for the whole test binary.
fn engine() -> Arc<Engine> {
    static ENGINE: OnceLock<Arc<Engine>> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            let dir = std::env::temp_dir()
                .join(format!("skillbridge-crosswalk-test-{}", std::process::id()));
            let data = dir.join("data");
            std::fs::create_dir_all(&data).unwrap();
            let sources = Sources {
                data,
                extra: ["alpha", "beta"]
                    .map(|id| ExtraVocab {
                        id: id.into(),
                        path: fixtures().join(format!("{id}.csv")),
                    })
                    .to_vec(),
            };
            let index_dir = dir.join("index");
            index::build(&index_dir, &sources, false).unwrap();
            Arc::new(Engine::new(index::open(&index_dir).unwrap()))
        })
        .clone()
}

fn crosswalks(curated: bool) -> Crosswalks {
    let mut c = Crosswalks::new(engine(), Options::default());
    if curated {
        c.load_curated_file(&fixtures().join("curated.sssom.tsv"))
            .unwrap();
    }
    c
}

fn facts(confidence: f32) -> RelationFacts {
    RelationFacts {
        confidence,
        ..Default::default()
    }
}

#[test]
fn relation_rule_on_hand_made_cases() {
    // "forklift driver" / "Forklift Driver": the same normalised preferred label.
    let same = RelationFacts {
        same_preferred_label: true,
        ..facts(0.4)
    };
    assert_eq!(decide(&same), Relation::Exact);
    // A very high score both on labels and description.
    assert_eq!(decide(&facts(0.95)), Relation::Exact);
    // "warehouse worker" → "warehouse worker in food logistics": the object is narrower.
    let narrower = RelationFacts {
        subject_label_inside_object: true,
        ..facts(0.6)
    };
    assert_eq!(decide(&narrower), Relation::Narrow);
    // "pastry baker" → "baker": the object is broader.
    let broader = RelationFacts {
        object_label_inside_subject: true,
        ..facts(0.6)
    };
    assert_eq!(decide(&broader), Relation::Broad);
    // An occupation onto an ISCO group is broader whatever the labels.
    let group = RelationFacts {
        object_is_group: true,
        ..facts(0.3)
    };
    assert_eq!(decide(&group), Relation::Broad);
    // Containment with little confidence says little: "warehouse" in "warehouse manager".
    let weak = RelationFacts {
        subject_label_inside_object: true,
        ..facts(0.25)
    };
    assert_eq!(decide(&weak), Relation::Related);
    assert_eq!(decide(&facts(0.7)), Relation::Close);
    assert_eq!(decide(&facts(0.3)), Relation::Related);
    assert_eq!(Relation::Broad.inverse(), Relation::Narrow);
}

#[test]
fn computed_mappings_find_the_same_and_the_narrower_occupation() {
    let c = crosswalks(false);
    let model = c.model();
    let forklift = model.find("alpha:forklift").unwrap();
    let mappings = c.concept_mappings(forklift, "beta").unwrap();
    let first = &mappings[0];
    assert_eq!(model.concept(first.object).id, "beta:1");
    assert_eq!(first.relation, Relation::Exact);
    assert_eq!(first.source, MappingSource::Computed);
    assert!(first.evidence.labels.is_some());

    let warehouse = model.find("alpha:warehouse").unwrap();
    let mappings = c.concept_mappings(warehouse, "beta").unwrap();
    assert_eq!(model.concept(mappings[0].object).id, "beta:2");
    assert_eq!(mappings[0].relation, Relation::Narrow, "{:?}", mappings[0]);
    // The same answer twice: deterministic.
    assert_eq!(
        crosswalks(false)
            .concept_mappings(warehouse, "beta")
            .unwrap(),
        mappings
    );
}

#[test]
fn curated_mappings_come_first_and_replace_computed_ones() {
    let c = crosswalks(true);
    let model = c.model();
    let baker = model.find("alpha:baker").unwrap();
    let mappings = c.concept_mappings(baker, "beta").unwrap();
    let first = &mappings[0];
    assert_eq!(model.concept(first.object).id, "beta:3");
    assert_eq!(first.source, MappingSource::Curated);
    assert_eq!(first.relation, Relation::Narrow);
    assert_eq!(first.confidence, 0.9);
    assert!(first
        .evidence
        .curated
        .as_deref()
        .unwrap()
        .contains("curated.sssom.tsv:5"));
    assert_eq!(
        mappings.iter().filter(|m| m.object == first.object).count(),
        1
    );
    // Without the curated file the best computed mapping is the bread baker.
    let computed = crosswalks(false).concept_mappings(baker, "beta").unwrap();
    assert_eq!(model.concept(computed[0].object).id, "beta:4");
    // Read from the other side, the curated mapping is broader.
    let pastry = model.find("beta:3").unwrap();
    let back = c.concept_mappings(pastry, "alpha").unwrap();
    assert_eq!(
        (back[0].object, back[0].relation, back[0].source),
        (baker, Relation::Broad, MappingSource::Curated)
    );
}

#[test]
fn malformed_curated_file_names_file_and_line_and_loads_nothing() {
    let mut c = crosswalks(false);
    let errors = c.load_curated(&fixtures().join("malformed"));
    assert_eq!(errors.len(), 1);
    let message = errors[0].to_string();
    assert!(message.contains("broken.sssom.tsv:3"), "{message}");
    assert!(message.contains("skos:sameAs"), "{message}");
    assert!(matches!(errors[0], Error::BadInput { line: 3, .. }));
    // Line 2 was fine, but nothing of the file is kept.
    let model = c.model();
    let welder = model.find("alpha:welder").unwrap();
    assert!(c
        .concept_mappings(welder, "beta")
        .unwrap()
        .iter()
        .all(|m| m.source == MappingSource::Computed));
}

#[test]
fn sssom_export_has_the_header_and_required_slots() {
    let c = crosswalks(true);
    let mappings = c.crosswalk("alpha", "beta", &[]).unwrap();
    let tsv = sssom::document(c.model(), "alpha", "beta", &mappings, Format::Sssom);
    for key in [
        "#curie_map:",
        "#mapping_set_id:",
        "#license:",
        "#subject_source_version:",
        "#object_source_version:",
        "#mapping_date:",
    ] {
        assert!(
            tsv.lines().any(|l| l.starts_with(key)),
            "{key} missing:\n{tsv}"
        );
    }
    assert!(tsv.contains("#  alpha: \"urn:skillbridge:alpha:\""));
    let mut rows = tsv.lines().filter(|l| !l.starts_with('#'));
    let header: Vec<&str> = rows.next().unwrap().split('\t').collect();
    for slot in [
        "subject_id",
        "predicate_id",
        "object_id",
        "mapping_justification",
        "subject_label",
        "object_label",
        "confidence",
    ] {
        assert!(header.contains(&slot), "{slot} missing");
    }
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let rows: Vec<Vec<&str>> = rows.map(|r| r.split('\t').collect()).collect();
    assert!(!rows.is_empty());
    for row in &rows {
        assert_eq!(row.len(), header.len());
        assert!(row[col("predicate_id")].starts_with("skos:"));
        assert!(row[col("mapping_justification")].starts_with("semapv:"));
        let confidence: f32 = row[col("confidence")].parse().unwrap();
        assert!((0.0..=1.0).contains(&confidence));
    }
    assert!(rows.iter().any(|r| r[col("subject_id")] == "alpha:baker"
        && r[col("object_id")] == "beta:3"
        && r[col("mapping_justification")] == "semapv:ManualMappingCuration"));
    // The JSON document has the same slots.
    let json: Value = serde_json::from_str(&sssom::document(
        c.model(),
        "alpha",
        "beta",
        &mappings,
        Format::Json,
    ))
    .unwrap();
    let item = &json["items"][0];
    for slot in [
        "subject_id",
        "subject_label",
        "predicate_id",
        "object_id",
        "object_label",
        "mapping_justification",
        "confidence",
    ] {
        assert!(!item[slot].is_null(), "{slot} missing in {item}");
    }
}

async fn get(path: &str) -> (StatusCode, String) {
    let state = AppState {
        crosswalks: Arc::new(crosswalks(true)),
        ..super::support::state(engine())
    };
    let response = api::router(state)
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(bytes.to_vec()).unwrap())
}

fn error_code(body: &str) -> String {
    let v: Value = serde_json::from_str(body).unwrap();
    v["error"]["code"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn http_mappings_and_their_errors() {
    let (status, body) =
        get("/v1/concepts/alpha%3Abaker/mappings?target=beta&min_confidence=0.5").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    let first = &v["items"][0];
    assert_eq!(first["target_id"], "beta:3");
    assert_eq!(first["relation"], "narrowMatch");
    assert_eq!(first["source"], "curated");
    for slot in ["target_vocab", "target_label", "confidence", "evidence"] {
        assert!(!first[slot].is_null(), "{slot} missing");
    }

    let (status, body) = get("/v1/concepts/alpha%3Anobody/mappings?target=beta").await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::NOT_FOUND, "unknown_concept")
    );
    let (status, body) = get("/v1/concepts/alpha%3Abaker/mappings?target=gamma").await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::BAD_REQUEST, "unknown_vocab")
    );
    assert!(
        body.contains("alpha") && body.contains("beta"),
        "lists the allowed vocabularies: {body}"
    );
    for bad in ["2", "-0.1", "high"] {
        let (status, body) = get(&format!(
            "/v1/concepts/alpha%3Abaker/mappings?min_confidence={bad}"
        ))
        .await;
        assert_eq!(
            (status, error_code(&body).as_str()),
            (StatusCode::BAD_REQUEST, "invalid_min_confidence")
        );
    }
    // The concept view carries the best mapping into the other vocabulary.
    let (status, body) = get("/v1/concepts/alpha%3Aforklift").await;
    assert_eq!(status, StatusCode::OK);
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["mappings"][0]["target_id"], "beta:1");
}

#[tokio::test]
async fn http_crosswalk_documents_and_their_errors() {
    let (status, body) = get("/v1/crosswalks/alpha/beta?format=sssom").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.starts_with("#curie_map:"), "{body}");
    let (status, body) =
        get("/v1/crosswalks/alpha/beta?format=json&kind=occupation&min_confidence=0.2").await;
    assert_eq!(status, StatusCode::OK);
    let v: Value = serde_json::from_str(&body).unwrap();
    assert!(v["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["confidence"].as_f64().unwrap() >= 0.2));

    let (status, body) = get("/v1/crosswalks/alpha/gamma").await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::BAD_REQUEST, "unknown_vocab")
    );
    let (status, body) = get("/v1/crosswalks/alpha/beta?format=xml").await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::BAD_REQUEST, "invalid_format")
    );
    let (status, body) = get("/v1/crosswalks/alpha/beta?min_confidence=1.5").await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::BAD_REQUEST, "invalid_min_confidence")
    );
    let (status, body) = get("/v1/crosswalks/alpha/beta?kind=planet").await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::BAD_REQUEST, "unknown_kind")
    );
}
