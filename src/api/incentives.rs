//! `GET /v1/incentives`, `POST /v1/eligibility`, `POST /v1/eligibility/compare`.

use axum::extract::State;
use axum::Json;
use chrono::NaiveDate;
use serde_json::{json, Value};

use super::extract::{BodyFields, JsonBody, Params};
use super::{blocking, ApiError, ApiResult, AppState};
use crate::incentives::{Lang, Person, Status, Training};

/// The day rules are judged on when the client names none.
pub(super) fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// A `date` parameter: `YYYY-MM-DD`, or today when absent.
pub(super) fn parse_date(text: Option<&str>) -> ApiResult<NaiveDate> {
    match text.filter(|t| !t.is_empty()) {
        None => Ok(today()),
        Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
            ApiError::bad_request(
                "invalid_date",
                format!("date {text:?} is not a date of the form YYYY-MM-DD"),
            )
        }),
    }
}

/// The language of incentive names and explanations: the rules are written in Dutch and English.
pub(super) fn parse_lang(text: Option<&str>) -> ApiResult<Lang> {
    match text.filter(|t| !t.is_empty()) {
        None => Ok(Lang::default()),
        Some("nl") => Ok(Lang::Nl),
        Some("en") => Ok(Lang::En),
        Some(other) => Err(ApiError::bad_request(
            "unknown_lang",
            format!("lang {other:?} is not available for incentives; allowed: nl, en"),
        )),
    }
}

pub(super) fn parse_status(text: &str) -> ApiResult<Status> {
    Status::parse(text).map_err(|message| ApiError::bad_request("unknown_status", message))
}

/// `GET /v1/incentives?date=&lang=`: what each incentive in force offers, whom it serves and what
/// it requires; no person involved.
pub async fn list(State(state): State<AppState>, params: Params) -> ApiResult<Json<Value>> {
    let date = parse_date(params.get("date"))?;
    let lang = parse_lang(params.get("lang"))?;
    let catalog = state.incentives.clone();
    // Evaluating nobody yields each incentive's texts for the day (benefit, limits, next step,
    // sources) exactly as the eligibility answer shows them.
    let assessments = catalog.evaluate(&Person::default(), None, date, lang);
    let items: Vec<Value> = assessments
        .into_iter()
        .filter_map(|a| {
            let incentive = catalog.get(&a.incentive)?;
            let conditions: Vec<Value> = incentive
                .conditions_on(date)
                .map(|c| json!({"condition": c.id, "requires": c.requires.get(lang), "uncertain": c.uncertain}))
                .collect();
            Some(json!({
                "incentive": a.incentive,
                "name": a.name,
                "level": incentive.level,
                "administering_body": a.administering_body,
                "statuses": incentive.statuses,
                "conditions": conditions,
                "benefit": a.benefit,
                "next_step": a.next_step,
                "sources": a.sources,
                "uncertain": a.uncertain,
                "valid": a.valid,
                "note": a.note,
            }))
        })
        .collect();
    Ok(Json(json!({"date": date, "items": items})))
}

/// A person's eligibility question, read from a request body.
struct Question {
    person: Person,
    training: Option<Training>,
    offer_id: Option<String>,
    date: NaiveDate,
    lang: Lang,
}

const QUESTION_FIELDS: &[&str] = &["person", "training", "offer_id", "date", "lang"];

/// Reads the fields both eligibility calls share; `extra` names the other fields the call accepts.
fn question(body: &Value, extra: &[&str]) -> ApiResult<Question> {
    let allowed: Vec<&str> = QUESTION_FIELDS.iter().chain(extra).copied().collect();
    let fields = BodyFields::new(body, &allowed)?;
    let person = fields.get("person").ok_or_else(|| {
        ApiError::bad_request(
            "invalid_person",
            "person is required (an object of person facts)",
        )
    })?;
    let training = fields
        .get("training")
        .map(Training::from_json)
        .transpose()?;
    let offer_id = fields.text("offer_id")?.map(String::from);
    if training.is_some() && offer_id.is_some() {
        return Err(ApiError::bad_request(
            "invalid_body",
            "give either training or offer_id: an offer carries its own training facts",
        ));
    }
    Ok(Question {
        person: Person::from_json(person)?,
        training,
        offer_id,
        date: parse_date(fields.text("date")?)?,
        lang: parse_lang(fields.text("lang")?)?,
    })
}

impl Question {
    /// The training facts asked about: given, or those of the offer named.
    fn training(&self, state: &AppState) -> crate::Result<Option<Training>> {
        match &self.offer_id {
            Some(id) => Ok(Some(state.offers.get(id)?.draft.training_facts())),
            None => Ok(self.training.clone()),
        }
    }
}

/// `POST /v1/eligibility`: every incentive in force with its verdict and reasons.
pub async fn eligibility(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Json<Value>> {
    let question = question(&body, &[])?;
    let items = blocking(move || {
        let training = question.training(&state)?;
        Ok(state.incentives.evaluate(
            &question.person,
            training.as_ref(),
            question.date,
            question.lang,
        ))
    })
    .await?;
    Ok(Json(json!({"items": items})))
}

/// `POST /v1/eligibility/compare`: the person's rights now and under other statuses (by default
/// every status but the current one), with what each switch gains and loses.
pub async fn compare(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Json<Value>> {
    let question = question(&body, &["statuses"])?;
    let statuses = match body.get("statuses") {
        None | Some(Value::Null) => Status::all_but(question.person.status),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item.as_str() {
                Some(text) => parse_status(text),
                None => Err(ApiError::bad_request(
                    "unknown_status",
                    "statuses must be a list of status names",
                )),
            })
            .collect::<ApiResult<Vec<Status>>>()?,
        Some(_) => {
            return Err(ApiError::bad_request(
                "invalid_body",
                "statuses must be a list of status names",
            ))
        }
    };
    let comparison = blocking(move || {
        let training = question.training(&state)?;
        Ok(state.incentives.compare(
            &question.person,
            &statuses,
            training.as_ref(),
            question.date,
            question.lang,
        ))
    })
    .await?;
    Ok(Json(
        serde_json::to_value(comparison).unwrap_or(Value::Null),
    ))
}
