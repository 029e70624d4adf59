//! The JOSE header and algorithms (RFC 8725): `alg: none` in every spelling,
//! algorithm confusion, `typ`, `crit`, embedded and remote keys, and
//! signatures that do not verify.

use super::harness::{CLIENT_ID, CLIENT_SECRET, Env, REDIRECT_URI, b64url, id_token_attack};
use oidc_core::JwsError;
use oidc_core::{IdTokenError, SigningAlgorithm};
use oidc_dev_provider::{DevClient, Edit, Fault, Signing, SigningAlg};
use serde_json::json;

fn header(edit: Edit) -> Fault {
    Fault::id_header(edit)
}

fn unsigned(alg: &str) -> Fault {
    Fault::id_signing(Signing::Unsigned { alg: alg.into() })
}

fn not_allowed(alg: &str) -> IdTokenError {
    IdTokenError::Jws(JwsError::AlgorithmNotAllowed(alg.into()))
}

// ---- alg: none ---------------------------------------------------------------------

#[tokio::test]
async fn alg_none_unsigned() {
    assert_eq!(
        id_token_attack("none", unsigned("none")).await,
        not_allowed("none")
    );
}

#[tokio::test]
async fn alg_none_capitalised() {
    assert_eq!(
        id_token_attack("None", unsigned("None")).await,
        not_allowed("None")
    );
}

#[tokio::test]
async fn alg_none_upper_case() {
    assert_eq!(
        id_token_attack("NONE", unsigned("NONE")).await,
        not_allowed("NONE")
    );
}

#[tokio::test]
async fn alg_none_mixed_case() {
    assert_eq!(
        id_token_attack("nOnE", unsigned("nOnE")).await,
        not_allowed("nOnE")
    );
}

#[tokio::test]
async fn alg_none_with_the_original_signature_kept() {
    let e = id_token_attack("none, signed", header(Edit::set("alg", "none"))).await;
    assert_eq!(e, not_allowed("none"));
}

#[tokio::test]
async fn alg_empty() {
    assert_eq!(
        id_token_attack("alg ''", unsigned("")).await,
        not_allowed("")
    );
}

#[tokio::test]
async fn alg_missing() {
    let e = id_token_attack("no alg", header(Edit::remove("alg"))).await;
    assert!(
        matches!(&e, IdTokenError::Jws(JwsError::InvalidHeader(m)) if m.contains("alg")),
        "{e:?}"
    );
}

#[tokio::test]
async fn alg_not_a_string() {
    let e = id_token_attack("alg: 256", header(Edit::set("alg", 256))).await;
    assert!(
        matches!(&e, IdTokenError::Jws(JwsError::InvalidHeader(m)) if m.contains("alg")),
        "{e:?}"
    );
}

// ---- algorithm confusion --------------------------------------------------------------

#[tokio::test]
async fn hs256_with_the_rsa_public_key_as_secret() {
    let e = id_token_attack(
        "HS256 confusion",
        Fault::id_signing(Signing::HmacWithPublicKey {
            alg: "HS256".into(),
        }),
    )
    .await;
    assert_eq!(e, not_allowed("HS256"));
}

#[tokio::test]
async fn hs384_with_the_rsa_public_key_as_secret() {
    let e = id_token_attack(
        "HS384 confusion",
        Fault::id_signing(Signing::HmacWithPublicKey {
            alg: "HS384".into(),
        }),
    )
    .await;
    assert_eq!(e, not_allowed("HS384"));
}

#[tokio::test]
async fn hs512_with_the_rsa_public_key_as_secret() {
    let e = id_token_attack(
        "HS512 confusion",
        Fault::id_signing(Signing::HmacWithPublicKey {
            alg: "HS512".into(),
        }),
    )
    .await;
    assert_eq!(e, not_allowed("HS512"));
}

#[tokio::test]
async fn hs256_even_when_discovery_advertises_it() {
    let provider = super::harness::provider().await;
    provider.inject(Fault::discovery(Edit::set(
        "id_token_signing_alg_values_supported",
        json!(["HS256", "none", "RS256"]),
    )));
    provider.inject(Fault::token_response(Edit::remove("userinfo")));
    let env = Env::on(provider, |c| c).await;
    env.inject(Fault::id_signing(Signing::HmacWithPublicKey {
        alg: "HS256".into(),
    }));
    assert_eq!(
        env.id_token_error("advertised HS256").await,
        not_allowed("HS256")
    );
}

#[tokio::test]
async fn an_algorithm_outside_the_allow_list() {
    // The provider signs ES256 ID tokens; the client is pinned to RS256.
    let provider = super::harness::provider().await;
    provider
        .register_client(
            DevClient::confidential(CLIENT_ID, CLIENT_SECRET)
                .redirect_uri(REDIRECT_URI)
                .id_token_alg(SigningAlg::ES256),
        )
        .expect("re-register");
    provider.inject(Fault::token_response(Edit::remove("userinfo")));
    let env = Env::on(provider, |c| {
        c.allowed_algorithms([SigningAlgorithm::RS256])
    })
    .await;
    assert_eq!(env.id_token_error("ES256").await, not_allowed("ES256"));
}

#[tokio::test]
async fn an_algorithm_the_provider_does_not_advertise() {
    // The provider advertises RS256 only but signs with ES256: the
    // negotiated allow-list is what it advertised, so the token is refused.
    let provider = super::harness::provider().await;
    provider
        .register_client(
            DevClient::confidential(CLIENT_ID, CLIENT_SECRET)
                .redirect_uri(REDIRECT_URI)
                .id_token_alg(SigningAlg::ES256),
        )
        .expect("re-register");
    provider.inject(Fault::token_response(Edit::remove("userinfo")));
    provider.inject(Fault::discovery(Edit::set(
        "id_token_signing_alg_values_supported",
        serde_json::json!(["RS256", "HS256", "none"]),
    )));
    let env = Env::on(provider, |c| c).await;
    assert_eq!(env.client.allowed_algorithms(), [SigningAlgorithm::RS256]);
    assert_eq!(env.id_token_error("ES256").await, not_allowed("ES256"));
}

#[tokio::test]
async fn an_allowed_algorithm_of_another_key_type_is_accepted() {
    // The control for the test above: ES256 allowed, ES256 verified.
    let provider = super::harness::provider().await;
    provider
        .register_client(
            DevClient::confidential(CLIENT_ID, CLIENT_SECRET)
                .redirect_uri(REDIRECT_URI)
                .id_token_alg(SigningAlg::ES256),
        )
        .expect("re-register");
    let env = Env::on(provider, |c| {
        c.allowed_algorithms([SigningAlgorithm::RS256, SigningAlgorithm::ES256])
    })
    .await;
    env.assert_login_succeeds().await;
}

#[tokio::test]
async fn alg_relabelled_to_another_rsa_algorithm() {
    // An RS256 signature presented as PS256, with PS256 allowed: the key
    // is pinned to RS256 by its JWK `alg`, so no key fits.
    let env =
        Env::with(|c| c.allowed_algorithms([SigningAlgorithm::RS256, SigningAlgorithm::PS256]))
            .await;
    env.inject(header(Edit::set("alg", "PS256")));
    let e = env.id_token_error("PS256 label").await;
    assert!(
        matches!(e, IdTokenError::Jws(JwsError::UnknownKey { .. })),
        "{e:?}"
    );
}

#[tokio::test]
async fn alg_in_lower_case() {
    let e = id_token_attack("rs256", header(Edit::set("alg", "rs256"))).await;
    assert_eq!(e, not_allowed("rs256"));
}

#[tokio::test]
async fn alg_rs384_not_allowed() {
    let e = id_token_attack("RS384", header(Edit::set("alg", "RS384"))).await;
    assert_eq!(e, not_allowed("RS384"));
}

// ---- typ ---------------------------------------------------------------------------

#[tokio::test]
async fn typ_of_an_access_token() {
    let e = id_token_attack("typ at+jwt", header(Edit::set("typ", "at+jwt"))).await;
    assert_eq!(e, IdTokenError::WrongType("at+jwt".into()));
}

#[tokio::test]
async fn typ_of_a_logout_token() {
    let e = id_token_attack("typ logout+jwt", header(Edit::set("typ", "logout+jwt"))).await;
    assert_eq!(e, IdTokenError::WrongType("logout+jwt".into()));
}

#[tokio::test]
async fn typ_of_a_jwe() {
    let e = id_token_attack("typ JOSE+JSON", header(Edit::set("typ", "JOSE+JSON"))).await;
    assert_eq!(e, IdTokenError::WrongType("JOSE+JSON".into()));
}

#[tokio::test]
async fn typ_not_a_string() {
    let e = id_token_attack("typ: 1", header(Edit::set("typ", 1))).await;
    assert!(
        matches!(&e, IdTokenError::Jws(JwsError::InvalidHeader(m)) if m.contains("typ")),
        "{e:?}"
    );
}

#[tokio::test]
async fn typ_absent_is_accepted() {
    let env = Env::new().await;
    env.inject(header(Edit::remove("typ")));
    env.assert_login_succeeds().await;
}

#[tokio::test]
async fn the_access_token_presented_as_the_id_token() {
    let env = Env::new().await;
    env.inject(Fault::token_response(Edit::copy(
        "id_token",
        "access_token",
    )));
    let e = env.id_token_error("access token as ID token").await;
    assert_eq!(e, IdTokenError::WrongType("at+jwt".into()));
}

// ---- crit ------------------------------------------------------------------------------

#[tokio::test]
async fn crit_with_a_registered_claim() {
    let e = id_token_attack("crit [exp]", header(Edit::set("crit", json!(["exp"])))).await;
    assert!(
        matches!(e, IdTokenError::Jws(JwsError::CriticalHeader(_))),
        "{e:?}"
    );
}

#[tokio::test]
async fn crit_with_an_unknown_extension() {
    let env = Env::new().await;
    env.inject(header(Edit::set(
        "crit",
        json!(["urn:example:must-understand"]),
    )));
    env.inject(header(Edit::set("urn:example:must-understand", true)));
    let e = env.id_token_error("crit extension").await;
    assert!(
        matches!(e, IdTokenError::Jws(JwsError::CriticalHeader(_))),
        "{e:?}"
    );
}

#[tokio::test]
async fn crit_b64_unencoded_payload() {
    let env = Env::new().await;
    env.inject(header(Edit::set("crit", json!(["b64"]))));
    env.inject(header(Edit::set("b64", false)));
    let e = env.id_token_error("b64=false").await;
    assert!(
        matches!(e, IdTokenError::Jws(JwsError::CriticalHeader(_))),
        "{e:?}"
    );
}

#[tokio::test]
async fn crit_empty() {
    let e = id_token_attack("crit []", header(Edit::set("crit", json!([])))).await;
    assert!(
        matches!(e, IdTokenError::Jws(JwsError::CriticalHeader(_))),
        "{e:?}"
    );
}

// ---- keys carried or pointed at by the token ----------------------------------------------

#[tokio::test]
async fn embedded_jwk_of_the_attacker() {
    let env = Env::new().await;
    env.inject(Fault::id_signing(Signing::AttackerKey));
    env.inject(header(Edit::set("jwk", env.provider.attacker_jwk())));
    assert_eq!(
        env.id_token_error("jwk").await,
        IdTokenError::Jws(JwsError::EmbeddedKey("jwk"))
    );
}

#[tokio::test]
async fn jku_pointing_at_the_attacker() {
    let env = Env::new().await;
    env.inject(Fault::id_signing(Signing::AttackerKey));
    env.inject(header(Edit::set("jku", "https://evil.example/jwks")));
    assert_eq!(
        env.id_token_error("jku").await,
        IdTokenError::Jws(JwsError::EmbeddedKey("jku"))
    );
}

#[tokio::test]
async fn x5u_pointing_at_the_attacker() {
    let e = id_token_attack(
        "x5u",
        header(Edit::set("x5u", "https://evil.example/cert.pem")),
    )
    .await;
    assert_eq!(e, IdTokenError::Jws(JwsError::EmbeddedKey("x5u")));
}

#[tokio::test]
async fn x5c_certificate_chain() {
    let e = id_token_attack(
        "x5c",
        header(Edit::set("x5c", json!(["MIIBszCCAVmgAwIBAgIU"]))),
    )
    .await;
    assert_eq!(e, IdTokenError::Jws(JwsError::EmbeddedKey("x5c")));
}

#[tokio::test]
async fn kid_not_a_string() {
    let e = id_token_attack("kid: 1", header(Edit::set("kid", 1))).await;
    assert!(
        matches!(&e, IdTokenError::Jws(JwsError::InvalidHeader(m)) if m.contains("kid")),
        "{e:?}"
    );
}

// ---- signatures -----------------------------------------------------------------------

#[tokio::test]
async fn signature_with_one_bit_flipped() {
    let e = id_token_attack("bit flip", Fault::id_signing(Signing::CorruptSignature)).await;
    assert_eq!(e, IdTokenError::Jws(JwsError::BadSignature));
}

#[tokio::test]
async fn signature_stripped() {
    let e = id_token_attack("no signature", Fault::id_signing(Signing::StripSignature)).await;
    assert_eq!(
        e,
        IdTokenError::Jws(JwsError::Malformed("the signature is empty"))
    );
}

#[tokio::test]
async fn signed_by_another_key_under_the_genuine_kid() {
    let e = id_token_attack("forged", Fault::id_signing(Signing::ForeignKey)).await;
    assert_eq!(e, IdTokenError::Jws(JwsError::BadSignature));
}

#[tokio::test]
async fn claims_changed_after_signing() {
    // A genuine header and signature with other claims (sub "admin").
    let env = Env::new().await;
    let genuine = env.login().await;
    let genuine = genuine
        .tokens()
        .id_token
        .as_ref()
        .expect("id token")
        .secret()
        .to_owned();
    let parts: Vec<&str> = genuine.split('.').collect();
    let forged_payload = b64url(
        json!({
            "iss": env.provider.issuer_str(), "sub": "admin", "aud": CLIENT_ID,
            "exp": super::harness::now() + 300, "iat": super::harness::now(),
        })
        .to_string()
        .as_bytes(),
    );
    let spliced = format!("{}.{forged_payload}.{}", parts[0], parts[2]);
    env.inject(Fault::token_response(Edit::set("id_token", spliced)));
    assert_eq!(
        env.id_token_error("spliced").await,
        IdTokenError::Jws(JwsError::BadSignature)
    );
}

#[tokio::test]
async fn an_encrypted_id_token() {
    let e = id_token_attack(
        "JWE",
        Fault::token_response(Edit::set("id_token", "eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d")),
    )
    .await;
    assert_eq!(e, IdTokenError::Jws(JwsError::Encrypted));
}

#[tokio::test]
async fn an_id_token_that_is_not_a_jws() {
    let e = id_token_attack(
        "garbage",
        Fault::token_response(Edit::set("id_token", "garbage")),
    )
    .await;
    assert!(
        matches!(e, IdTokenError::Jws(JwsError::Malformed(_))),
        "{e:?}"
    );
}

#[tokio::test]
async fn an_id_token_with_a_header_that_is_not_json() {
    let e = id_token_attack(
        "header not JSON",
        Fault::token_response(Edit::set("id_token", "bm90IGpzb24.e30.c2ln")),
    )
    .await;
    assert!(
        matches!(e, IdTokenError::Jws(JwsError::InvalidHeader(_))),
        "{e:?}"
    );
}

#[tokio::test]
async fn an_id_token_larger_than_64_kib() {
    // Well under the response cap, over the token cap: refused before any
    // parsing or key lookup.
    let env = Env::new().await;
    env.inject(Fault::id_claim(Edit::set("padding", "p".repeat(70 * 1024))));
    let e = env.id_token_error("70 KiB token").await;
    assert_eq!(
        e,
        IdTokenError::Jws(JwsError::Malformed("the token is too large"))
    );
    assert_eq!(
        env.count("/jwks"),
        0,
        "no key lookup for an oversized token"
    );
}
