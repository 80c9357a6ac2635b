//! `POST /v1/eligibility`, `POST /v1/eligibility/compare` and `GET /v1/incentives` end to end,
//! on the shipped rules. The facts each case relies on are those the incentives scenario tests
//! cite (vlaio.be for the training vouchers and the SME wallet).

use axum::http::StatusCode;
use serde_json::{json, Value};

use super::app::TestApp;

fn flemish_worker(status: &str) -> Value {
    json!({
        "status": status,
        "sector": "private",
        "work_region": "flanders",
        "residence_region": "flanders",
        "highest_diploma": "secondary",
        "employment_fraction": 1.0,
        "weekly_hours": 38,
        "years_of_work_experience": 12,
        "career_cheque_used_within_6_years": false,
        "receives_unemployment_benefit": false,
        "temporarily_unemployed": false,
        "employer_headcount": 30,
        "enterprise_size": "small",
        "age": 40
    })
}

fn database_course() -> Value {
    json!({
        "in_training_database": true,
        "in_personal_development_plan": false,
        "vdab_recognised": false,
        "leads_to_shortage_occupation": false,
        "leads_to_qualification": true,
        "contact_hours": 150,
        "study_points": 0,
        "kmo_portefeuille_registered_provider": true,
        "cost_eur": 600
    })
}

fn verdict_of<'a>(answer: &'a Value, incentive: &str) -> &'a str {
    answer["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["incentive"] == incentive)
        .unwrap_or_else(|| panic!("{incentive} missing"))["verdict"]
        .as_str()
        .unwrap()
}

#[tokio::test]
async fn eligibility_an_employee_gets_training_vouchers_a_self_employed_person_the_sme_wallet() {
    let app = TestApp::new();
    let ask = |status: &str| json!({"person": flemish_worker(status), "training": database_course(), "date": "2026-03-01", "lang": "en"});
    let employee = app.post("/v1/eligibility", None, &ask("employee")).await;
    assert_eq!(employee.status, StatusCode::OK, "{}", employee.body);
    assert_eq!(verdict_of(&employee.body, "opleidingscheques"), "eligible");
    assert_eq!(
        verdict_of(&employee.body, "kmo-portefeuille"),
        "not_eligible"
    );
    let first = &employee.body["items"][0];
    assert_eq!(
        first["verdict"], "eligible",
        "eligible incentives come first"
    );
    assert!(first["reasons"][0]["met"].is_boolean());
    assert!(first["next_step"]["url"]
        .as_str()
        .unwrap()
        .starts_with("http"));

    let self_employed = app
        .post("/v1/eligibility", None, &ask("self_employed"))
        .await;
    assert_eq!(
        verdict_of(&self_employed.body, "opleidingscheques"),
        "not_eligible"
    );
    assert_eq!(
        verdict_of(&self_employed.body, "kmo-portefeuille"),
        "eligible"
    );
}

#[tokio::test]
async fn eligibility_a_missing_fact_gives_unknown_naming_it() {
    let app = TestApp::new();
    let answer = app
        .post(
            "/v1/eligibility",
            None,
            &json!({"person": {"status": "employee"}, "date": "2026-03-01"}),
        )
        .await;
    let vouchers = answer.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["incentive"] == "opleidingscheques")
        .unwrap();
    assert_eq!(vouchers["verdict"], "unknown");
    let missing = vouchers["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["met"].is_null())
        .unwrap();
    assert!(missing["explanation"].as_str().unwrap().contains("person."));
}

#[tokio::test]
async fn eligibility_reads_the_training_facts_of_an_offer() {
    let app = TestApp::new();
    let key = app.key("Opleidingscentrum");
    let mut offer = database_course();
    offer["title"] = json!("Boekhouden");
    offer["language"] = json!("nl");
    let id = app.post("/v1/offers", Some(&key), &offer).await.body["id"].clone();

    let by_offer =
        json!({"person": flemish_worker("employee"), "offer_id": id, "date": "2026-03-01"});
    let given = json!({"person": flemish_worker("employee"), "training": database_course(), "date": "2026-03-01"});
    let by_offer = app.post("/v1/eligibility", None, &by_offer).await;
    assert_eq!(by_offer.status, StatusCode::OK, "{}", by_offer.body);
    assert_eq!(
        by_offer.body,
        app.post("/v1/eligibility", None, &given).await.body
    );

    let unknown = json!({"person": flemish_worker("employee"), "offer_id": "nope"});
    let unknown = app.post("/v1/eligibility", None, &unknown).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.code(), "unknown_offer");
}

#[tokio::test]
async fn eligibility_compare_shows_what_a_switch_gains_and_loses() {
    let app = TestApp::new();
    let body = json!({"person": flemish_worker("employee"), "training": database_course(),
                      "statuses": ["self_employed"], "date": "2026-03-01"});
    let answer = app.post("/v1/eligibility/compare", None, &body).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.body["current_status"], "employee");
    let scenario = &answer.body["scenarios"][0];
    assert_eq!(scenario["status"], "self_employed");
    assert!(scenario["gained"]
        .as_array()
        .unwrap()
        .contains(&json!("kmo-portefeuille")));
    assert!(scenario["lost"]
        .as_array()
        .unwrap()
        .contains(&json!("opleidingscheques")));

    // Without `statuses`: every status but the current one.
    let all = json!({"person": flemish_worker("employee")});
    let all = app.post("/v1/eligibility/compare", None, &all).await;
    assert_eq!(all.body["scenarios"].as_array().unwrap().len(), 4);

    let bad = json!({"person": flemish_worker("employee"), "statuses": ["pensioner"]});
    let bad = app.post("/v1/eligibility/compare", None, &bad).await;
    assert_eq!(bad.code(), "unknown_status");
}

#[tokio::test]
async fn eligibility_bad_input_is_a_400_naming_what_is_allowed() {
    let app = TestApp::new();
    let with = |field: &str, value: Value| {
        let mut person = flemish_worker("employee");
        person[field] = value;
        json!({ "person": person })
    };
    let cases = [
        (
            with("status", json!("retired")),
            "unknown_status",
            "self_employed",
        ),
        (
            with("work_region", json!("holland")),
            "invalid_person",
            "flanders",
        ),
        (
            with("highest_diploma", json!("phd")),
            "invalid_person",
            "higher_vocational",
        ),
        (
            with("employment_fraction", json!(1.5)),
            "invalid_person",
            "employment_fraction",
        ),
        (
            with("favourite_colour", json!("blue")),
            "invalid_person",
            "favourite_colour",
        ),
        (
            json!({"person": {}, "date": "2026-02-30"}),
            "invalid_date",
            "YYYY-MM-DD",
        ),
        (
            json!({"person": {}, "date": "yesterday"}),
            "invalid_date",
            "yesterday",
        ),
        (
            json!({"person": {}, "lang": "fr"}),
            "unknown_lang",
            "nl, en",
        ),
        (
            json!({"person": {}, "training": {"cost_eur": -3}}),
            "invalid_training",
            "cost_eur",
        ),
        (
            json!({"person": {}, "persons": {}}),
            "invalid_body",
            "offer_id",
        ),
        (json!({"training": {}}), "invalid_person", "person"),
    ];
    for (body, code, named) in cases {
        let answer = app.post("/v1/eligibility", None, &body).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(answer.code(), code, "{body}: {}", answer.message());
        assert!(
            answer.message().contains(named),
            "{body}: {}",
            answer.message()
        );
    }

    let malformed = app
        .send(
            axum::http::Method::POST,
            "/v1/eligibility",
            None,
            Some("{\"person\": {".into()),
        )
        .await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert_eq!(malformed.code(), "malformed_json");

    let huge = json!({"person": {}, "padding": "x".repeat(1024 * 1024)});
    let too_large = app.post("/v1/eligibility", None, &huge).await;
    assert_eq!(too_large.status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn eligibility_lists_the_incentives_in_force_on_a_date() {
    let app = TestApp::new();
    let answer = app.get("/v1/incentives?date=2026-03-01&lang=en").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.body["date"], "2026-03-01");
    let items = answer.body["items"].as_array().unwrap();
    assert!(items.len() >= 10, "{}", items.len());
    let leave = items
        .iter()
        .find(|i| i["incentive"] == "vlaams-opleidingsverlof")
        .unwrap();
    assert_eq!(leave["statuses"], json!(["employee"]));
    assert!(!leave["conditions"].as_array().unwrap().is_empty());
    assert!(leave["benefit"]["summary"].as_str().is_some());

    let bad = app.get("/v1/incentives?date=01-03-2026").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.code(), "invalid_date");
    assert_eq!(
        app.get("/v1/incentives?lang=xx").await.code(),
        "unknown_lang"
    );
}

/// `skillbridge eligibility`: the same verdicts as text, with ✓/✗/? per reason, and the what-if.
#[test]
fn eligibility_cli_prints_verdicts_reasons_and_the_what_if() {
    let dir = tempfile::tempdir().unwrap();
    let person = dir.path().join("person.json");
    let training = dir.path().join("training.json");
    let mut someone = flemish_worker("employee");
    someone.as_object_mut().unwrap().remove("sector");
    std::fs::write(&person, someone.to_string()).unwrap();
    std::fs::write(&training, database_course().to_string()).unwrap();
    let run = |extra: &[&str]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_skillbridge"))
            .arg("eligibility")
            .arg("--person")
            .arg(&person)
            .arg("--training")
            .arg(&training)
            .args(["--date", "2026-03-01", "--lang", "en"])
            .args(extra)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    };

    let text = run(&[]);
    assert!(
        text.contains("Training vouchers for employees [opleidingscheques]: eligible"),
        "{text}"
    );
    assert!(
        text.contains("SME wallet (training subsidy) [kmo-portefeuille]: not eligible"),
        "{text}"
    );
    // The sector is left out, so the training leave cannot be decided and says what is missing.
    assert!(
        text.contains("  ? Unknown: please provide person.sector"),
        "{text}"
    );
    assert!(text.contains("  ✓ "), "{text}");
    assert!(text.contains("  ✗ "), "{text}");
    assert!(text.contains("Next step: "), "{text}");

    let json: Value = serde_json::from_str(&run(&["--json"])).unwrap();
    assert_eq!(verdict_of(&json, "opleidingscheques"), "eligible");

    let what_if = run(&["--compare", "self_employed"]);
    assert!(what_if.contains("employee → self_employed:"), "{what_if}");
    assert!(what_if.contains("+ gained: kmo-portefeuille"), "{what_if}");
}
