//! A loopback endpoint standing in for a client's back-channel logout URI:
//! it records the `logout_token` of every POST the provider sends, so a test
//! can replay, alter or deliver them itself.

use axum::Router;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::routing::post;
use std::sync::{Arc, Mutex};

/// Starts the endpoint on a free loopback port: its URL (register it as the
/// client's back-channel logout URI) and the tokens received so far.
pub async fn capture_server() -> (String, Arc<Mutex<Vec<String>>>) {
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let store = Arc::clone(&seen);
    let app = Router::new().route(
        "/capture",
        post(move |body: Bytes| {
            let store = Arc::clone(&store);
            async move {
                let token = url::form_urlencoded::parse(&body)
                    .find(|(name, _)| name == "logout_token")
                    .map(|(_, value)| value.into_owned())
                    .unwrap_or_default();
                store.lock().unwrap().push(token);
                StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/capture", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}
