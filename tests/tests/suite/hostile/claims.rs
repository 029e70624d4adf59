//! ID token claims (OpenID Connect Core 1.0 section 3.1.3.7): each claim
//! altered, removed or given the wrong type.

use super::harness::{CLIENT_ID, Env, id_token_attack, now};
use oidc_core::ClaimsError;
use oidc_core::{IdTokenError, TokenError};
use oidc_dev_provider::{Edit, Fault};
use serde_json::json;
use std::time::Duration;

fn claim(edit: Edit) -> Fault {
    Fault::id_claim(edit)
}

fn invalid(error: &IdTokenError, claim: &str) -> bool {
    matches!(error, IdTokenError::Claims(ClaimsError::Invalid(m)) if m.contains(&format!("`{claim}`")))
}

#[tokio::test]
async fn happy_path_calls_userinfo() {
    // The control for every "no UserInfo request" assertion of this suite.
    let env = Env::new().await;
    let login = env.code_received().await;
    env.clear();
    let login = login.exchange().await.expect("a good login is accepted");
    assert_eq!(login.email(), Some("alice@example.com"));
    assert_eq!(env.count("/userinfo"), 1, "{:?}", env.requests());
}

// ---- iss -----------------------------------------------------------------

#[tokio::test]
async fn iss_of_another_provider() {
    let e = id_token_attack("iss", claim(Edit::set("iss", "https://evil.example"))).await;
    assert!(
        matches!(&e, IdTokenError::Claims(ClaimsError::WrongIssuer { found, .. }) if found == "https://evil.example"),
        "{e:?}"
    );
}

#[tokio::test]
async fn iss_with_a_trailing_slash() {
    let env = Env::new().await;
    let issuer = format!("{}/", env.provider.issuer_str());
    env.inject(claim(Edit::set("iss", issuer.clone())));
    let e = env.id_token_error("iss/").await;
    assert_eq!(
        e,
        IdTokenError::Claims(ClaimsError::WrongIssuer {
            expected: env.provider.issuer_str().to_owned(),
            found: issuer
        })
    );
}

#[tokio::test]
async fn iss_in_upper_case() {
    let env = Env::new().await;
    let issuer = env.provider.issuer_str().to_uppercase();
    env.inject(claim(Edit::set("iss", issuer)));
    let e = env.id_token_error("ISS").await;
    assert!(
        matches!(e, IdTokenError::Claims(ClaimsError::WrongIssuer { .. })),
        "{e:?}"
    );
}

#[tokio::test]
async fn iss_missing() {
    let e = id_token_attack("no iss", claim(Edit::remove("iss"))).await;
    assert_eq!(e, IdTokenError::Claims(ClaimsError::Missing("iss")));
}

#[tokio::test]
async fn iss_not_a_string() {
    let e = id_token_attack("iss: 1", claim(Edit::set("iss", 1))).await;
    assert!(invalid(&e, "iss"), "{e:?}");
}

#[tokio::test]
async fn iss_an_array_holding_the_issuer() {
    let env = Env::new().await;
    env.inject(claim(Edit::set("iss", json!([env.provider.issuer_str()]))));
    let e = env.id_token_error("iss: [issuer]").await;
    assert!(invalid(&e, "iss"), "{e:?}");
}

// ---- sub -----------------------------------------------------------------

#[tokio::test]
async fn sub_missing() {
    let e = id_token_attack("no sub", claim(Edit::remove("sub"))).await;
    assert_eq!(e, IdTokenError::Claims(ClaimsError::Missing("sub")));
}

#[tokio::test]
async fn sub_not_a_string() {
    let e = id_token_attack("sub: 42", claim(Edit::set("sub", 42))).await;
    assert!(invalid(&e, "sub"), "{e:?}");
}

#[tokio::test]
async fn sub_empty() {
    let e = id_token_attack("sub: ''", claim(Edit::set("sub", ""))).await;
    assert!(invalid(&e, "sub"), "{e:?}");
}

#[tokio::test]
async fn sub_longer_than_255_characters() {
    let e = id_token_attack("sub: 256 chars", claim(Edit::set("sub", "s".repeat(256)))).await;
    assert!(invalid(&e, "sub"), "{e:?}");
}

#[tokio::test]
async fn sub_of_another_user_is_caught_by_userinfo() {
    // Signed by the provider, so the ID token itself verifies; the UserInfo
    // response names the real user, and OIDC Core 5.3.2 forbids using it.
    let env = Env::new().await;
    env.inject(claim(Edit::set("sub", "someone-else")));
    let login = env.code_received().await;
    env.clear();
    let error = login.exchange().await.expect_err("sub mismatch");
    assert!(
        matches!(&error, TokenError::SubjectMismatch { expected, source_name, .. }
            if expected == "someone-else" && source_name.contains("UserInfo")),
        "{error:?}"
    );
    assert_eq!(
        env.requests(),
        ["POST /token", "GET /jwks", "GET /userinfo"]
    );
}

#[tokio::test]
async fn sub_of_another_user_is_caught_by_inline_userinfo() {
    let env = Env::guide().await;
    env.inject(claim(Edit::set("sub", "someone-else")));
    let error = env.exchange_error("sub vs inline userinfo").await;
    assert!(
        matches!(&error, TokenError::SubjectMismatch { source_name, .. } if source_name.contains("token response")),
        "{error:?}"
    );
}

// ---- aud and azp -----------------------------------------------------------

#[tokio::test]
async fn aud_another_client() {
    let e = id_token_attack("aud", claim(Edit::set("aud", "another-client"))).await;
    assert_eq!(e, IdTokenError::WrongAudience);
}

#[tokio::test]
async fn aud_differs_in_case() {
    let e = id_token_attack(
        "aud case",
        claim(Edit::set("aud", CLIENT_ID.to_uppercase())),
    )
    .await;
    assert_eq!(e, IdTokenError::WrongAudience);
}

#[tokio::test]
async fn aud_missing() {
    let e = id_token_attack("no aud", claim(Edit::remove("aud"))).await;
    assert_eq!(e, IdTokenError::Claims(ClaimsError::Missing("aud")));
}

#[tokio::test]
async fn aud_not_a_string() {
    let e = id_token_attack("aud: 7", claim(Edit::set("aud", 7))).await;
    assert!(invalid(&e, "aud"), "{e:?}");
}

#[tokio::test]
async fn aud_an_empty_array() {
    let e = id_token_attack("aud: []", claim(Edit::set("aud", json!([])))).await;
    assert!(invalid(&e, "aud"), "{e:?}");
}

#[tokio::test]
async fn aud_array_with_a_non_string() {
    let e = id_token_attack(
        "aud: [id, 1]",
        claim(Edit::set("aud", json!([CLIENT_ID, 1]))),
    )
    .await;
    assert!(invalid(&e, "aud"), "{e:?}");
}

#[tokio::test]
async fn aud_array_without_this_client() {
    let e = id_token_attack("aud: [a, b]", claim(Edit::set("aud", json!(["a", "b"])))).await;
    assert_eq!(e, IdTokenError::WrongAudience);
}

#[tokio::test]
async fn aud_with_an_untrusted_extra_audience() {
    let env = Env::new().await;
    env.inject(claim(Edit::set("aud", json!([CLIENT_ID, "other-rp"]))));
    env.inject(claim(Edit::set("azp", CLIENT_ID)));
    let e = env.id_token_error("extra audience").await;
    assert_eq!(e, IdTokenError::UntrustedAudience("other-rp".into()));
}

#[tokio::test]
async fn aud_with_an_untrusted_extra_audience_and_no_azp() {
    let e = id_token_attack(
        "extra audience, no azp",
        claim(Edit::set("aud", json!([CLIENT_ID, "other-rp"]))),
    )
    .await;
    assert_eq!(e, IdTokenError::UntrustedAudience("other-rp".into()));
}

#[tokio::test]
async fn several_trusted_audiences_need_azp() {
    let env = Env::with(|c| c.trusted_audiences(["api"])).await;
    env.inject(claim(Edit::set("aud", json!([CLIENT_ID, "api"]))));
    let e = env.id_token_error("several audiences, no azp").await;
    assert_eq!(e, IdTokenError::WrongAuthorizedParty);
}

#[tokio::test]
async fn several_trusted_audiences_with_azp_of_another_party() {
    let env = Env::with(|c| c.trusted_audiences(["api"])).await;
    env.inject(claim(Edit::set("aud", json!([CLIENT_ID, "api"]))));
    env.inject(claim(Edit::set("azp", "api")));
    let e = env.id_token_error("azp: api").await;
    assert_eq!(e, IdTokenError::WrongAuthorizedParty);
}

#[tokio::test]
async fn several_trusted_audiences_with_azp_of_this_client_are_accepted() {
    let env = Env::with(|c| c.trusted_audiences(["api"])).await;
    env.inject(claim(Edit::set("aud", json!([CLIENT_ID, "api"]))));
    env.inject(claim(Edit::set("azp", CLIENT_ID)));
    let login = env.login().await;
    assert_eq!(login.id_token_claims().aud, [CLIENT_ID, "api"]);
}

#[tokio::test]
async fn azp_of_another_party_with_one_audience() {
    let e = id_token_attack("azp", claim(Edit::set("azp", "another-client"))).await;
    assert_eq!(e, IdTokenError::WrongAuthorizedParty);
}

#[tokio::test]
async fn azp_not_a_string() {
    let e = id_token_attack("azp: true", claim(Edit::set("azp", true))).await;
    assert!(invalid(&e, "azp"), "{e:?}");
}

// ---- exp, iat, nbf -----------------------------------------------------------

#[tokio::test]
async fn exp_in_the_past() {
    let e = id_token_attack("exp -1h", claim(Edit::set("exp", now() - 3600))).await;
    assert!(
        matches!(
            e,
            IdTokenError::Claims(ClaimsError::Expired {
                tolerance_secs: 60,
                ..
            })
        ),
        "{e:?}"
    );
}

#[tokio::test]
async fn exp_just_beyond_the_clock_tolerance() {
    let e = id_token_attack("exp -61s", claim(Edit::set("exp", now() - 61))).await;
    assert!(
        matches!(e, IdTokenError::Claims(ClaimsError::Expired { .. })),
        "{e:?}"
    );
}

#[tokio::test]
async fn exp_within_the_clock_tolerance_is_accepted() {
    let env = Env::new().await;
    env.inject(claim(Edit::set("exp", now() - 20)));
    env.assert_login_succeeds().await;
}

#[tokio::test]
async fn exp_zero() {
    let e = id_token_attack("exp 0", claim(Edit::set("exp", 0))).await;
    assert!(
        matches!(e, IdTokenError::Claims(ClaimsError::Expired { exp: 0, .. })),
        "{e:?}"
    );
}

#[tokio::test]
async fn exp_negative() {
    let e = id_token_attack("exp -1", claim(Edit::set("exp", -1))).await;
    assert!(
        matches!(
            e,
            IdTokenError::Claims(ClaimsError::Expired { exp: -1, .. })
        ),
        "{e:?}"
    );
}

#[tokio::test]
async fn exp_missing() {
    let e = id_token_attack("no exp", claim(Edit::remove("exp"))).await;
    assert_eq!(e, IdTokenError::Claims(ClaimsError::Missing("exp")));
}

#[tokio::test]
async fn exp_a_string() {
    let e = id_token_attack("exp: string", claim(Edit::set("exp", "4102444800"))).await;
    assert!(invalid(&e, "exp"), "{e:?}");
}

#[tokio::test]
async fn exp_null() {
    let e = id_token_attack("exp: null", claim(Edit::set("exp", json!(null)))).await;
    assert!(invalid(&e, "exp"), "{e:?}");
}

#[tokio::test]
async fn exp_out_of_range() {
    let e = id_token_attack("exp: 1e300", claim(Edit::set("exp", json!(1e300)))).await;
    assert!(invalid(&e, "exp"), "{e:?}");
}

#[tokio::test]
async fn exp_beyond_i64() {
    let e = id_token_attack("exp: u64::MAX", claim(Edit::set("exp", json!(u64::MAX)))).await;
    assert!(invalid(&e, "exp"), "{e:?}");
}

#[tokio::test]
async fn iat_in_the_future() {
    let e = id_token_attack("iat +1h", claim(Edit::shift("iat", 3600))).await;
    assert!(
        matches!(e, IdTokenError::Claims(ClaimsError::IssuedInFuture { .. })),
        "{e:?}"
    );
}

#[tokio::test]
async fn iat_just_beyond_the_clock_tolerance() {
    let e = id_token_attack("iat +2min", claim(Edit::shift("iat", 120))).await;
    assert!(
        matches!(e, IdTokenError::Claims(ClaimsError::IssuedInFuture { .. })),
        "{e:?}"
    );
}

#[tokio::test]
async fn iat_too_old() {
    // Still unexpired: only the maximum ID token age (10 minutes) catches it.
    let e = id_token_attack("iat -1h", claim(Edit::shift("iat", -3600))).await;
    assert!(
        matches!(
            e,
            IdTokenError::Claims(ClaimsError::TooOld {
                max_age_secs: 600,
                ..
            })
        ),
        "{e:?}"
    );
}

#[tokio::test]
async fn iat_older_than_a_configured_maximum_age() {
    let env = Env::with(|c| c.max_id_token_age(Duration::from_secs(30))).await;
    env.inject(claim(Edit::shift("iat", -120)));
    let e = env.id_token_error("iat -2min, max 30s").await;
    assert!(
        matches!(
            e,
            IdTokenError::Claims(ClaimsError::TooOld {
                max_age_secs: 30,
                ..
            })
        ),
        "{e:?}"
    );
}

#[tokio::test]
async fn iat_missing() {
    let e = id_token_attack("no iat", claim(Edit::remove("iat"))).await;
    assert_eq!(e, IdTokenError::Claims(ClaimsError::Missing("iat")));
}

#[tokio::test]
async fn iat_a_string() {
    let e = id_token_attack("iat: string", claim(Edit::set("iat", "now"))).await;
    assert!(invalid(&e, "iat"), "{e:?}");
}

#[tokio::test]
async fn nbf_in_the_future() {
    let e = id_token_attack("nbf +1h", claim(Edit::set("nbf", now() + 3600))).await;
    assert!(
        matches!(e, IdTokenError::Claims(ClaimsError::NotYetValid { .. })),
        "{e:?}"
    );
}

#[tokio::test]
async fn nbf_a_string() {
    let e = id_token_attack("nbf: string", claim(Edit::set("nbf", "soon"))).await;
    assert!(invalid(&e, "nbf"), "{e:?}");
}

#[tokio::test]
async fn nbf_in_the_past_is_accepted() {
    let env = Env::new().await;
    env.inject(claim(Edit::set("nbf", now() - 5)));
    env.assert_login_succeeds().await;
}

// ---- nonce -------------------------------------------------------------------

#[tokio::test]
async fn nonce_of_another_login() {
    let e = id_token_attack("nonce", claim(Edit::set("nonce", "n-0S6_WzA2Mj"))).await;
    assert_eq!(e, IdTokenError::NonceMismatch);
}

#[tokio::test]
async fn nonce_missing() {
    let e = id_token_attack("no nonce", claim(Edit::remove("nonce"))).await;
    assert_eq!(e, IdTokenError::NonceMismatch);
}

#[tokio::test]
async fn nonce_empty() {
    let e = id_token_attack("nonce: ''", claim(Edit::set("nonce", ""))).await;
    assert_eq!(e, IdTokenError::NonceMismatch);
}

#[tokio::test]
async fn nonce_not_a_string() {
    let e = id_token_attack("nonce: 1", claim(Edit::set("nonce", 1))).await;
    assert!(invalid(&e, "nonce"), "{e:?}");
}

#[tokio::test]
async fn nonce_replayed_from_an_earlier_login() {
    // A whole ID token of an earlier login replayed: same nonce claim as
    // that login, not this one.
    let env = Env::new().await;
    let first = env.login().await;
    let old_nonce = first.id_token_claims().nonce.clone().expect("nonce");
    env.inject(claim(Edit::set("nonce", old_nonce)));
    let e = env.id_token_error("replayed nonce").await;
    assert_eq!(e, IdTokenError::NonceMismatch);
}

// ---- auth_time and max_age ---------------------------------------------------

async fn max_age_attack(what: &str, edit: Edit) -> IdTokenError {
    let env = Env::new().await;
    env.inject(claim(edit));
    let login = env
        .code_received_login(env.client.login().max_age(Duration::from_secs(60)))
        .await;
    match env.exchange_error_of(login, what).await {
        TokenError::IdToken(e) => e,
        other => panic!("{what}: {other:?}"),
    }
}

#[tokio::test]
async fn auth_time_older_than_max_age() {
    let e = max_age_attack("auth_time -1h", Edit::set("auth_time", now() - 3600)).await;
    assert!(
        matches!(
            e,
            IdTokenError::AuthTooOld {
                max_age_secs: 60,
                ..
            }
        ),
        "{e:?}"
    );
}

#[tokio::test]
async fn auth_time_missing_with_max_age() {
    let e = max_age_attack("no auth_time", Edit::remove("auth_time")).await;
    assert_eq!(e, IdTokenError::Claims(ClaimsError::Missing("auth_time")));
}

#[tokio::test]
async fn auth_time_a_string_with_max_age() {
    let e = max_age_attack("auth_time: string", Edit::set("auth_time", "recently")).await;
    assert!(invalid(&e, "auth_time"), "{e:?}");
}

#[tokio::test]
async fn auth_time_in_the_future_with_max_age() {
    // A future authentication time would satisfy any max_age.
    let e = max_age_attack("auth_time +1d", Edit::set("auth_time", now() + 86_400)).await;
    assert!(matches!(e, IdTokenError::AuthTimeInFuture { .. }), "{e:?}");
}

#[tokio::test]
async fn auth_time_in_the_future_without_max_age() {
    let e = id_token_attack(
        "auth_time +1d",
        claim(Edit::set("auth_time", now() + 86_400)),
    )
    .await;
    assert!(matches!(e, IdTokenError::AuthTimeInFuture { .. }), "{e:?}");
}

#[tokio::test]
async fn auth_time_within_max_age_is_accepted() {
    let env = Env::new().await;
    env.inject(claim(Edit::set("auth_time", now() - 30)));
    let login = env
        .code_received_login(env.client.login().max_age(Duration::from_secs(60)))
        .await;
    let login = login.exchange().await.expect("recent enough");
    assert!(login.id_token_claims().auth_time.is_some());
}

// ---- at_hash -------------------------------------------------------------------

#[tokio::test]
async fn at_hash_of_another_access_token() {
    let e = id_token_attack(
        "at_hash",
        claim(Edit::set("at_hash", "77QmUPtjPfzWtF2AnpK9RQ")),
    )
    .await;
    assert_eq!(e, IdTokenError::AccessTokenHashMismatch);
}

#[tokio::test]
async fn at_hash_empty() {
    let e = id_token_attack("at_hash: ''", claim(Edit::set("at_hash", ""))).await;
    assert_eq!(e, IdTokenError::AccessTokenHashMismatch);
}

#[tokio::test]
async fn at_hash_not_a_string() {
    let e = id_token_attack("at_hash: 5", claim(Edit::set("at_hash", 5))).await;
    assert!(invalid(&e, "at_hash"), "{e:?}");
}

#[tokio::test]
async fn access_token_swapped_for_another() {
    // The token response carries another (provider-signed) access token:
    // the ID token's at_hash binds the real one.
    let env = Env::new().await;
    env.inject(Fault::token_response(Edit::set(
        "access_token",
        "swapped-access-token",
    )));
    let e = env.id_token_error("access token swapped").await;
    assert_eq!(e, IdTokenError::AccessTokenHashMismatch);
}

#[tokio::test]
async fn at_hash_absent_is_accepted() {
    // at_hash is optional in the code flow (OIDC Core 3.1.3.6).
    let env = Env::new().await;
    env.inject(claim(Edit::remove("at_hash")));
    env.assert_login_succeeds().await;
}

// ---- other typed claims ----------------------------------------------------------

#[tokio::test]
async fn email_not_a_string() {
    let e = id_token_attack("email: 1", claim(Edit::set("email", 1))).await;
    assert!(invalid(&e, "email"), "{e:?}");
}

#[tokio::test]
async fn email_verified_not_a_boolean() {
    let e = id_token_attack(
        "email_verified: yes",
        claim(Edit::set("email_verified", "yes")),
    )
    .await;
    assert!(invalid(&e, "email_verified"), "{e:?}");
}

#[tokio::test]
async fn sid_not_a_string() {
    let e = id_token_attack("sid: {}", claim(Edit::set("sid", json!({})))).await;
    assert!(invalid(&e, "sid"), "{e:?}");
}

#[tokio::test]
async fn a_fault_for_one_relying_party_leaves_another_alone() {
    // Two relying parties at one provider; only one gets forged tokens.
    let env = Env::new().await;
    env.provider
        .register_client(
            oidc_dev_provider::DevClient::confidential("second-rp", "second-secret")
                .redirect_uri(super::harness::REDIRECT_URI),
        )
        .expect("register");
    let second = Env::on(env.provider.clone(), |_| {
        oidc_core::ClientConfig::for_issuer(env.provider.issuer_str())
            .client_id("second-rp")
            .redirect_uri(super::harness::REDIRECT_URI)
            .client_secret("second-secret")
    })
    .await;
    env.provider
        .inject_for(CLIENT_ID, claim(Edit::set("iss", "https://evil.example")));
    second.assert_login_succeeds().await;
    let e = env.id_token_error("scoped iss").await;
    assert!(
        matches!(e, IdTokenError::Claims(ClaimsError::WrongIssuer { .. })),
        "{e:?}"
    );
}
