//! `POST /v1/offers`, `GET/PUT/DELETE /v1/offers/{id}`, `GET /v1/offers?concept=&q=&status=`.

use std::collections::HashSet;

use axum::extract::{FromRequestParts, Path, State};
use axum::http::header::{AUTHORIZATION, LOCATION};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{json, Value};

use super::extract::{JsonBody, Params};
use super::incentives::{parse_date, parse_lang, parse_status};
use super::{blocking, ApiError, ApiResult, AppState};
use crate::crosswalk::{Crosswalks, Relation};
use crate::incentives::{Catalog, Fact, Lang, Person, Status, Verdict};
use crate::offers::store::MAX_FILTER_CONCEPTS;
use crate::offers::{resolve_tags, suggest_tags, Offer, OfferInput, OfferQuery, Tag};
use crate::search::{Engine, DEFAULT_LIMIT, MAX_QUERY_CHARS};
use crate::vocab::Model;
use crate::Error;

/// The provider a write acts for, identified by `Authorization: Bearer <key>`.
pub struct Provider(pub String);

impl FromRequestParts<AppState> for Provider {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let key = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, key)| key.trim().to_string())
            .filter(|key| !key.is_empty())
            .ok_or_else(|| {
                Error::Unauthorized("send the provider key as `Authorization: Bearer <key>`".into())
            })?;
        let store = state.offers.clone();
        let provider = blocking(move || store.provider_of_key(&key)).await?;
        let provider =
            provider.ok_or_else(|| Error::Unauthorized("this provider key is not valid".into()))?;
        Ok(Provider(provider))
    }
}

/// The tags to store: those the provider gave, else the tagger's suggestions.
fn tags_for(engine: &Engine, input: &OfferInput) -> crate::Result<Vec<Tag>> {
    match &input.tags {
        Some(requests) => resolve_tags(engine.model(), requests, input.draft.language),
        None => Ok(suggest_tags(
            engine,
            &input.draft.title,
            &input.draft.description,
            input.draft.language,
        )),
    }
}

pub async fn create(
    State(state): State<AppState>,
    Provider(provider): Provider,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<impl IntoResponse> {
    let input = OfferInput::from_json(&body)?;
    let offer = blocking(move || {
        let tags = tags_for(&state.engine, &input)?;
        state.offers.create(&provider, &input.draft, &tags)
    })
    .await?;
    let location = format!("/v1/offers/{}", offer.id);
    Ok((StatusCode::CREATED, [(LOCATION, location)], Json(offer)))
}

pub async fn get(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult<Json<Offer>> {
    Ok(Json(blocking(move || state.offers.get(&id)).await?))
}

/// Replaces the offer; the body is the same as for a create (tags left out are suggested anew).
pub async fn replace(
    State(state): State<AppState>,
    Provider(provider): Provider,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Json<Offer>> {
    let input = OfferInput::from_json(&body)?;
    let offer = blocking(move || {
        let tags = tags_for(&state.engine, &input)?;
        state.offers.update(&provider, &id, &input.draft, &tags)
    })
    .await?;
    Ok(Json(offer))
}

pub async fn delete(
    State(state): State<AppState>,
    Provider(provider): Provider,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    blocking(move || state.offers.delete(&provider, &id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An incentive that can pay for an offer, or might once the person's other facts are known.
#[derive(Debug, Serialize)]
struct Payer {
    incentive: String,
    name: String,
    verdict: Verdict,
    /// For `unknown`: the facts that would decide it.
    missing_facts: Vec<Fact>,
}

#[derive(Debug, Serialize)]
struct OfferItem {
    #[serde(flatten)]
    offer: Offer,
    #[serde(skip_serializing_if = "Option::is_none")]
    incentives: Option<Vec<Payer>>,
}

/// `GET /v1/offers?concept=&q=&status=&lang=&date=&limit=&offset=`.
pub async fn list(State(state): State<AppState>, params: Params) -> ApiResult<Json<Value>> {
    let status = match params.get("status").filter(|s| !s.is_empty()) {
        Some(text) => Some(parse_status(text)?),
        None => None,
    };
    let lang = parse_lang(params.get("lang"))?;
    let date = parse_date(params.get("date"))?;
    let text = params.get("q").map(str::trim).filter(|q| !q.is_empty());
    if text.is_some_and(|q| q.chars().count() > MAX_QUERY_CHARS) {
        return Err(ApiError::bad_request(
            "invalid_query",
            format!("q is longer than {MAX_QUERY_CHARS} characters"),
        ));
    }
    let concept = params
        .get("concept")
        .filter(|c| !c.is_empty())
        .map(String::from);
    let mut query = OfferQuery {
        concepts: None,
        text: text.map(String::from),
        limit: params.limit(DEFAULT_LIMIT)?,
        offset: params.number("offset", 0)?,
    };
    let body = blocking(move || {
        if let Some(id) = &concept {
            let mut ids = concept_and_narrower(state.engine.model(), id)?;
            ids.extend(same_meaning(&state.crosswalks, id));
            ids.sort();
            ids.dedup();
            query.concepts = Some(ids);
        }
        let page = state.offers.list(&query)?;
        let items: Vec<OfferItem> = page
            .offers
            .into_iter()
            .map(|offer| OfferItem {
                incentives: status
                    .map(|status| payers(&state.incentives, status, &offer, date, lang)),
                offer,
            })
            .collect();
        Ok(json!({"total": page.total, "items": items}))
    })
    .await?;
    Ok(Json(body))
}

/// The concept and everything under it: an offer that teaches "electric bicycle repair" teaches
/// "bicycle repair" too.
fn concept_and_narrower(model: &Model, id: &str) -> crate::Result<Vec<String>> {
    let root = model
        .find(id)
        .ok_or_else(|| Error::invalid("unknown_concept", format!("no concept with id {id:?}")))?;
    let mut seen = HashSet::from([root]);
    let mut queue = vec![root];
    // One past the store's limit is enough for it to refuse; no need to walk a whole hierarchy.
    while let Some(idx) = queue.pop() {
        if seen.len() > MAX_FILTER_CONCEPTS {
            break;
        }
        for &narrower in &model.concept(idx).narrower {
            if seen.insert(narrower) {
                queue.push(narrower);
            }
        }
    }
    Ok(seen
        .into_iter()
        .map(|idx| model.concept(idx).id.clone())
        .collect())
}

/// A mapping at least this confident and exact or close counts as the same competence, so an
/// offer tagged in one vocabulary is found from the other (the crosswalk's own "confident" mark).
const SAME_MEANING_MIN_CONFIDENCE: f32 = 0.5;

/// The concepts in other vocabularies that the crosswalk says mean the same as `id`.
fn same_meaning(crosswalks: &Crosswalks, id: &str) -> Vec<String> {
    let model = crosswalks.model();
    let Some(idx) = model.find(id) else {
        return Vec::new();
    };
    crosswalks
        .best_mappings(idx)
        .into_iter()
        .filter(|m| matches!(m.relation, Relation::Exact | Relation::Close))
        .filter(|m| m.confidence >= SAME_MEANING_MIN_CONFIDENCE)
        .map(|m| model.concept(m.object).id.clone())
        .collect()
}

/// The incentives that can pay for `offer` for someone whose only known fact is `status`.
fn payers(
    catalog: &Catalog,
    status: Status,
    offer: &Offer,
    date: NaiveDate,
    lang: Lang,
) -> Vec<Payer> {
    let person = Person {
        status: Some(status),
        ..Person::default()
    };
    catalog
        .evaluate(&person, Some(&offer.draft.training_facts()), date, lang)
        .into_iter()
        .filter(|a| a.verdict != Verdict::NotEligible)
        .map(|a| Payer {
            incentive: a.incentive,
            name: a.name,
            verdict: a.verdict,
            missing_facts: a.missing_facts,
        })
        .collect()
}
