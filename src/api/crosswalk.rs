//! `GET /v1/concepts/{id}/mappings` and `GET /v1/crosswalks/{from}/{to}`.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::{json, Value};

use super::extract::Params;
use super::views::MappingRef;
use super::{blocking, ApiError, ApiResult, AppState};
use crate::crosswalk::sssom::{self, Format};
use crate::crosswalk::{parse_min_confidence, Evidence, Mapping};
use crate::text::Lang;
use crate::vocab::Model;

/// A mapping with its evidence, as `/v1/concepts/{id}/mappings` and the concept view show it;
/// the target labelled in Dutch when it has a Dutch label.
#[derive(Serialize)]
struct MappingItem<'a> {
    #[serde(flatten)]
    target: MappingRef,
    evidence: &'a Evidence,
}

pub fn mapping_item(model: &Model, m: &Mapping) -> Value {
    let item = MappingItem {
        target: MappingRef::new(
            model,
            m.object,
            m.relation,
            m.confidence,
            m.source,
            Lang::NL,
        ),
        evidence: &m.evidence,
    };
    serde_json::to_value(item).unwrap_or(Value::Null)
}

pub async fn concept_mappings(
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Json<Value>> {
    let min_confidence = parse_min_confidence(params.get("min_confidence"))?;
    let model = state.engine.model();
    let subject = model.find(&id).ok_or_else(|| {
        ApiError::not_found("unknown_concept", format!("no concept with id {id:?}"))
    })?;
    let own = model.concept(subject).vocab.clone();
    let targets: Vec<String> = match params.get("target").filter(|t| !t.is_empty()) {
        Some(t) => {
            state.engine.check_vocab(t)?;
            vec![t.to_string()]
        }
        None => model
            .vocabularies
            .iter()
            .map(|v| v.id.clone())
            .filter(|v| *v != own)
            .collect(),
    };
    let crosswalks = state.crosswalks.clone();
    let items = blocking(move || {
        let mut items = Vec::new();
        for target in &targets {
            for m in crosswalks.concept_mappings(subject, target)?.iter() {
                if m.confidence >= min_confidence {
                    items.push(mapping_item(crosswalks.model(), m));
                }
            }
        }
        Ok(items)
    })
    .await?;
    Ok(Json(json!({ "items": items })))
}

pub async fn crosswalk(
    State(state): State<AppState>,
    Path((from, to)): Path<(String, String)>,
    params: Params,
) -> ApiResult<Response> {
    let format = Format::parse(params.get("format").unwrap_or(""))?;
    let kinds = params.kinds()?;
    let min_confidence = parse_min_confidence(params.get("min_confidence"))?;
    state.engine.check_vocab(&from)?;
    state.engine.check_vocab(&to)?;
    let crosswalks = state.crosswalks.clone();
    let body = blocking(move || {
        let mut mappings = crosswalks.crosswalk(&from, &to, &kinds)?;
        mappings.retain(|m| m.confidence >= min_confidence);
        Ok(sssom::document(
            crosswalks.model(),
            &from,
            &to,
            &mappings,
            format,
        ))
    })
    .await?;
    let content_type = match format {
        Format::Json => "application/json",
        Format::Sssom => "text/tab-separated-values; charset=utf-8",
    };
    Ok(([(header::CONTENT_TYPE, content_type)], body).into_response())
}
