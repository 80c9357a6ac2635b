//! Training offers over HTTP: provider keys, ownership, validation, the concept/text/status
//! listing, and durability of an acknowledged write across `kill -9`.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::{json, Value};

use super::app::{fixtures, TestApp};

fn bike_course() -> Value {
    json!({
        "title": "Fietsherstelling voor beginners",
        "description": "Banden, kettingen en remmen van een fiets vervangen en afstellen.",
        "language": "nl",
        "contact_hours": 40,
        "mode": "in_person",
        "location": "Gent",
        "price_eur": 350,
        "in_training_database": true,
        "leads_to_qualification": true,
        "tags": [{"id": "vks:BK-9999-1"}]
    })
}

async fn total_offers(app: &TestApp) -> u64 {
    app.get("/v1/offers").await.body["total"].as_u64().unwrap()
}

#[tokio::test]
async fn offers_a_provider_creates_reads_replaces_and_deletes_its_offer() {
    let app = TestApp::new();
    let key = app.key("Fietsacademie");

    let created = app.post("/v1/offers", Some(&key), &bike_course()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let offer = &created.body;
    let id = offer["id"].as_str().unwrap().to_string();
    assert_eq!(offer["provider"], "Fietsacademie");
    assert_eq!(offer["title"], "Fietsherstelling voor beginners");
    assert_eq!(offer["contact_hours"], 40.0);
    assert_eq!(offer["in_training_database"], true);
    // The tag is resolved from the model: label, vocabulary and kind, confirmed by the provider.
    assert_eq!(
        offer["tags"],
        json!([{"id": "vks:BK-9999-1", "vocab": "vks", "kind": "qualification",
                "label": "Fietshersteller", "source": "confirmed"}])
    );

    let read = app.get(&format!("/v1/offers/{id}")).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(&read.body, offer);

    // What a client read can go back with a change; the read-only fields are ignored.
    let mut changed = read.body.clone();
    changed["title"] = json!("Fietsherstelling voor gevorderden");
    changed["tags"] = json!([{"id": "vks:bkc9999002", "source": "suggested"}]);
    let replaced = app
        .put(&format!("/v1/offers/{id}"), Some(&key), &changed)
        .await;
    assert_eq!(replaced.status, StatusCode::OK, "{}", replaced.body);
    assert_eq!(replaced.body["title"], "Fietsherstelling voor gevorderden");
    assert_eq!(replaced.body["tags"][0]["id"], "vks:bkc9999002");
    assert_eq!(replaced.body["tags"][0]["source"], "suggested");
    assert_eq!(replaced.body["created_at"], offer["created_at"]);

    let deleted = app.delete(&format!("/v1/offers/{id}"), Some(&key)).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let gone = app.get(&format!("/v1/offers/{id}")).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(gone.code(), "unknown_offer");
}

#[tokio::test]
async fn offers_without_tags_get_the_taggers_suggestions() {
    let app = TestApp::new();
    let key = app.key("Fietsacademie");
    let mut course = bike_course();
    course.as_object_mut().unwrap().remove("tags");
    let created = app.post("/v1/offers", Some(&key), &course).await;
    assert_eq!(created.status, StatusCode::CREATED);
    let tags = created.body["tags"].as_array().unwrap();
    let ids: Vec<&str> = tags.iter().map(|t| t["id"].as_str().unwrap()).collect();
    // The title names the sector vocabulary's `fietsherstelling`.
    assert!(ids.contains(&"sector:bike-repair"), "{ids:?}");
    assert!(tags.iter().all(|t| t["source"] == "suggested"), "{tags:?}");
}

#[tokio::test]
async fn offers_writes_need_a_valid_key() {
    let app = TestApp::new();
    let missing = app.post("/v1/offers", None, &bike_course()).await;
    assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
    assert_eq!(missing.code(), "unauthorized");

    let wrong = app
        .post("/v1/offers", Some("sbk_0000"), &bike_course())
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.code(), "unauthorized");

    // The key is checked before the body: a bad key with a broken body is still a 401.
    let broken = app
        .send(
            axum::http::Method::POST,
            "/v1/offers",
            Some("nope"),
            Some("{".into()),
        )
        .await;
    assert_eq!(broken.status, StatusCode::UNAUTHORIZED);
    assert_eq!(total_offers(&app).await, 0);
}

#[tokio::test]
async fn offers_a_provider_cannot_change_another_providers_offer() {
    let app = TestApp::new();
    let owner = app.key("Fietsacademie");
    let other = app.key("Concurrent");
    let id = app
        .post("/v1/offers", Some(&owner), &bike_course())
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let uri = format!("/v1/offers/{id}");

    let mut changed = bike_course();
    changed["title"] = json!("Overgenomen");
    let put = app.put(&uri, Some(&other), &changed).await;
    assert_eq!(put.status, StatusCode::FORBIDDEN);
    assert_eq!(put.code(), "forbidden");
    let delete = app.delete(&uri, Some(&other)).await;
    assert_eq!(delete.status, StatusCode::FORBIDDEN);

    let still = app.get(&uri).await;
    assert_eq!(still.body["title"], "Fietsherstelling voor beginners");
}

#[tokio::test]
async fn offers_unknown_ids_are_404() {
    let app = TestApp::new();
    let key = app.key("Fietsacademie");
    assert_eq!(
        app.get("/v1/offers/abc").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.put("/v1/offers/abc", Some(&key), &bike_course())
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.delete("/v1/offers/abc", Some(&key)).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn offers_bad_input_is_a_400_and_writes_nothing() {
    let app = TestApp::new();
    let key = app.key("Fietsacademie");
    let with = |field: &str, value: Value| {
        let mut course = bike_course();
        course[field] = value;
        course
    };
    let cases = [
        (with("title", json!("  ")), "invalid_offer", "title"),
        (
            with("title", json!("x".repeat(201))),
            "invalid_offer",
            "title",
        ),
        (
            with("language", json!("dutch")),
            "invalid_offer",
            "ISO 639-1",
        ),
        (with("price_eur", json!(-1)), "invalid_offer", "price_eur"),
        (
            with("contact_hours", json!(-5)),
            "invalid_training",
            "contact_hours",
        ),
        (with("mode", json!("by_post")), "invalid_offer", "in_person"),
        (
            with("in_trainings_database", json!(true)),
            "invalid_offer",
            "in_training_database",
        ),
        (
            with("vdab_recognised", json!("yes")),
            "invalid_training",
            "vdab_recognised",
        ),
        (
            with("tags", json!([{"id": "vks:BK-0000-0"}])),
            "unknown_concept",
            "vks:BK-0000-0",
        ),
        (json!(["not", "an", "object"]), "invalid_offer", "object"),
    ];
    for (body, code, named) in cases {
        let answer = app.post("/v1/offers", Some(&key), &body).await;
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
            "/v1/offers",
            Some(&key),
            Some("{\"title\": ".into()),
        )
        .await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert_eq!(malformed.code(), "malformed_json");

    let huge = json!({"title": "x", "language": "nl", "description": "a".repeat(1024 * 1024 + 1)});
    let too_large = app.post("/v1/offers", Some(&key), &huge).await;
    assert_eq!(too_large.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(too_large.code(), "payload_too_large");

    assert_eq!(total_offers(&app).await, 0, "a failed create leaves no row");
}

#[tokio::test]
async fn offers_a_failed_replace_leaves_the_offer_whole() {
    let app = TestApp::new();
    let key = app.key("Fietsacademie");
    let created = app
        .post("/v1/offers", Some(&key), &bike_course())
        .await
        .body;
    let uri = format!("/v1/offers/{}", created["id"].as_str().unwrap());
    let mut bad = bike_course();
    bad["title"] = json!("Nieuwe titel");
    bad["tags"] = json!([{"id": "vks:bkc9999001"}, {"id": "sector:nonexistent"}]);
    assert_eq!(
        app.put(&uri, Some(&key), &bad).await.code(),
        "unknown_concept"
    );
    assert_eq!(app.get(&uri).await.body, created);
}

#[tokio::test]
async fn offers_are_found_by_concept_including_narrower_ones_and_by_text() {
    let app = TestApp::new();
    let key = app.key("Fietsacademie");
    let mut repair = bike_course();
    repair["tags"] = json!([{"id": "sector:bike-repair"}]);
    let repair_id = app.post("/v1/offers", Some(&key), &repair).await.body["id"].clone();
    let mut other = bike_course();
    other["title"] = json!("E-bike diagnose");
    other["description"] = json!("Storingen aan de motor opsporen.");
    other["tags"] = json!([{"id": "vks:bkc9999002"}]);
    app.post("/v1/offers", Some(&key), &other).await;

    let by_child = app.get("/v1/offers?concept=sector%3Abike-repair").await;
    assert_eq!(by_child.body["total"], 1);
    assert_eq!(by_child.body["items"][0]["id"], repair_id);
    // The broader concept finds what its narrower concept tags.
    let by_parent = app.get("/v1/offers?concept=sector%3Amobility").await;
    assert_eq!(by_parent.body["total"], 1);
    assert_eq!(by_parent.body["items"][0]["id"], repair_id);

    // Text: case and accents ignored, every word must occur.
    let by_text = app
        .get("/v1/offers?q=FI%C3%89TSHERSTELLING+beginners")
        .await;
    assert_eq!(by_text.body["total"], 1);
    assert_eq!(app.get("/v1/offers?q=motor").await.body["total"], 1);
    assert_eq!(app.get("/v1/offers?q=motor+banden").await.body["total"], 0);
    assert_eq!(app.get("/v1/offers").await.body["total"], 2);
    assert_eq!(
        app.get("/v1/offers?limit=1").await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let unknown = app.get("/v1/offers?concept=sector%3Anope").await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert_eq!(unknown.code(), "unknown_concept");
}

fn payer_ids(item: &Value) -> Vec<String> {
    item["incentives"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["incentive"].as_str().unwrap().to_string())
        .collect()
}

// vlaio.be kmo-portefeuille serves the self-employed; the training vouchers and the training leave
// serve employees (the same facts the incentives scenario tests check).
#[tokio::test]
async fn offers_show_the_incentives_that_can_pay_for_them_for_a_status() {
    let app = TestApp::new();
    let key = app.key("Fietsacademie");
    app.post("/v1/offers", Some(&key), &bike_course()).await;

    let plain = app.get("/v1/offers").await;
    assert!(plain.body["items"][0].get("incentives").is_none());

    let employee = app.get("/v1/offers?status=employee&lang=en").await;
    let ids = payer_ids(&employee.body["items"][0]);
    assert!(ids.contains(&"opleidingscheques".to_string()), "{ids:?}");
    assert!(!ids.contains(&"kmo-portefeuille".to_string()), "{ids:?}");
    for payer in employee.body["items"][0]["incentives"].as_array().unwrap() {
        assert!(["eligible", "unknown"].contains(&payer["verdict"].as_str().unwrap()));
    }

    let self_employed = app.get("/v1/offers?status=self_employed").await;
    let ids = payer_ids(&self_employed.body["items"][0]);
    assert!(ids.contains(&"kmo-portefeuille".to_string()), "{ids:?}");
    assert!(!ids.contains(&"opleidingscheques".to_string()), "{ids:?}");

    let bad = app.get("/v1/offers?status=retired").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.code(), "unknown_status");
    assert!(bad.message().contains("self_employed"), "{}", bad.message());
}

/// The real binary with its own database; killed with SIGKILL when dropped.
struct Server {
    child: Child,
}

impl Server {
    fn start(dir: &Path, port: u16) -> Server {
        let child = Command::new(env!("CARGO_BIN_EXE_skillbridge"))
            .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
            .arg("--data")
            .arg(fixtures().join("data"))
            .arg("--index")
            .arg(dir.join("index"))
            .arg("--db")
            .arg(dir.join("offers.db"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the binary starts");
        let server = Server { child };
        let deadline = Instant::now() + Duration::from_secs(120);
        while http(port, "GET", "/health", None, "").map(|(status, _)| status) != Some(200) {
            assert!(Instant::now() < deadline, "the server did not come up");
            std::thread::sleep(Duration::from_millis(100));
        }
        server
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One HTTP/1.1 exchange over a fresh connection: status and body, or `None` when nobody listens.
fn http(
    port: u16,
    method: &str,
    path: &str,
    key: Option<&str>,
    body: &str,
) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let auth = key
        .map(|k| format!("Authorization: Bearer {k}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{auth}\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.split(' ').nth(1)?.parse().ok()?;
    let (_, body) = response.split_once("\r\n\r\n")?;
    Some((status, body.to_string()))
}

#[test]
fn offers_an_acknowledged_write_survives_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut server = Server::start(dir.path(), port);

    let keys = Command::new(env!("CARGO_BIN_EXE_skillbridge"))
        .args(["keys", "add", "--provider", "Fietsacademie", "--db"])
        .arg(dir.path().join("offers.db"))
        .output()
        .unwrap();
    assert!(
        keys.status.success(),
        "{}",
        String::from_utf8_lossy(&keys.stderr)
    );
    let key = String::from_utf8(keys.stdout).unwrap().trim().to_string();

    let (status, body) = http(
        port,
        "POST",
        "/v1/offers",
        Some(&key),
        &bike_course().to_string(),
    )
    .unwrap();
    assert_eq!(status, 201, "{body}");
    let offer: Value = serde_json::from_str(&body).unwrap();
    let id = offer["id"].as_str().unwrap();

    // SIGKILL: no shutdown hook runs, nothing gets flushed that was not already synced.
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    drop(server);

    // A fresh port, so that the restart does not wait for the old socket to be released.
    let port = free_port();
    let _server = Server::start(dir.path(), port);
    let (status, body) = http(port, "GET", &format!("/v1/offers/{id}"), None, "").unwrap();
    assert_eq!(status, 200, "{body}");
    let stored: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(stored, offer);
}

#[tokio::test]
async fn offers_are_found_through_a_mapping_from_another_vocabulary() {
    let app = TestApp::new();
    let key = app.key("Fietsacademie");
    let mut course = bike_course();
    course["tags"] = json!([{"id": "vks:bkc9999001"}]);
    assert_eq!(
        app.post("/v1/offers", Some(&key), &course).await.status,
        StatusCode::CREATED
    );
    // Tagged with the VKS competence; asked for by the sector vocabulary's concept, which the
    // curated fixture maps onto it as an exact match.
    let found = app.get("/v1/offers?concept=sector%3Abike-repair").await;
    assert_eq!(found.status, StatusCode::OK);
    assert_eq!(found.body["total"], 1, "{}", found.body);
    let unrelated = app.get("/v1/offers?concept=vks%3Abkc9999002").await;
    assert_eq!(unrelated.body["total"], 0, "{}", unrelated.body);
}
