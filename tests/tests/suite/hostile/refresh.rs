//! Refresh (RFC 6749 section 6, OpenID Connect Core 12.2): the refreshed ID
//! token must be verified like the first, and be about the same login:
//! same `iss`, `sub`, `aud`, `azp`, and `auth_time` if present.

use super::harness::{CLIENT_ID, Env};
use oidc_core::{Authenticated, IdTokenError, Login, TokenError};
use oidc_core::{ClaimsError, JwsError};
use oidc_dev_provider::{Edit, Endpoint, Fault, HttpFault, Signing};
use serde_json::json;

/// A signed-in user, then `fault` for the refresh, which must fail; no
/// request but the token request (and JWKS) may be made.
async fn refresh_attack(
    what: &str,
    env: &Env,
    login: &Login<Authenticated>,
    fault: Fault,
) -> TokenError {
    env.inject(fault);
    env.clear();
    let error = match env
        .client
        .refresh(login.tokens(), login.id_token_claims())
        .await
    {
        Ok(_) => panic!("{what}: the refresh was accepted"),
        Err(error) => error,
    };
    env.assert_stopped_after_token(what);
    error
}

async fn refreshed_id_token_error(what: &str, edit: Edit) -> IdTokenError {
    let env = Env::new().await;
    let login = env.login().await;
    match refresh_attack(what, &env, &login, Fault::id_claim(edit)).await {
        TokenError::IdToken(e) => e,
        other => panic!("{what}: {other:?}"),
    }
}

#[tokio::test]
async fn a_good_refresh_is_accepted() {
    let env = Env::new().await;
    let login = env.login().await;
    let refreshed = env
        .client
        .refresh(login.tokens(), login.id_token_claims())
        .await
        .expect("refresh");
    assert_eq!(refreshed.id_token.sub, login.sub());
}

#[tokio::test]
async fn refreshed_iss_changes() {
    let e = refreshed_id_token_error("iss", Edit::set("iss", "https://evil.example")).await;
    assert!(
        matches!(e, IdTokenError::Claims(ClaimsError::WrongIssuer { .. })),
        "{e:?}"
    );
}

#[tokio::test]
async fn refreshed_sub_changes() {
    let e = refreshed_id_token_error("sub", Edit::set("sub", "someone-else")).await;
    assert_eq!(e, IdTokenError::RefreshChanged("sub"));
}

#[tokio::test]
async fn refreshed_aud_changes_to_another_client() {
    let e = refreshed_id_token_error("aud", Edit::set("aud", "another-client")).await;
    assert_eq!(e, IdTokenError::WrongAudience);
}

#[tokio::test]
async fn refreshed_aud_gains_a_trusted_audience() {
    // Passes the audience checks on its own; differs from the original.
    let env = Env::with(|c| c.trusted_audiences(["api"])).await;
    let login = env.login().await;
    env.inject(Fault::id_claim(Edit::set("azp", CLIENT_ID)));
    let e = refresh_attack(
        "aud widened",
        &env,
        &login,
        Fault::id_claim(Edit::set("aud", json!([CLIENT_ID, "api"]))),
    )
    .await;
    assert!(
        matches!(e, TokenError::IdToken(IdTokenError::RefreshChanged("aud"))),
        "{e:?}"
    );
}

#[tokio::test]
async fn refreshed_auth_time_changes() {
    let e = refreshed_id_token_error("auth_time", Edit::shift("auth_time", -100)).await;
    assert_eq!(e, IdTokenError::RefreshChanged("auth_time"));
}

#[tokio::test]
async fn refreshed_azp_appears() {
    let e = refreshed_id_token_error("azp added", Edit::set("azp", CLIENT_ID)).await;
    assert_eq!(e, IdTokenError::RefreshChanged("azp"));
}

#[tokio::test]
async fn refreshed_azp_disappears() {
    // Found by this suite: an azp present at login and absent on refresh
    // was accepted; OIDC Core 12.2 requires the same azp.
    let env = Env::new().await;
    env.inject(Fault::id_claim(Edit::set("azp", CLIENT_ID)).once());
    let login = env.login().await;
    assert_eq!(login.id_token_claims().azp.as_deref(), Some(CLIENT_ID));
    let e = refresh_attack(
        "azp removed",
        &env,
        &login,
        Fault::id_claim(Edit::remove("azp")),
    )
    .await;
    assert!(
        matches!(e, TokenError::IdToken(IdTokenError::RefreshChanged("azp"))),
        "{e:?}"
    );
}

#[tokio::test]
async fn refreshed_token_with_a_new_nonce() {
    let e = refreshed_id_token_error("nonce", Edit::set("nonce", "fresh-nonce")).await;
    assert_eq!(e, IdTokenError::UnexpectedNonce);
}

#[tokio::test]
async fn refreshed_token_expired() {
    let e = refreshed_id_token_error("exp", Edit::shift("exp", -7200)).await;
    assert!(
        matches!(e, IdTokenError::Claims(ClaimsError::Expired { .. })),
        "{e:?}"
    );
}

#[tokio::test]
async fn refreshed_token_unsigned() {
    let env = Env::new().await;
    let login = env.login().await;
    let e = refresh_attack(
        "none",
        &env,
        &login,
        Fault::id_signing(Signing::Unsigned { alg: "none".into() }),
    )
    .await;
    assert!(
        matches!(&e, TokenError::IdToken(IdTokenError::Jws(JwsError::AlgorithmNotAllowed(a))) if a == "none"),
        "{e:?}"
    );
}

#[tokio::test]
async fn refreshed_access_token_swapped() {
    let env = Env::new().await;
    let login = env.login().await;
    let e = refresh_attack(
        "at_hash",
        &env,
        &login,
        Fault::token_response(Edit::set("access_token", "swapped")),
    )
    .await;
    assert!(
        matches!(
            e,
            TokenError::IdToken(IdTokenError::AccessTokenHashMismatch)
        ),
        "{e:?}"
    );
}

#[tokio::test]
async fn refresh_rejected_by_the_provider() {
    let env = Env::new().await;
    let login = env.login().await;
    let e = refresh_attack(
        "invalid_grant",
        &env,
        &login,
        Fault::http(
            Endpoint::Token,
            HttpFault::OAuthError {
                status: 400,
                error: "invalid_grant".into(),
                description: None,
            },
        ),
    )
    .await;
    assert!(
        matches!(&e, TokenError::Provider { error, .. } if error == "invalid_grant"),
        "{e:?}"
    );
}

#[tokio::test]
async fn refreshed_inline_userinfo_of_another_user() {
    let env = Env::guide().await;
    let login = env.login().await;
    let e = refresh_attack(
        "inline sub",
        &env,
        &login,
        Fault::token_response(Edit::set("/userinfo/sub", "someone-else")),
    )
    .await;
    assert!(matches!(e, TokenError::SubjectMismatch { .. }), "{e:?}");
}
