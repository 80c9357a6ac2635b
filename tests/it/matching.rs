//! Profile matching (`POST /v1/match`) over the hand-made `tests/fixtures/match` vocabulary, and a
//! smoke test on the real data.

use std::sync::{Arc, OnceLock};

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use skillbridge::matching::eval::{self, Form, Recipe};
use skillbridge::matching::MatchRequest;
use skillbridge::search::Engine;

use super::app::{Answer, TestApp};
use super::support::{engine_for, fixtures, real};

fn engine() -> Arc<Engine> {
    static ENGINE: OnceLock<Arc<Engine>> = OnceLock::new();
    ENGINE
        .get_or_init(|| Arc::new(engine_for(&fixtures().join("match"), Vec::new())))
        .clone()
}

fn skill(name: &str) -> String {
    format!("http://data.europa.eu/esco/skill/m-{name}")
}

fn occupation(name: &str) -> String {
    format!("http://data.europa.eu/esco/occupation/m-{name}")
}

async fn post_match(app: &TestApp, body: Value) -> Answer {
    app.post("/v1/match", None, &body).await
}

/// The ranked occupation ids.
fn ranked(body: &Value) -> Vec<&str> {
    body["occupations"]
        .as_array()
        .expect("occupations")
        .iter()
        .map(|o| o["id"].as_str().unwrap())
        .collect()
}

fn occupation_item<'a>(body: &'a Value, id: &str) -> &'a Value {
    body["occupations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == id)
        .unwrap_or_else(|| panic!("{id} is not ranked: {body}"))
}

fn ids_of(items: &Value) -> Vec<&str> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn ids_rank_the_occupation_and_name_exactly_what_is_missing() {
    let app = TestApp::over(engine());
    let answer = post_match(
        &app,
        json!({"skills": [skill("operate-forklift"), skill("load-goods")]}),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(ranked(&answer.body)[0], occupation("forklift"));
    let forklift = occupation_item(&answer.body, &occupation("forklift"));
    assert_eq!(forklift["essential"], json!({"have": 2, "total": 3}));
    // Counterparts in other vocabularies come from the warmed hit table: none before warm-up.
    assert_eq!(forklift["mappings"], json!([]));
    assert_eq!(forklift["optional"], json!({"have": 0, "total": 2}));
    assert_eq!(
        ids_of(&forklift["missing_essential"]),
        vec![skill("delivery-notes")]
    );
    // The explanation: which input counted for which skill.
    let matched = forklift["matched"].as_array().unwrap();
    assert_eq!(matched.len(), 2);
    assert!(matched
        .iter()
        .all(|m| m["relevance"] == "essential" && m["inputs"][0] == m["id"]));
    // The warehouse worker needs loading too but only lists the forklift as optional.
    let warehouse = occupation_item(&answer.body, &occupation("warehouse"));
    assert_eq!(warehouse["essential"], json!({"have": 1, "total": 3}));
    assert_eq!(
        ids_of(&warehouse["missing_essential"]),
        vec![skill("stock"), skill("communicate")]
    );
}

#[tokio::test]
async fn an_essential_skill_counts_more_than_an_optional_one() {
    let app = TestApp::over(engine());
    // Essential for the forklift operator, optional for the warehouse worker.
    let answer = post_match(&app, json!({"skills": [skill("operate-forklift")]})).await;
    assert_eq!(
        ranked(&answer.body),
        vec![occupation("forklift"), occupation("warehouse")]
    );
}

#[tokio::test]
async fn a_skill_every_occupation_needs_says_little() {
    let app = TestApp::over(engine());
    // Both cover half of the essential skills of the welder (2 of 4) and of the receptionist
    // (1 of 2); only welding is rare.
    let answer = post_match(
        &app,
        json!({"skills": [skill("communicate"), skill("weld")]}),
    )
    .await;
    let order = ranked(&answer.body);
    assert_eq!(order[0], occupation("welder"), "{order:?}");
    let score = |id: &str| occupation_item(&answer.body, id)["score"].as_f64().unwrap();
    assert!(score(&occupation("welder")) > 1.5 * score(&occupation("receptionist")));
}

#[tokio::test]
async fn a_long_list_of_unrelated_skills_is_not_rewarded() {
    let app = TestApp::over(engine());
    let welder_score = |body: &Value| {
        occupation_item(body, &occupation("welder"))["score"]
            .as_f64()
            .unwrap()
    };
    let focused = post_match(&app, json!({"skills": [skill("weld"), skill("drawings")]})).await;
    let padded = post_match(
        &app,
        json!({"skills": [skill("weld"), skill("drawings"), skill("bookkeeping"),
            skill("phone"), skill("stock"), skill("spreadsheets")]}),
    )
    .await;
    assert_eq!(ranked(&padded.body)[0], occupation("welder"));
    assert!(welder_score(&padded.body) < welder_score(&focused.body));
}

#[tokio::test]
async fn labels_with_typos_and_text_resolve_and_say_to_what() {
    let app = TestApp::over(engine());
    let answer = post_match(
        &app,
        json!({"skills": ["forklift drivng", "Loading of goods"], "lang": "en"}),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let resolved = answer.body["resolved"].as_array().unwrap();
    let to = |input: &str| {
        resolved
            .iter()
            .find(|r| r["input"] == input)
            .map(|r| (r["id"].as_str().unwrap(), r["via"].as_str().unwrap()))
    };
    assert_eq!(
        to("forklift drivng"),
        Some((skill("operate-forklift").as_str(), "label"))
    );
    assert_eq!(
        to("Loading of goods"),
        Some((skill("load-goods").as_str(), "label"))
    );
    assert_eq!(ranked(&answer.body)[0], occupation("forklift"));

    let text = "I weld metal every day and I can read technical drawings.";
    let answer = post_match(&app, json!({"text": text})).await;
    let resolved = answer.body["resolved"].as_array().unwrap();
    let weld = resolved
        .iter()
        .find(|r| r["id"] == skill("weld").as_str())
        .expect("welding found in the text");
    assert_eq!(weld["via"], "text");
    let [start, end] = [0, 1].map(|i| weld["spans"][0][i].as_u64().unwrap() as usize);
    let quoted: String = text.chars().skip(start).take(end - start).collect();
    assert!(quoted.to_lowercase().contains("weld"), "{quoted}");
    assert_eq!(ranked(&answer.body)[0], occupation("welder"));
}

#[tokio::test]
async fn inputs_that_name_nothing_are_reported_and_the_rest_still_matches() {
    let app = TestApp::over(engine());
    let answer = post_match(
        &app,
        json!({"skills": [skill("weld"), "esco:no-such-skill", "xqzzyv", occupation("welder")]}),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let unresolved: Vec<(&str, &str)> = answer.body["unresolved"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["input"].as_str().unwrap(), u["code"].as_str().unwrap()))
        .collect();
    let welder = occupation("welder");
    assert_eq!(
        unresolved,
        vec![
            ("esco:no-such-skill", "unknown_id"),
            ("xqzzyv", "no_match"),
            (welder.as_str(), "not_a_skill"),
        ]
    );
    assert_eq!(ranked(&answer.body)[0], welder);

    // Nothing resolves: an empty ranking, not an error.
    let answer = post_match(&app, json!({"skills": ["xqzzyv"]})).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body["occupations"], json!([]));
}

#[tokio::test]
async fn a_qualification_ranks_through_its_competences() {
    let app = TestApp::over(engine());
    let answer = post_match(
        &app,
        json!({"skills": ["vks:bkc9100001", "vks:bkc9100002"]}),
    )
    .await;
    assert_eq!(ranked(&answer.body), vec!["vks:BK-9101-2"]);
    let lasser = occupation_item(&answer.body, "vks:BK-9101-2");
    assert_eq!(lasser["kind"], "qualification");
    assert_eq!(lasser["essential"], json!({"have": 2, "total": 3}));
    assert_eq!(ids_of(&lasser["missing_essential"]), vec!["vks:bkc9100003"]);

    // `vocab` restricts what is ranked.
    let answer = post_match(
        &app,
        json!({"skills": ["vks:bkc9100001", skill("weld")], "vocab": ["esco"]}),
    )
    .await;
    assert_eq!(ranked(&answer.body), vec![occupation("welder")]);
}

#[tokio::test]
async fn offers_teach_the_missing_skills_and_incentives_say_who_pays() {
    let app = TestApp::over(engine());
    let key = app.key("Logistiek Academie");
    let course = |title: &str, tags: Value| {
        json!({
            "title": title,
            "description": "Praktijkopleiding in het magazijn.",
            "language": "nl",
            "contact_hours": 32,
            "price_eur": 400,
            "in_training_database": true,
            "tags": tags,
        })
    };
    let both = app
        .post(
            "/v1/offers",
            Some(&key),
            &course(
                "Leveringen en voorraad",
                json!([{"id": skill("delivery-notes")}, {"id": skill("stock")}]),
            ),
        )
        .await;
    assert_eq!(both.status, StatusCode::CREATED, "{}", both.body);
    let one = app
        .post(
            "/v1/offers",
            Some(&key),
            &course("Leveringsbonnen", json!([{"id": skill("delivery-notes")}])),
        )
        .await;
    let unrelated = app
        .post(
            "/v1/offers",
            Some(&key),
            &course("Boekhouden", json!([{"id": skill("bookkeeping")}])),
        )
        .await;
    assert_eq!(unrelated.status, StatusCode::CREATED);

    let body = json!({
        "skills": [skill("operate-forklift"), skill("load-goods")],
        "person": {"status": "employee", "work_region": "flanders", "sector": "private"},
        "date": "2026-11-26",
        "lang": "en",
    });
    let answer = post_match(&app, body).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let offers = answer.body["offers"].as_array().unwrap();
    let offer_ids: Vec<&str> = offers.iter().map(|o| o["id"].as_str().unwrap()).collect();
    // The offer teaching two missing skills (one for each ranked occupation) comes first; the
    // bookkeeping course teaches nothing missing.
    assert_eq!(
        offer_ids,
        vec![
            both.body["id"].as_str().unwrap(),
            one.body["id"].as_str().unwrap()
        ]
    );
    assert_eq!(
        ids_of(&offers[0]["teaches"]).len(),
        2,
        "{}",
        offers[0]["teaches"]
    );
    let incentives = answer.body["incentives"].as_array().unwrap();
    assert!(!incentives.is_empty());
    let opleidingscheques = incentives
        .iter()
        .find(|i| i["incentive"] == "opleidingscheques")
        .expect("training vouchers are assessed");
    assert!(opleidingscheques["verdict"].is_string());
    assert!(opleidingscheques["reasons"]
        .as_array()
        .is_some_and(|r| !r.is_empty()));
    assert!(incentives
        .iter()
        .any(|i| i["offers"].as_array().is_some_and(|o| o.len() == 2)));

    // Without a person there is nothing to assess.
    let answer = post_match(&app, json!({"skills": [skill("operate-forklift")]})).await;
    assert_eq!(answer.body["incentives"], json!([]));
}

#[tokio::test]
async fn bad_match_requests_get_json_errors() {
    let app = TestApp::over(engine());
    let many: Vec<String> = (0..501).map(|i| format!("skill {i}")).collect();
    let cases = [
        (json!({}), "empty_profile"),
        (json!({"skills": ["  "], "text": ""}), "empty_profile"),
        (json!({"skills": many}), "too_many_skills"),
        (json!({"skills": "weld"}), "invalid_body"),
        (json!({"skills": [1, 2]}), "invalid_body"),
        (json!({"skills": ["weld"], "colour": "red"}), "invalid_body"),
        (json!({"skills": ["weld"], "lang": "xx"}), "unknown_lang"),
        (
            json!({"skills": ["weld"], "vocab": ["onet"]}),
            "unknown_vocab",
        ),
        (json!({"skills": ["weld"], "limit": 0}), "invalid_limit"),
        (json!({"skills": ["weld"], "limit": "ten"}), "invalid_limit"),
        (
            json!({"skills": ["weld"], "person": {"status": "astronaut"}}),
            "unknown_status",
        ),
        (json!(["weld"]), "invalid_body"),
    ];
    for (body, code) in cases {
        let answer = post_match(&app, body.clone()).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(answer.code(), code, "{body}: {}", answer.body);
    }
    let answer = app
        .send(
            Method::POST,
            "/v1/match",
            None,
            Some("{\"skills\": [".into()),
        )
        .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(answer.body["error"]["code"].is_string());
}

/// Generated profiles on the real data: the recipe, a few of each form.
#[test]
fn real_profiles_find_their_occupation() {
    let engine = real();
    let model = engine.model();
    let profiles = eval::generate(model, Recipe::default(), 20, eval::DEFAULT_SEED);
    assert_eq!(profiles.len(), 20);
    for form in Form::ALL {
        let mut found = 0;
        for p in &profiles {
            let request = MatchRequest {
                limit: 5,
                ..eval::request(model, p, form, eval::DEFAULT_SEED)
            };
            let (_, ranked) = engine
                .match_profile(&request, &Default::default())
                .expect("a generated profile matches");
            if ranked.iter().any(|m| m.occupation == p.occupation) {
                found += 1;
            }
        }
        // The eval measures 0.95 and up on 500 profiles; 20 leave room for chance.
        assert!(found >= 15, "{}: {found} of 20 in the top 5", form.name());
    }
}

#[test]
fn real_dutch_labels_reach_english_only_skills_through_the_bridge() {
    let engine = real();
    let request = MatchRequest {
        skills: vec!["lassen".into(), "technische tekeningen lezen".into()],
        lang: Some(skillbridge::text::Lang::NL),
        limit: 10,
        ..MatchRequest::default()
    };
    let (profile, ranked) = engine.match_profile(&request, &Default::default()).unwrap();
    assert!(profile.unresolved.is_empty(), "{:?}", profile.unresolved);
    let model = engine.model();
    let english = |idx| {
        model
            .concept(idx)
            .preferred_label(skillbridge::text::Lang::EN)
            .map(|(l, _)| l.to_lowercase())
            .unwrap_or_default()
    };
    // ESCO's welding skills have English labels only.
    let lassen: Vec<String> = profile
        .resolved
        .iter()
        .filter(|r| r.input == "lassen" && model.concept(r.concept).vocab == "esco")
        .map(|r| english(r.concept))
        .collect();
    assert!(
        lassen
            .iter()
            .any(|l| l.contains("metal") || l.contains("weld")),
        "{lassen:?}"
    );
    let top: Vec<String> = ranked.iter().map(|m| english(m.occupation)).collect();
    assert!(
        top.iter()
            .any(|l| l.contains("metal") || l.contains("weld")),
        "{top:?}"
    );
}
