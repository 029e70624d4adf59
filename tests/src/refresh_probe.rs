//! The probe route of the refresh tests (what `SignedIn` handed the
//! handler) and the steps those tests share.

use crate::browser::{Browser, Page};
use crate::dev_login::UserAction;
use crate::fixture::{Fixture, USER, sign_in_at};
use oidc_core::web::SignedIn;
use oidc_dev_provider::{Edit, Fault};
use reqwest::StatusCode;

/// How many requests a refresh test fires at one session at once.
pub const PARALLEL: usize = 20;

/// `GET /me`: the access token the handler got, whether it has expired
/// (no leeway), and the refresh token, one per line.
pub async fn me(user: SignedIn) -> String {
    let tokens = user.tokens();
    [
        tokens.access_token.secret(),
        if user.access_token_expired() {
            "expired"
        } else {
            "fresh"
        },
        tokens.refresh_token.as_ref().map_or("", |t| t.secret()),
    ]
    .join("\n")
}

/// Signs the user in through `login_url` with an access token that has
/// expired on arrival (`expires_in: 0`), then forgets the provider's
/// request log, so that every token request counted afterwards is a refresh.
pub async fn sign_in_expiring(
    provider: &Fixture,
    browser: &Browser,
    login_url: &str,
    redirect_uri: &str,
) {
    provider.inject(Fault::token_response(Edit::set("expires_in", 0)).once());
    let arrival = sign_in_at(browser, login_url, redirect_uri, UserAction::SignIn(USER)).await;
    assert_eq!(
        arrival.page.status(),
        StatusCode::SEE_OTHER,
        "{}",
        arrival.page.body()
    );
    provider.clear_requests();
}

/// `GET` every URL at once with the same browser (one session).
pub async fn get_all(browser: &Browser, urls: Vec<String>) -> Vec<Page> {
    let requests: Vec<_> = urls
        .into_iter()
        .map(|url| {
            let browser = browser.clone();
            tokio::spawn(async move { browser.get(url).await.unwrap() })
        })
        .collect();
    let mut pages = Vec::new();
    for request in requests {
        pages.push(request.await.unwrap());
    }
    pages
}

/// Whether the provider's UserInfo endpoint accepts `access_token` (it
/// refuses expired tokens and the tokens of a revoked grant).
pub async fn provider_accepts(provider: &Fixture, access_token: &str) -> bool {
    let url = format!("{}/userinfo", provider.issuer_str().trim_end_matches('/'));
    reqwest::Client::new()
        .get(url)
        .bearer_auth(access_token)
        .send()
        .await
        .unwrap()
        .status()
        == StatusCode::OK
}
