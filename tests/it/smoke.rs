//! Smoke tests on the real ESCO and VKS data: what the issue promises a citizen.

use axum::http::StatusCode;
use skillbridge::vocab::Kind;

use super::support::{app, get, real};

fn kinds_and_vocabs(body: &serde_json::Value) -> Vec<(String, String, String)> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["vocab"].as_str().unwrap().to_string(),
                i["kind"].as_str().unwrap().to_string(),
                i["label"].as_str().unwrap().to_lowercase(),
            )
        })
        .collect()
}

#[tokio::test]
async fn heftruk_finds_forklift_occupations_and_qualifications() {
    let (status, body) = get(app(real()), "/v1/suggest?q=heftruk&lang=nl").await;
    assert_eq!(status, StatusCode::OK);
    let items = kinds_and_vocabs(&body);
    assert!(items[0].2.contains("heftruck"), "{items:?}");
    assert!(
        items
            .iter()
            .any(|(v, k, _)| v == "esco" && k == "occupation"),
        "{items:?}"
    );
    assert!(
        items
            .iter()
            .any(|(v, k, _)| v == "vks" && k == "qualification"),
        "{items:?}"
    );
}

#[tokio::test]
async fn boekhoud_finds_bookkeeping_as_you_type() {
    let (_, body) = get(app(real()), "/v1/suggest?q=boekhoud&lang=nl").await;
    let items = kinds_and_vocabs(&body);
    assert_eq!(items[0].2, "boekhouder", "{items:?}");
}

#[tokio::test]
async fn both_spellings_of_a_compound_find_the_same_concept() {
    let (_, split) = get(app(real()), "/v1/suggest?q=heftruck%20chauffeur&lang=nl").await;
    let (_, closed) = get(app(real()), "/v1/suggest?q=heftruckchauffeur&lang=nl").await;
    assert_eq!(split["items"][0]["id"], closed["items"][0]["id"]);
    assert_eq!(closed["items"][0]["label"], "heftruckchauffeur");
}

#[tokio::test]
async fn coordinator_finds_coordinator_with_diaeresis() {
    let (_, body) = get(app(real()), "/v1/suggest?q=coordinator&lang=nl").await;
    let matched = body["items"][0]["matched"].as_str().unwrap().to_lowercase();
    assert!(matched.contains("coördinator"), "{matched}");
}

#[tokio::test]
async fn english_works_the_same_way() {
    let (_, body) = get(app(real()), "/v1/suggest?q=forklift%20drivr&lang=en").await;
    assert!(
        body["items"][0]["label"]
            .as_str()
            .unwrap()
            .contains("forklift"),
        "{body}"
    );
    let (_, body) = get(app(real()), "/v1/suggest?q=bookkee&lang=en").await;
    assert_eq!(body["items"][0]["label"], "bookkeeper");
}

#[tokio::test]
async fn a_broad_occupation_is_found_first_by_its_own_name() {
    // Full search leans towards specific occupations, but never away from the occupation a query
    // names word for word (other occupations carry these three names as alternative labels).
    for name in ["accountant", "geologist", "policy officer"] {
        let path = format!(
            "/v1/search?q={}&kind=occupation&lang=en",
            name.replace(' ', "%20")
        );
        let (status, body) = get(app(real()), &path).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["items"][0]["label"], name, "{body}");
    }
}

#[test]
fn the_real_data_loads_in_full() {
    let engine = real();
    let esco = engine.model().vocabulary("esco").unwrap();
    assert_eq!(esco.counts[&Kind::Occupation], 3007);
    assert_eq!(
        esco.counts[&Kind::Skill] + esco.counts[&Kind::Knowledge],
        13896
    );
    let vks = engine.model().vocabulary("vks").unwrap();
    assert_eq!(vks.counts[&Kind::Qualification], 274);
}
