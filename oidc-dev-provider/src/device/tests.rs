use super::*;

#[tokio::test]
async fn the_pages_escape_what_they_show() {
    let response = pages::enter_code(Some("<b>"), "\"><x");
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    let html = String::from_utf8(body.to_vec()).unwrap();
    assert!(!html.contains("<b>"), "{html}");
    assert!(html.contains("&quot;&gt;&lt;x"), "{html}");
    assert!(html.contains(r#"id="device-form""#));
}
