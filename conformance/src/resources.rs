//! The resources of the `resources-*` scenarios.

use fastmcp::prelude::*;
use serde::Serialize;

use crate::media;

/// A static text resource.
#[resource("test://static-text", name = "static-text", mime_type = "text/plain")]
async fn static_text() -> &'static str {
    "This is the content of the static text resource."
}

/// A static binary resource: a 1x1 red PNG.
#[resource(
    "test://static-binary",
    name = "static-binary",
    mime_type = "image/png"
)]
async fn static_binary() -> Vec<u8> {
    media::png()
}

/// What the template resource holds.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TemplateData {
    id: String,
    template_test: bool,
    data: String,
}

/// Data for an ID, from a URI template.
#[resource(
    "test://template/{id}/data",
    name = "template-data",
    mime_type = "application/json"
)]
async fn template_data(id: String) -> Json<TemplateData> {
    Json(TemplateData {
        data: format!("Data for ID: {id}"),
        id,
        template_test: true,
    })
}

/// A resource clients may subscribe to.
#[resource(
    "test://watched-resource",
    name = "watched-resource",
    mime_type = "text/plain"
)]
async fn watched_resource() -> &'static str {
    "Watched resource content"
}

/// Register the resources of this module.
pub fn register(server: Server) -> Server {
    server
        .resource(static_text)
        .resource(static_binary)
        .resource(template_data)
        .resource(watched_resource)
}
