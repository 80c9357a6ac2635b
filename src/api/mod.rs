//! The HTTP API of API.md: one function builds the router; handlers are thin — they extract and
//! validate, run the core in `spawn_blocking` when it is CPU work, and map the result.

mod concepts;
mod crosswalk;
pub mod error;
pub mod extract;
mod incentives;
pub mod matching;
mod offers;
mod search;
pub mod tag;
pub mod views;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Request};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

pub use error::{ApiError, ApiResult};

use crate::crosswalk::Crosswalks;
use crate::incentives::Catalog;
use crate::offers::OfferStore;
use crate::search::Engine;

/// Request bodies over 1 MiB get a 413 (API.md).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// No request holds a worker longer than this; the slowest legitimate call (a full search with
/// facets) takes a few milliseconds.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub engine: Arc<Engine>,
    /// Training offers and provider keys.
    pub offers: Arc<OfferStore>,
    /// The incentive rules, loaded once at start.
    pub incentives: Arc<Catalog>,
    /// Computed and curated mappings between vocabularies, cached per concept.
    pub crosswalks: Arc<Crosswalks>,
}

/// Builds the whole API; tests call it with `oneshot` and no server.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/health", get(concepts::health))
        .route("/v1/vocabularies", get(concepts::vocabularies))
        .route("/v1/suggest", get(search::suggest))
        .route("/v1/search", get(search::search))
        .route("/v1/concepts/{id}", get(concepts::concept))
        .route("/v1/offers", post(offers::create).get(offers::list))
        .route(
            "/v1/offers/{id}",
            get(offers::get).put(offers::replace).delete(offers::delete),
        )
        .route("/v1/incentives", get(incentives::list))
        .route("/v1/eligibility", post(incentives::eligibility))
        .route("/v1/eligibility/compare", post(incentives::compare))
        .route("/v1/tag", post(tag::tag))
        .route("/v1/match", post(matching::match_profile))
        .route(
            "/v1/concepts/{id}/mappings",
            get(crosswalk::concept_mappings),
        )
        .route("/v1/crosswalks/{from}/{to}", get(crosswalk::crosswalk))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(time_limit))
        .layer(CatchPanicLayer::custom(|_| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "internal error",
            )
            .into_response_owned()
        }))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

impl ApiError {
    fn into_response_owned(self) -> Response {
        axum::response::IntoResponse::into_response(self)
    }
}

async fn not_found() -> ApiError {
    ApiError::not_found("not_found", "no such endpoint; see API.md")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "method not allowed on this endpoint",
    )
}

async fn time_limit(request: Request, next: Next) -> Response {
    match tokio::time::timeout(REQUEST_TIMEOUT, next.run(request)).await {
        Ok(response) => response,
        Err(_) => axum::response::IntoResponse::into_response(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            "the request took too long",
        )),
    }
}

/// Runs CPU-bound core work off the async workers.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> crate::Result<T> + Send + 'static,
) -> ApiResult<T> {
    match tokio::task::spawn_blocking(work).await {
        Ok(result) => result.map_err(ApiError::from),
        Err(e) => {
            tracing::error!(error = %e, "blocking task failed");
            Err(ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "internal error",
            ))
        }
    }
}
