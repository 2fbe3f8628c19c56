//! `GET /metrics`: the server's statistics as Prometheus text
//! ([`HttpOptions::metrics`](super::HttpOptions::metrics)).

use std::sync::Arc;

use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;

use super::HttpOptions;
use crate::shared::Shared;

/// The route, when the options ask for one (an empty router otherwise).
pub(super) fn router(shared: &Arc<Shared>, opts: &HttpOptions) -> axum::Router {
    let Some(path) = &opts.metrics_path else {
        return axum::Router::new();
    };
    let stats = shared.stats.clone();
    axum::Router::new().route(
        path,
        get(move || {
            let stats = stats.clone();
            async move {
                match stats {
                    Some(s) => (
                        StatusCode::OK,
                        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
                        s.prometheus(),
                    )
                        .into_response(),
                    None => (
                        StatusCode::NOT_FOUND,
                        "no statistics: install them with Server::stats\n",
                    )
                        .into_response(),
                }
            }
        }),
    )
}
