//! The authorization endpoint and the sign-in / create-account interaction.
//!
//! `client_id` and `redirect_uri` are validated first: if either is wrong
//! the user sees an error page and is never redirected. Every later error
//! goes back to the client by the requested response mode.
//!
//! A valid request is kept server-side under a random interaction id (a
//! hidden form field), valid for ten minutes, while the user signs in.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::authz_response::{AuthorizationResponse, ResponseMode};
use crate::pages::{self, Notice, PageContext, interaction_url};
use crate::params::{Params, is_form};
use crate::profile::{Profile, is_resource_scope, resource_of};
use crate::state::AppState;
use crate::store::{DevUser, INTERACTION_TTL, Interaction, RecordedAuthorization};
use crate::util::now_secs;

/// Scopes the provider knows; others are ignored (RFC 6749 section 3.3).
const SUPPORTED_SCOPES: [&str; 4] = ["openid", "email", "profile", "offline_access"];

/// Scopes Sign in with Apple knows.
const APPLE_SCOPES: [&str; 3] = ["openid", "email", "name"];

/// Longest accepted display name.
const MAX_NAME_LEN: usize = 200;

/// `GET /authorize`
pub(crate) async fn authorize_get(
    State(state): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
) -> Response {
    let query = query.unwrap_or_default();
    record(&state, query.as_bytes());
    let params = Params::parse(query.as_bytes());
    authorize(&state, &params)
}

/// `POST /authorize` (form-encoded body, OpenID Connect Core 3.1.2.1).
pub(crate) async fn authorize_post(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !is_form(&headers) {
        return pages::error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Invalid request",
            "An authorization request sent by POST must be application/x-www-form-urlencoded.",
        );
    }
    record(&state, &body);
    authorize(&state, &Params::parse(&body))
}

/// Keeps what the client asked for, for tests to assert on.
fn record(state: &AppState, request: &[u8]) {
    state
        .store()
        .record_authorization(RecordedAuthorization::from_form(request));
}

/// The `acr` of a request's ID tokens: the first requested value the
/// provider supports, else its first supported one (`acr_values` is a
/// voluntary claim request: OpenID Connect Core 5.5.1.1); `None` when the
/// request asked for none.
fn choose_acr(requested: Option<&str>, supported: &[String]) -> Option<String> {
    let mut requested = requested?.split_whitespace().peekable();
    requested.peek()?;
    requested
        .find(|value| supported.iter().any(|s| s == value))
        .map(str::to_owned)
        .or_else(|| supported.first().cloned())
}

/// Whether `requested` is a registered redirect URI: equal to one exactly,
/// or, for a registered `http` loopback IP literal (`http://127.0.0.1/cb`,
/// `http://[::1]/cb`), equal but for the port: RFC 8252 section 7.3 says
/// native apps pick a free port at run time and any port must be allowed.
fn redirect_uri_registered(registered: &[String], requested: &str) -> bool {
    if registered.iter().any(|u| u == requested) {
        return true;
    }
    let without_port = |uri: &str| {
        let mut url = url::Url::parse(uri).ok()?;
        let loopback_ip = match url.host() {
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            _ => false,
        };
        if url.scheme() != "http" || !loopback_ip || url.set_port(None).is_err() {
            return None;
        }
        Some(url)
    };
    let Some(requested) = without_port(requested) else {
        return false;
    };
    registered
        .iter()
        .any(|u| without_port(u).is_some_and(|u| u == requested))
}

fn bad_request_page(message: &str) -> Response {
    pages::error(StatusCode::BAD_REQUEST, "Invalid request", message)
}

fn authorize(state: &AppState, params: &Params) -> Response {
    // 1. The client and where to send it back: on any doubt, no redirect.
    if params.is_duplicated("client_id") || params.is_duplicated("redirect_uri") {
        return bad_request_page("client_id and redirect_uri must each be sent once.");
    }
    let Some(client_id) = params.get("client_id") else {
        return bad_request_page("The request has no client_id.");
    };
    let Some(client) = state.client(client_id) else {
        return pages::error(
            StatusCode::BAD_REQUEST,
            "Unknown application",
            &format!(
                "No application with client_id \u{201c}{client_id}\u{201d} is registered with this provider."
            ),
        );
    };
    let Some(redirect_uri) = params.get("redirect_uri") else {
        return bad_request_page("The request has no redirect_uri.");
    };
    if !redirect_uri_registered(&client.redirect_uris, redirect_uri) {
        return pages::error(
            StatusCode::BAD_REQUEST,
            "Invalid redirect URI",
            &format!(
                "The redirect_uri \u{201c}{redirect_uri}\u{201d} is not registered for this application."
            ),
        );
    }

    // 2. From here on, errors go back to the client.
    let client_state = params.get("state");
    let profile = state.profile();
    let Some(mode) = ResponseMode::parse(params.get("response_mode"), profile) else {
        let supported = if profile.supports_fragment() {
            "Unsupported response_mode: use query, fragment or form_post."
        } else {
            "Unsupported response_mode: use query or form_post."
        };
        return AuthorizationResponse::error(
            redirect_uri,
            ResponseMode::Query,
            "invalid_request",
            supported,
            client_state,
            state.response_iss(),
        )
        .into_response();
    };
    let fail = |error: &'static str, description: &str| {
        AuthorizationResponse::error(
            redirect_uri,
            mode,
            error,
            description,
            client_state,
            state.response_iss(),
        )
        .with_faults(state, &client.id)
        .into_response()
    };

    if let Some(name) = params.first_duplicate() {
        return fail(
            "invalid_request",
            &format!("The parameter {name} was sent more than once."),
        );
    }
    if params.get("request").is_some() {
        return fail(
            "request_not_supported",
            "Request objects are not supported.",
        );
    }
    if params.get("request_uri").is_some() {
        return fail("request_uri_not_supported", "request_uri is not supported.");
    }
    match params.get("response_type") {
        None => return fail("invalid_request", "response_type is required (use code)."),
        Some("code") => {}
        Some(_) => {
            return fail(
                "unsupported_response_type",
                "Only the authorization code flow (response_type=code) is supported.",
            );
        }
    }
    let requested: Vec<&str> = params.get("scope").unwrap_or("").split(' ').collect();
    if !requested.contains(&"openid") {
        return fail("invalid_scope", "The scope must include openid.");
    }
    let mut granted: Vec<&str> = Vec::new();
    for scope in requested {
        let known = match profile {
            Profile::Apple => APPLE_SCOPES.contains(&scope),
            // Entra keeps other APIs' scopes: they decide the access
            // token's audience.
            Profile::Entra => SUPPORTED_SCOPES.contains(&scope) || is_resource_scope(scope),
            _ => SUPPORTED_SCOPES.contains(&scope),
        };
        if known && !granted.contains(&scope) {
            granted.push(scope);
        }
    }
    let token_audience = match profile {
        Profile::Entra => {
            let mut resources: Vec<&str> = granted
                .iter()
                .filter(|s| is_resource_scope(s))
                .map(|s| resource_of(s))
                .collect();
            resources.dedup();
            if resources.len() > 1 {
                return fail(
                    "invalid_scope",
                    "The scopes name more than one resource: request one API's scopes at a time.",
                );
            }
            resources.first().map(|r| vec![(*r).to_owned()])
        }
        Profile::Auth0 => params.get("audience").map(|audience| {
            let userinfo = state.paths.userinfo.map(|p| state.endpoint(p));
            std::iter::once(audience.to_owned())
                .chain(userinfo)
                .collect()
        }),
        _ => None,
    };
    if profile == Profile::Apple
        && mode != ResponseMode::FormPost
        && granted.iter().any(|s| *s == "name" || *s == "email")
    {
        return fail(
            "invalid_request",
            "response_mode must be form_post when name or email scope is requested.",
        );
    }

    let code_challenge = match (
        params.get("code_challenge"),
        params.get("code_challenge_method"),
    ) {
        (None, None) if !client.is_confidential() => {
            return fail(
                "invalid_request",
                "PKCE is required for public clients: send code_challenge with code_challenge_method=S256.",
            );
        }
        (None, None) => None,
        (None, Some(_)) => {
            return fail(
                "invalid_request",
                "code_challenge_method was sent without code_challenge.",
            );
        }
        (Some(_), None) => {
            return fail(
                "invalid_request",
                "code_challenge_method is required and must be S256 (plain is not supported).",
            );
        }
        (Some(challenge), Some("S256")) => {
            if !is_s256_challenge(challenge) {
                return fail(
                    "invalid_request",
                    "code_challenge must be the base64url SHA-256 of the verifier (43 characters).",
                );
            }
            Some(challenge.to_owned())
        }
        (Some(_), Some(_)) => {
            return fail(
                "invalid_request",
                "Unsupported code_challenge_method: use S256.",
            );
        }
    };

    let prompts: Vec<&str> = params
        .get("prompt")
        .unwrap_or("")
        .split_whitespace()
        .collect();
    if prompts.contains(&"none") {
        if prompts.len() > 1 {
            return fail(
                "invalid_request",
                "prompt=none cannot be combined with other values.",
            );
        }
        return fail(
            "login_required",
            "The user is not signed in at the provider, so prompt=none cannot be satisfied.",
        );
    }
    let max_age = match params.get("max_age").map(str::parse::<u64>) {
        None => None,
        Some(Ok(age)) => Some(age),
        Some(Err(_)) => return fail("invalid_request", "max_age must be a non-negative integer."),
    };

    let login_hint = params.get("login_hint").map(str::to_owned);
    let interaction = Interaction {
        client_id: client.id.clone(),
        redirect_uri: redirect_uri.to_owned(),
        response_mode: mode,
        state: client_state.map(str::to_owned),
        nonce: params.get("nonce").map(str::to_owned),
        scope: granted.join(" "),
        code_challenge,
        login_hint: login_hint.clone(),
        max_age,
        token_audience,
        acr: choose_acr(params.get("acr_values"), &state.settings.acr_values),
        expires_at: std::time::Instant::now() + INTERACTION_TTL,
        device: None,
    };
    let (id, accounts) = {
        let mut store = state.store();
        (store.insert_interaction(interaction), store.users())
    };
    tracing::debug!(client_id = %client.id, "authorization request accepted");
    let ctx = PageContext {
        interaction: id,
        client_id: client.id,
        accounts,
    };
    let email = login_hint.unwrap_or_default();
    if prompts.contains(&"create") {
        pages::create_account(&ctx, None, &email, "")
    } else {
        pages::sign_in(&ctx, None, &email)
    }
}

/// A PKCE S256 challenge: 43 base64url characters (a SHA-256 digest).
fn is_s256_challenge(challenge: &str) -> bool {
    challenge.len() == 43
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn expired_page() -> Response {
    pages::error(
        StatusCode::BAD_REQUEST,
        "Sign-in expired",
        "This sign-in request has expired or was already completed. Go back to the application and start again.",
    )
}

/// The page context for a pending interaction, or `None` if it has expired.
fn context(state: &AppState, id: &str) -> Option<(PageContext, Interaction)> {
    let store = state.store();
    let interaction = store.interaction(id)?.clone();
    let ctx = PageContext {
        interaction: id.to_owned(),
        client_id: interaction.client_id.clone(),
        accounts: store.users(),
    };
    Some((ctx, interaction))
}

/// `GET /authorize/sign-in?interaction=ID[&email=...]`
pub(crate) async fn sign_in_page(
    State(state): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
) -> Response {
    let params = Params::parse(query.unwrap_or_default().as_bytes());
    let Some((ctx, interaction)) = params.get("interaction").and_then(|id| context(&state, id))
    else {
        return expired_page();
    };
    let email = params
        .get("email")
        .or(interaction.login_hint.as_deref())
        .unwrap_or("");
    pages::sign_in(&ctx, None, email)
}

/// `GET /authorize/create?interaction=ID[&email=...]`
pub(crate) async fn create_page(
    State(state): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
) -> Response {
    let params = Params::parse(query.unwrap_or_default().as_bytes());
    let Some((ctx, interaction)) = params.get("interaction").and_then(|id| context(&state, id))
    else {
        return expired_page();
    };
    let email = params
        .get("email")
        .or(interaction.login_hint.as_deref())
        .unwrap_or("");
    pages::create_account(&ctx, None, email, "")
}

/// `POST /authorize/decision`: fields `interaction`, `action`
/// (`sign_in` | `create` | `cancel`), `email`, `name`.
pub(crate) async fn decision(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !is_form(&headers) {
        return bad_request_page("The form must be sent as application/x-www-form-urlencoded.");
    }
    let params = Params::parse(&body);
    let Some(id) = params.get("interaction") else {
        return bad_request_page("The form has no interaction field.");
    };
    let Some((ctx, interaction)) = context(&state, id) else {
        return expired_page();
    };
    let email = params.get("email").map(str::trim).unwrap_or("");
    match params.get("action").unwrap_or("sign_in") {
        "cancel" if interaction.device.is_some() => crate::device::cancelled(&state, id),
        "cancel" => {
            if state.store().take_interaction(id).is_none() {
                return expired_page();
            }
            tracing::debug!(client_id = %interaction.client_id, "user cancelled the sign-in");
            AuthorizationResponse::error(
                &interaction.redirect_uri,
                interaction.response_mode,
                "access_denied",
                "The user cancelled the sign-in.",
                interaction.state.as_deref(),
                state.response_iss(),
            )
            .with_faults(&state, &interaction.client_id)
            .into_response()
        }
        "sign_in" => {
            if email.is_empty() {
                return pages::sign_in(
                    &ctx,
                    Some(&Notice::new("Enter your email address.")),
                    email,
                );
            }
            let account = state
                .store()
                .account_by_email(email)
                .map(|a| a.user.clone());
            match account {
                Some(user) => complete(&state, id, &user),
                None => {
                    let notice = Notice::new("No account for this email.").with_link(
                        interaction_url("/authorize/create", id, Some(email)),
                        "Create one?",
                    );
                    pages::sign_in(&ctx, Some(&notice), email)
                }
            }
        }
        "create" => {
            let name = params.get("name").map(str::trim).unwrap_or("");
            if !is_plausible_email(email) {
                let notice = Notice::new("Enter a valid email address, like name@example.com.");
                return pages::create_account(&ctx, Some(&notice), email, name);
            }
            if name.chars().count() > MAX_NAME_LEN {
                let notice = Notice::new("That name is too long.");
                return pages::create_account(&ctx, Some(&notice), email, "");
            }
            let name = (!name.is_empty()).then(|| name.to_owned());
            let created = state.store().create_account(email, name);
            match created {
                Ok(user) => {
                    tracing::info!(sub = %user.sub, "account created");
                    complete(&state, id, &user)
                }
                Err(_) => {
                    let notice = Notice::new("An account with this email already exists.")
                        .with_link(
                            interaction_url("/authorize/sign-in", id, Some(email)),
                            "Sign in instead?",
                        );
                    pages::create_account(
                        &ctx,
                        Some(&notice),
                        email,
                        params.get("name").unwrap_or(""),
                    )
                }
            }
        }
        _ => bad_request_page("Unknown action: use sign_in, create or cancel."),
    }
}

/// The user signed in: mint the code and send the user back.
fn complete(state: &AppState, interaction_id: &str, user: &DevUser) -> Response {
    let device = state
        .store()
        .interaction(interaction_id)
        .is_some_and(|i| i.device.is_some());
    if device {
        return crate::device::signed_in(state, interaction_id, user);
    }
    let issued = {
        let mut store = state.store();
        store.take_interaction(interaction_id).map(|interaction| {
            let code =
                store.issue_code(&interaction, &user.sub, now_secs(), state.settings.code_ttl);
            let first = store.first_sign_in(&interaction.client_id, &user.sub);
            (interaction, code, first)
        })
    };
    let Some((interaction, code, first)) = issued else {
        return expired_page();
    };
    tracing::info!(
        client_id = %interaction.client_id,
        sub = %user.sub,
        max_age = ?interaction.max_age,
        "user signed in"
    );
    let mut response = AuthorizationResponse::success(
        &interaction.redirect_uri,
        interaction.response_mode,
        code,
        interaction.state.as_deref(),
        state.response_iss(),
    );
    if state.profile() == Profile::Apple
        && first
        && interaction.response_mode == ResponseMode::FormPost
        && let Some(user) = apple_user(state, &interaction.scope, user)
    {
        response = response.with_param("user", user);
    }
    response
        .with_faults(state, &interaction.client_id)
        .into_response()
}

/// Apple's `user` form field: `{"name":{"firstName":..,"lastName":..},"email":..}`
/// with what the scope asked for (`name`, `email`); `None` if it asked for
/// neither.
fn apple_user(state: &AppState, scope: &str, user: &DevUser) -> Option<String> {
    let scopes: Vec<&str> = scope.split(' ').collect();
    let mut value = serde_json::Map::new();
    if scopes.contains(&"name") {
        let name = state
            .store()
            .account_by_sub(&user.sub)
            .and_then(|a| a.name.clone());
        if let Some(name) = name {
            let (first, last) = name.trim().split_once(' ').unwrap_or((name.trim(), ""));
            value.insert(
                "name".into(),
                serde_json::json!({ "firstName": first, "lastName": last.trim() }),
            );
        }
    }
    if scopes.contains(&"email") {
        value.insert("email".into(), user.email.clone().into());
    }
    (scopes.contains(&"name") || scopes.contains(&"email"))
        .then(|| serde_json::Value::Object(value).to_string())
}

/// A loose email check: something@something, no spaces or control characters.
fn is_plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    email.len() <= 254
        && !local.is_empty()
        && !domain.is_empty()
        && !domain.contains('@')
        && !email
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_check() {
        assert!(is_plausible_email("user@example"));
        assert!(is_plausible_email("a.b+c@example.com"));
        assert!(!is_plausible_email("nope"));
        assert!(!is_plausible_email("@example.com"));
        assert!(!is_plausible_email("a@"));
        assert!(!is_plausible_email("a b@example.com"));
        assert!(!is_plausible_email("a@b@c"));
    }

    #[test]
    fn loopback_redirect_uris_match_any_port() {
        let registered = [
            "http://127.0.0.1/callback".to_owned(),
            "http://[::1]:8400/cb".to_owned(),
            "http://localhost/cb".to_owned(),
            "https://app.example/cb".to_owned(),
        ];
        for ok in [
            "http://127.0.0.1/callback",
            "http://127.0.0.1:51234/callback",
            "http://[::1]:9/cb",
            "http://localhost/cb",
            "https://app.example/cb",
        ] {
            assert!(redirect_uri_registered(&registered, ok), "{ok}");
        }
        for bad in [
            "http://127.0.0.1:51234/other",
            "http://127.0.0.2:51234/callback",
            "http://localhost:3000/cb",
            "https://app.example:8443/cb",
            "https://127.0.0.1:51234/callback",
            "http://127.0.0.1:51234/callback?x=1",
        ] {
            assert!(!redirect_uri_registered(&registered, bad), "{bad}");
        }
    }

    #[test]
    fn acr_is_the_first_requested_supported_value_else_the_first_supported() {
        let supported = ["urn:dev:loa:1".to_owned(), "urn:dev:loa:2".to_owned()];
        let choose = |requested| choose_acr(requested, &supported);
        assert_eq!(choose(None), None);
        assert_eq!(choose(Some("  ")), None);
        assert_eq!(
            choose(Some("urn:x:loa:9 urn:dev:loa:2 urn:dev:loa:1")).as_deref(),
            Some("urn:dev:loa:2")
        );
        assert_eq!(
            choose(Some("urn:x:loa:9")).as_deref(),
            Some("urn:dev:loa:1")
        );
        assert_eq!(choose_acr(Some("urn:dev:loa:1"), &[]), None);
    }

    #[test]
    fn challenge_format() {
        assert!(is_s256_challenge(
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        ));
        assert!(!is_s256_challenge("short"));
        assert!(!is_s256_challenge(
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM"
        ));
    }
}
