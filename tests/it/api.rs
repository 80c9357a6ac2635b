//! The HTTP API in-process: success paths and the error contract of API.md.

use axum::body::Body;
use axum::http::{Request, StatusCode};

use super::support::{app, call, get, ids, mini};

const FORKLIFT_PATH: &str =
    "/v1/concepts/http%3A%2F%2Fdata.europa.eu%2Fesco%2Foccupation%2Ftest-forklift";

#[tokio::test]
async fn health_lists_the_vocabularies() {
    let (status, body) = get(app(mini()), "/health").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ok");
    let vocabs: Vec<&str> = body["vocabularies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap())
        .collect();
    assert_eq!(vocabs, ["esco", "vks", "sector"]);
    // The fixture engine has no sentence-embedding model: full search is lexical.
    assert_eq!(body["semantic"], "off");
}

#[tokio::test]
async fn vocabularies_carry_version_licence_and_attribution() {
    let (status, body) = get(app(mini()), "/v1/vocabularies").await;
    assert_eq!(status, StatusCode::OK);
    let esco = &body[0];
    assert_eq!(esco["id"], "esco");
    assert_eq!(esco["version"], "9.9.9");
    assert_eq!(esco["counts"]["occupation"], 6);
    assert!(esco["attribution"]
        .as_str()
        .unwrap()
        .contains("ESCO classification"));
    assert_eq!(esco["languages"], serde_json::json!(["en", "nl"]));
}

#[tokio::test]
async fn suggest_answers_with_the_matched_label() {
    let (status, body) = get(app(mini()), "/v1/suggest?q=heftruk&lang=nl").await;
    assert_eq!(status, StatusCode::OK);
    let item = &body["items"][0];
    assert_eq!(
        item["id"],
        "http://data.europa.eu/esco/occupation/test-forklift"
    );
    assert_eq!(item["vocab"], "esco");
    assert_eq!(item["kind"], "occupation");
    assert_eq!(item["label"], "heftruckchauffeur");
    assert_eq!(item["label_lang"], "nl");
    assert!(item["matched"].as_str().unwrap().contains("heftruck"));
    assert!(item["score"].as_f64().unwrap() > 0.0);
}

#[tokio::test]
async fn suggest_labels_follow_the_requested_language() {
    let (_, body) = get(app(mini()), "/v1/suggest?q=heftruckchauffeur&lang=en").await;
    assert_eq!(body["items"][0]["label"], "forklift operator");
    assert_eq!(body["items"][0]["label_lang"], "en");
}

#[tokio::test]
async fn search_has_total_facets_paging_and_descriptions() {
    let (status, body) = get(app(mini()), "/v1/search?q=heftruck&lang=nl&limit=1").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["total"].as_u64().unwrap() >= 2);
    assert_eq!(body["items"].as_array().unwrap().len(), 1);
    assert!(body["facets"]["vocab"]["vks"].as_u64().unwrap() >= 1);
    assert!(body["items"][0]["description"].is_string());
    let (_, second) = get(
        app(mini()),
        "/v1/search?q=heftruck&lang=nl&limit=1&offset=1",
    )
    .await;
    assert_ne!(ids(&body), ids(&second));
}

#[tokio::test]
async fn a_concept_shows_labels_relations_and_codes() {
    let (status, body) = get(app(mini()), FORKLIFT_PATH).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["labels"]["nl"]["preferred"], "heftruckchauffeur");
    assert_eq!(body["labels"]["en"]["alternative"][0], "forklift driver");
    assert_eq!(body["essential_skills"][0]["label"], "operate forklift");
    assert_eq!(
        body["optional_skills"][0]["label"],
        "follow safety procedures"
    );
    assert_eq!(
        body["broader"][0]["id"],
        "http://data.europa.eu/esco/isco/C8344"
    );
    assert!(body["codes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["scheme"] == "isco" && c["value"] == "8344"));
    assert!(body["mappings"].is_array());

    let (_, skill) = get(
        app(mini()),
        "/v1/concepts/http%3A%2F%2Fdata.europa.eu%2Fesco%2Fskill%2Ftest-safety?lang=nl",
    )
    .await;
    assert_eq!(skill["label"], "veiligheidsprocedures volgen");
    assert_eq!(skill["occupations"].as_array().unwrap().len(), 2);
}

/// Asserts a 4xx answer in the API's error format with this code.
async fn expect_error(request: Request<Body>, status: StatusCode, code: &str) -> String {
    let (s, body) = call(app(mini()), request).await;
    assert_eq!(s, status, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    body["error"]["message"].as_str().unwrap().to_string()
}

fn get_req(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

#[tokio::test]
async fn bad_parameters_get_400_with_a_stable_code() {
    expect_error(
        get_req("/v1/suggest?q="),
        StatusCode::BAD_REQUEST,
        "empty_query",
    )
    .await;
    expect_error(
        get_req("/v1/suggest"),
        StatusCode::BAD_REQUEST,
        "empty_query",
    )
    .await;
    let long = "a".repeat(300);
    expect_error(
        get_req(&format!("/v1/suggest?q={long}")),
        StatusCode::BAD_REQUEST,
        "query_too_long",
    )
    .await;
    expect_error(
        get_req("/v1/suggest?q=lasser&limit=0"),
        StatusCode::BAD_REQUEST,
        "invalid_limit",
    )
    .await;
    expect_error(
        get_req("/v1/suggest?q=lasser&limit=101"),
        StatusCode::BAD_REQUEST,
        "invalid_limit",
    )
    .await;
    expect_error(
        get_req("/v1/suggest?q=lasser&limit=ten"),
        StatusCode::BAD_REQUEST,
        "invalid_limit",
    )
    .await;
    let message = expect_error(
        get_req("/v1/suggest?q=lasser&vocab=rome"),
        StatusCode::BAD_REQUEST,
        "unknown_vocab",
    )
    .await;
    assert!(message.contains("esco"));
    let message = expect_error(
        get_req("/v1/search?q=lasser&kind=job"),
        StatusCode::BAD_REQUEST,
        "unknown_kind",
    )
    .await;
    assert!(message.contains("occupation"));
    expect_error(
        get_req("/v1/suggest?q=lasser&lang=xx"),
        StatusCode::BAD_REQUEST,
        "unknown_lang",
    )
    .await;
    expect_error(
        get_req("/v1/suggest?q=lasser&lang=dutch"),
        StatusCode::BAD_REQUEST,
        "unknown_lang",
    )
    .await;
    expect_error(
        get_req("/v1/search?q=lasser&offset=-1"),
        StatusCode::BAD_REQUEST,
        "invalid_parameter",
    )
    .await;
    expect_error(
        get_req("/v1/concepts/x?lang=zz"),
        StatusCode::BAD_REQUEST,
        "unknown_lang",
    )
    .await;
}

#[tokio::test]
async fn invalid_utf8_in_a_query_is_a_400() {
    expect_error(
        get_req("/v1/suggest?q=%FF%FE"),
        StatusCode::BAD_REQUEST,
        "invalid_utf8",
    )
    .await;
    expect_error(
        get_req("/v1/search?q=lass%C3"),
        StatusCode::BAD_REQUEST,
        "invalid_utf8",
    )
    .await;
}

#[tokio::test]
async fn unknown_ids_and_routes_are_404() {
    expect_error(
        get_req("/v1/concepts/vks%3ABK-0000-0"),
        StatusCode::NOT_FOUND,
        "unknown_concept",
    )
    .await;
    expect_error(get_req("/v1/nothing"), StatusCode::NOT_FOUND, "not_found").await;
    let request = Request::delete("/v1/suggest?q=x")
        .body(Body::empty())
        .unwrap();
    expect_error(
        request,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    )
    .await;
}

#[tokio::test]
async fn queries_of_only_punctuation_or_stopwords_answer_empty_not_error() {
    let (status, body) = get(app(mini()), "/v1/suggest?q=%21%21%21").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["items"].as_array().unwrap().is_empty());
    let (status, _) = get(app(mini()), "/v1/suggest?q=de%20het&lang=nl").await;
    assert_eq!(status, StatusCode::OK);
}

/// Every score, confidence and similarity anywhere in `value`.
fn numbers_named(value: &serde_json::Value, out: &mut Vec<f64>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v.as_f64()) {
                    ("score" | "confidence" | "similarity" | "lexical" | "structure", Some(x)) => {
                        out.push(x)
                    }
                    _ => numbers_named(v, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| numbers_named(v, out)),
        _ => {}
    }
}

#[tokio::test]
async fn scores_and_confidences_show_three_decimals() {
    let mut numbers = Vec::new();
    for path in [
        "/v1/suggest?q=forklift&lang=en",
        "/v1/search?q=heftruck&lang=nl",
        &format!("{FORKLIFT_PATH}/mappings"),
    ] {
        let (status, body) = get(app(mini()), path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        numbers_named(&body, &mut numbers);
    }
    assert!(numbers.iter().any(|x| x.fract() != 0.0), "{numbers:?}");
    for x in numbers {
        // `0.186`, not the f32 widened to `0.1860000044107437`.
        assert_eq!((x * 1000.0).round() / 1000.0, x);
    }
}
