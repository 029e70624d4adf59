//! The comparison app of the whole-login benchmark: the routes of
//! `examples/axum_login` (`GET /login`, the `form_post` callback, `GET /`
//! showing the signed-in user) written the way an axum application on
//! `openidconnect` 4 writes them. Never a dependency of the SDK.
//!
//! Same approach as the SDK's web glue wherever the libraries allow it:
//! the pending login (state, nonce, PKCE verifier) in an AES-256-GCM sealed
//! cookie (axum-extra's `PrivateCookieJar`), the `state` compared in
//! constant time, the code exchanged with `client_secret_post` and the PKCE
//! verifier, the ID token verified (signature, `iss`, `aud`, `exp`,
//! `nonce`, and `at_hash` when present), the UserInfo endpoint called with
//! the access token and its `sub` checked, and the user and tokens kept in
//! a tower-sessions in-memory session. The back-channel HTTP client is the
//! same `reqwest` 0.13 (rustls) client the SDK uses, with redirects off and
//! a timeout, so the two apps differ in the OpenID Connect library only.
//!
//! What `openidconnect` does not check, and this app does not add either:
//! the RFC 9207 `iss` authorization response parameter, `iat` age, the
//! `Sec-Fetch` and pending-login caps of the SDK's glue. BENCHMARKS.md says
//! so next to the numbers.
//!
//! Configured like `axum_login`: `OIDC_ISSUER`, `OIDC_CLIENT_ID`,
//! `OIDC_CLIENT_SECRET`, `OIDC_REDIRECT_URI` (its path is the callback
//! route), `APP_ADDR`. Prints `listening on http://ADDR` when ready.

use axum::Router;
use axum::extract::{Form, FromRef, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::{Key, PrivateCookieJar};
use oidc_benches::comparison_app::{
    Pending, USER_KEY, User, env, exit, fail, home_page, init_logs, redirect_to_provider, serve,
    session_layer, take_pending,
};
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreProviderMetadata, CoreUserInfoClaims,
};
use openidconnect::{
    AccessTokenHash, AuthType, AuthorizationCode, ClientId, ClientSecret, CsrfToken,
    EndpointMaybeSet, EndpointNotSet, EndpointSet, HttpClientError, HttpRequest, HttpResponse,
    IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    TokenResponse,
};
use serde::Deserialize;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use subtle::ConstantTimeEq;
use tower_sessions::Session;

/// The discovered client, with the endpoints discovery sets.
type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// `reqwest` 0.13 as `openidconnect`'s async HTTP client (its own
/// `reqwest` feature is on 0.12): the SDK's HTTP stack, for a fair
/// comparison.
#[derive(Clone)]
struct Http(reqwest::Client);

impl<'c> openidconnect::AsyncHttpClient<'c> for Http {
    type Error = HttpClientError<reqwest::Error>;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, Self::Error>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(async move {
            let response = self
                .0
                .execute(request.try_into().map_err(Box::new)?)
                .await
                .map_err(Box::new)?;
            let mut builder = axum::http::Response::builder().status(response.status());
            for (name, value) in response.headers() {
                builder = builder.header(name, value);
            }
            builder
                .body(response.bytes().await.map_err(Box::new)?.to_vec())
                .map_err(HttpClientError::Http)
        })
    }
}

#[derive(Clone)]
struct App {
    client: Arc<Client>,
    http: Http,
    key: Key,
}

impl FromRef<App> for Key {
    fn from_ref(app: &App) -> Key {
        app.key.clone()
    }
}

#[derive(Deserialize)]
struct CallbackForm {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

async fn login(State(app): State<App>, jar: PrivateCookieJar) -> Response {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state, nonce) = app
        .client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .set_pkce_challenge(challenge)
        .add_extra_param("response_mode", "form_post")
        .url();
    let pending = Pending {
        state: state.secret().clone(),
        nonce: nonce.secret().clone(),
        verifier: verifier.secret().clone(),
    };
    redirect_to_provider(jar, &pending, url.as_str())
}

async fn callback(
    State(app): State<App>,
    jar: PrivateCookieJar,
    session: Session,
    Form(form): Form<CallbackForm>,
) -> Response {
    let Some((pending, jar)) = take_pending(jar) else {
        return fail(StatusCode::BAD_REQUEST, "no pending login");
    };
    if let Some(error) = form.error {
        return fail(StatusCode::BAD_REQUEST, error);
    }
    let (Some(code), Some(state)) = (form.code, form.state) else {
        return fail(StatusCode::BAD_REQUEST, "code or state missing");
    };
    if !bool::from(state.as_bytes().ct_eq(pending.state.as_bytes())) {
        return fail(StatusCode::BAD_REQUEST, "state mismatch");
    }
    let request = match app.client.exchange_code(AuthorizationCode::new(code)) {
        Ok(request) => request,
        Err(e) => return fail(StatusCode::INTERNAL_SERVER_ERROR, e),
    };
    let tokens = match request
        .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier))
        .request_async(&app.http)
        .await
    {
        Ok(tokens) => tokens,
        Err(e) => return fail(StatusCode::BAD_GATEWAY, e),
    };
    let Some(id_token) = tokens.id_token() else {
        return fail(StatusCode::BAD_GATEWAY, "no id_token");
    };
    let verifier = app.client.id_token_verifier();
    let claims = match id_token.claims(&verifier, &Nonce::new(pending.nonce)) {
        Ok(claims) => claims,
        Err(e) => return fail(StatusCode::BAD_GATEWAY, e),
    };
    if let Some(expected) = claims.access_token_hash() {
        let actual = id_token
            .signing_alg()
            .and_then(|alg| Ok((alg, id_token.signing_key(&verifier)?)))
            .map_err(|e| e.to_string())
            .and_then(|(alg, key)| {
                AccessTokenHash::from_token(tokens.access_token(), alg, key)
                    .map_err(|e| e.to_string())
            });
        if actual.as_ref() != Ok(expected) {
            return fail(StatusCode::BAD_GATEWAY, "at_hash mismatch");
        }
    }
    let request = match app.client.user_info(
        tokens.access_token().clone(),
        Some(claims.subject().clone()),
    ) {
        Ok(request) => request,
        Err(e) => return fail(StatusCode::INTERNAL_SERVER_ERROR, e),
    };
    let userinfo: CoreUserInfoClaims = match request.request_async(&app.http).await {
        Ok(userinfo) => userinfo,
        Err(e) => return fail(StatusCode::BAD_GATEWAY, e),
    };
    let user = User {
        sub: claims.subject().to_string(),
        email: userinfo.email().map(|e| e.to_string()),
        access_token: tokens.access_token().secret().clone(),
        refresh_token: tokens.refresh_token().map(|t| t.secret().clone()),
        id_token: Some(id_token.to_string()),
        expires_in: tokens.expires_in().map(|d| d.as_secs()),
    };
    // A new session id at sign-in (session fixation).
    if let Err(e) = session.cycle_id().await {
        return fail(StatusCode::INTERNAL_SERVER_ERROR, e);
    }
    if let Err(e) = session.insert(USER_KEY, user).await {
        return fail(StatusCode::INTERNAL_SERVER_ERROR, e);
    }
    (jar, Redirect::to("/")).into_response()
}

async fn home(session: Session) -> Html<String> {
    let user: Option<User> = session.get(USER_KEY).await.ok().flatten();
    home_page(user.as_ref())
}

async fn run() -> Result<(), String> {
    let issuer = IssuerUrl::new(env("OIDC_ISSUER")?).map_err(|e| e.to_string())?;
    let redirect = RedirectUrl::new(env("OIDC_REDIRECT_URI")?).map_err(|e| e.to_string())?;
    let callback_path = redirect.url().path().to_owned();
    let addr: SocketAddr = std::env::var("APP_ADDR")
        .unwrap_or_else(|_| "127.0.0.1:3001".into())
        .parse()
        .map_err(|e| format!("APP_ADDR: {e}"))?;
    let http = Http(
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| e.to_string())?,
    );
    let metadata = CoreProviderMetadata::discover_async(issuer, &http)
        .await
        .map_err(|e| format!("discovery: {e}"))?;
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(env("OIDC_CLIENT_ID")?),
        Some(ClientSecret::new(env("OIDC_CLIENT_SECRET")?)),
    )
    .set_redirect_uri(redirect)
    .set_auth_type(AuthType::RequestBody);
    let app = App {
        client: Arc::new(client),
        http,
        key: Key::generate(),
    };
    let router = Router::new()
        .route("/", get(home))
        .route("/login", get(login))
        .route(&callback_path, post(callback))
        .layer(session_layer())
        .with_state(app);
    serve(router, addr).await
}

#[tokio::main]
async fn main() -> ExitCode {
    init_logs();
    exit("openidconnect_app", run().await)
}
