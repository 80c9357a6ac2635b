//! Extractors that turn every malformed request into the API's own error format.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use percent_encoding::percent_decode_str;
use serde::de::DeserializeOwned;

use super::error::ApiError;
use crate::search::MAX_LIMIT;
use crate::text::Lang;
use crate::vocab::Kind;

/// Query-string parameters, percent-decoded and checked to be UTF-8.
///
/// axum's `Query` would replace invalid UTF-8 with U+FFFD and search for that; a client that
/// sends bytes that are not UTF-8 gets a 400 instead.
#[derive(Debug, Default)]
pub struct Params(Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Params::parse(parts.uri.query().unwrap_or(""))
    }
}

impl Params {
    pub fn parse(query: &str) -> Result<Params, ApiError> {
        let mut out = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            out.push((decode(k)?, decode(v)?));
        }
        Ok(Params(out))
    }

    /// The last value of a parameter.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a repeated or comma-separated parameter.
    pub fn list(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect()
    }

    pub fn lang(&self) -> Result<Option<Lang>, ApiError> {
        match self.get("lang").filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(s) => Lang::parse(s).map(Some).ok_or_else(|| {
                ApiError::bad_request(
                    "unknown_lang",
                    format!("lang {s:?} is not an ISO 639-1 code such as nl or en"),
                )
            }),
        }
    }

    pub fn kinds(&self) -> Result<Vec<Kind>, ApiError> {
        self.list("kind").iter().map(|k| parse_kind(k)).collect()
    }

    /// A non-negative integer parameter, with its default.
    pub fn number(&self, name: &str, default: usize) -> Result<usize, ApiError> {
        match self.get(name).filter(|s| !s.is_empty()) {
            None => Ok(default),
            Some(s) => s.parse().map_err(|_| {
                let code = if name == "limit" {
                    "invalid_limit"
                } else {
                    "invalid_parameter"
                };
                ApiError::bad_request(code, format!("{name} must be a whole number, got {s:?}"))
            }),
        }
    }

    pub fn limit(&self, default: usize) -> Result<usize, ApiError> {
        let limit = self.number("limit", default)?;
        if (1..=MAX_LIMIT).contains(&limit) {
            Ok(limit)
        } else {
            Err(ApiError::bad_request(
                "invalid_limit",
                format!("limit must be between 1 and {MAX_LIMIT}"),
            ))
        }
    }
}

/// A `kind` parameter; the error lists the kinds there are.
pub fn parse_kind(kind: &str) -> Result<Kind, ApiError> {
    Kind::parse(kind).ok_or_else(|| {
        ApiError::bad_request(
            "unknown_kind",
            format!(
                "unknown kind {kind:?}; allowed: {}",
                Kind::ALL.map(Kind::as_str).join(", ")
            ),
        )
    })
}

fn decode(raw: &str) -> Result<String, ApiError> {
    let spaced = raw.replace('+', " ");
    percent_decode_str(&spaced)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| ApiError::bad_request("invalid_utf8", "the query string is not valid UTF-8"))
}

/// The fields of a JSON object body, checked against the names a call accepts; each accessor
/// answers a wrongly typed field with a 400 naming it.
pub struct BodyFields<'a>(&'a serde_json::Map<String, serde_json::Value>);

impl<'a> BodyFields<'a> {
    pub fn new(body: &'a serde_json::Value, allowed: &[&str]) -> Result<Self, ApiError> {
        let object = body.as_object().ok_or_else(|| {
            ApiError::bad_request("invalid_body", "the body must be a JSON object")
        })?;
        if let Some(key) = object.keys().find(|key| !allowed.contains(&key.as_str())) {
            return Err(ApiError::bad_request(
                "invalid_body",
                format!("unknown field `{key}`; allowed: {}", allowed.join(", ")),
            ));
        }
        Ok(BodyFields(object))
    }

    /// The field's value; `null` counts as absent.
    pub fn get(&self, name: &str) -> Option<&'a serde_json::Value> {
        self.0.get(name).filter(|v| !v.is_null())
    }

    pub fn text(&self, name: &str) -> Result<Option<&'a str>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(serde_json::Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(ApiError::bad_request(
                "invalid_body",
                format!("{name} must be a string"),
            )),
        }
    }

    pub fn texts(&self, name: &str) -> Result<Vec<String>, ApiError> {
        let wrong =
            || ApiError::bad_request("invalid_body", format!("{name} must be a list of strings"));
        match self.get(name) {
            None => Ok(Vec::new()),
            Some(serde_json::Value::Array(items)) => items
                .iter()
                .map(|item| item.as_str().map(String::from).ok_or_else(wrong))
                .collect(),
            Some(_) => Err(wrong()),
        }
    }
}

/// A JSON body whose rejections (malformed JSON, wrong content type, too large) use our errors.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(JsonBody(v)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    let status = rejection.status();
    let message = rejection.body_text();
    match rejection {
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the body as Content-Type: application/json",
        ),
        JsonRejection::JsonDataError(_) => ApiError::bad_request("invalid_body", message),
        JsonRejection::JsonSyntaxError(_) => ApiError::bad_request("malformed_json", message),
        _ if status == StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "the body is larger than 1 MiB",
        ),
        _ if message.contains("UTF-8") || message.contains("utf-8") => {
            ApiError::bad_request("invalid_utf8", "the body is not valid UTF-8")
        }
        _ => ApiError::new(status, "invalid_body", message),
    }
}
