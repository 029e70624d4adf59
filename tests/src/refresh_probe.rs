//! The probe route of the refresh tests: what `SignedIn` handed the handler.

use oidc_core::web::SignedIn;

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
