//! The pages the glue itself answers with: errors.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use html_escape::encode_text;

/// An error page: the status, a title and the error's message (escaped).
pub(crate) fn error_page(status: StatusCode, title: &str, detail: &str) -> Response {
    let body = format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body{{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;background:#f5f6f8;color:#1d2330;display:flex;min-height:100vh;align-items:center;justify-content:center;margin:0}}
main{{background:#fff;border-radius:12px;box-shadow:0 4px 24px rgba(0,0,0,.08);padding:2rem 2.5rem;max-width:32rem}}
h1{{font-size:1.3rem;margin:0 0 .75rem}} p{{line-height:1.5}} code{{background:#f0f1f4;padding:.1rem .3rem;border-radius:4px}}
a{{color:#3056d3}}
</style></head>
<body><main><h1>{title}</h1><p class="error" id="error">{detail}</p><p><a href="/">Back to the start page</a></p></main></body></html>"#,
        title = encode_text(title),
        detail = encode_text(detail),
    );
    (status, Html(body)).into_response()
}
