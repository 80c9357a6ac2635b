//! `GET /v1/suggest` and `GET /v1/search`.

use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use super::extract::Params;
use super::views::SuggestItem;
use super::{blocking, ApiResult, AppState};
use crate::search::{SearchRequest, DEFAULT_LIMIT};

fn request(params: &Params, engine: &crate::search::Engine) -> ApiResult<SearchRequest> {
    let request = SearchRequest {
        text: params.get("q").unwrap_or("").to_string(),
        lang: params.lang()?,
        vocabs: params.list("vocab"),
        kinds: params.kinds()?,
        limit: params.limit(DEFAULT_LIMIT)?,
        offset: params.number("offset", 0)?,
    };
    engine.validate(&request)?;
    Ok(request)
}

pub async fn suggest(State(state): State<AppState>, params: Params) -> ApiResult<Json<Value>> {
    let request = request(&params, &state.engine)?;
    let engine = state.engine.clone();
    let crosswalks = state.crosswalks.clone();
    let items = blocking(move || {
        let hits = engine.suggest(&request)?;
        let table = crosswalks.hit_mappings();
        Ok(hits
            .iter()
            .map(|h| {
                SuggestItem::new(&engine, h, request.lang, false).with_mappings(
                    engine.model(),
                    table,
                    h,
                )
            })
            .collect::<Vec<_>>())
    })
    .await?;
    Ok(Json(json!({ "items": items })))
}

pub async fn search(State(state): State<AppState>, params: Params) -> ApiResult<Json<Value>> {
    let request = request(&params, &state.engine)?;
    let engine = state.engine.clone();
    let crosswalks = state.crosswalks.clone();
    let body = blocking(move || {
        let results = engine.search(&request)?;
        let table = crosswalks.hit_mappings();
        let items: Vec<SuggestItem> = results
            .hits
            .iter()
            .map(|h| {
                SuggestItem::new(&engine, h, request.lang, true).with_mappings(
                    engine.model(),
                    table,
                    h,
                )
            })
            .collect();
        Ok(json!({
            "total": results.total,
            "offset": request.offset,
            "items": items,
            "facets": {
                "vocab": results.facets.vocab,
                "kind": results.facets.kind.iter().map(|(k, n)| (k.as_str(), *n)).collect::<std::collections::BTreeMap<_, _>>(),
            }
        }))
    })
    .await?;
    Ok(Json(body))
}
