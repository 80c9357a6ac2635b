//! `POST /v1/tag`, and the JSON shape of a tagging that the CLI prints too.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};

use super::extract::{parse_kind, JsonBody};
use super::views::ConceptRef;
use super::{blocking, ApiError, ApiResult, AppState};
use crate::search::Engine;
use crate::search::MAX_LIMIT;
use crate::tag::{self, TagRequest, Tagging, DEFAULT_LIMIT};
use crate::text::Lang;

/// The request body of API.md.
#[derive(Debug, Deserialize)]
pub struct TagBody {
    pub text: String,
    #[serde(default)]
    pub lang: Option<String>,
    #[serde(default)]
    pub vocab: Vec<String>,
    #[serde(default)]
    pub kind: Vec<String>,
    /// Signed, so that a negative limit gets the limit's own error rather than a type error.
    #[serde(default)]
    pub limit: Option<i64>,
}

impl TagBody {
    /// Checks the fields that need no index and builds the core request.
    pub fn into_request(self, engine: &Engine) -> ApiResult<TagRequest> {
        let lang = match self.lang.as_deref().filter(|l| !l.is_empty()) {
            None => None,
            Some(code) => Some(Lang::parse(code).ok_or_else(|| {
                let allowed: Vec<String> = engine
                    .model()
                    .languages()
                    .iter()
                    .map(Lang::to_string)
                    .collect();
                ApiError::bad_request(
                    "unknown_lang",
                    format!("unknown lang {code:?}; allowed: {}", allowed.join(", ")),
                )
            })?),
        };
        let limit = match self.limit {
            None => DEFAULT_LIMIT,
            Some(n) if (1..=MAX_LIMIT as i64).contains(&n) => n as usize,
            Some(_) => {
                return Err(ApiError::bad_request(
                    "invalid_limit",
                    format!("limit must be between 1 and {MAX_LIMIT}"),
                ))
            }
        };
        let mut request = TagRequest::new(self.text);
        request.lang = lang;
        request.vocabs = self.vocab;
        request.kinds = self
            .kind
            .iter()
            .map(|k| parse_kind(k))
            .collect::<ApiResult<_>>()?;
        request.limit = limit;
        engine.validate_tag(&request)?;
        Ok(request)
    }
}

#[derive(Debug, Serialize)]
pub struct TagResponse {
    pub lang: Lang,
    pub items: Vec<TagItem>,
}

#[derive(Debug, Serialize)]
pub struct TagItem {
    #[serde(flatten)]
    pub concept: ConceptRef,
    #[serde(serialize_with = "crate::json::three_decimals")]
    pub score: f32,
    pub spans: Vec<SpanView>,
}

/// A span with the text it quotes: exactly the chars between `start` and `end`.
#[derive(Debug, Serialize)]
pub struct SpanView {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

impl TagResponse {
    /// Labels come in the language the text was read in.
    pub fn new(engine: &Engine, text: &str, tagging: &Tagging) -> TagResponse {
        let chars: Vec<char> = text.chars().collect();
        TagResponse {
            lang: tagging.lang,
            items: tagging
                .tags
                .iter()
                .map(|t| TagItem {
                    concept: ConceptRef::new(engine, t.concept, Some(tagging.lang)),
                    score: t.score,
                    spans: t
                        .spans
                        .iter()
                        .map(|s| SpanView {
                            start: s.start,
                            end: s.end,
                            text: tag::quote(&chars, *s),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

pub async fn tag(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<TagBody>,
) -> ApiResult<Json<TagResponse>> {
    let request = body.into_request(&state.engine)?;
    let engine = state.engine.clone();
    let response = blocking(move || {
        let tagging = engine.tag(&request)?;
        Ok(TagResponse::new(&engine, &request.text, &tagging))
    })
    .await?;
    Ok(Json(response))
}
