//! ID token verification with the keys cached, per algorithm, three ways on
//! the same token and JWKS:
//!
//! - `oidc-core`: the SDK's real verification path (header, key lookup,
//!   signature, claims: `iss`, `aud`, `azp`, `exp`, `iat`, `nbf`, `nonce`,
//!   `at_hash`), reached through the `bench` feature's `__bench` hooks;
//! - `openidconnect`: `openidconnect` 4's `CoreIdTokenVerifier` (signature,
//!   `iss`, `aud`, `exp`, `nonce`) plus its `at_hash` check, parsing the
//!   token from its string as the SDK does;
//! - `floor`: aws-lc-rs `ParsedPublicKey::verify_sig` on the decoded
//!   signature with a pre-parsed key: the cryptography alone. `unparsed` is
//!   `UnparsedPublicKey::verify` (the key parsed on every call).
//!
//! Then JWKS key lookup through the SDK's key cache with 1, 10 and 100 keys.

use aws_lc_rs::signature::UnparsedPublicKey;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use oidc_benches::{
    ACCESS_TOKEN, Alg, BenchClock, CLIENT_ID, CLIENT_SECRET, ISSUER, NONCE, Signer, TokenFixture,
    client_config, id_token_claims, jwks_with, signing_input_and_signature,
};
use oidc_core::__bench::IdTokenVerifier;
use openidconnect::core::{
    CoreIdToken, CoreIdTokenVerifier, CoreJsonWebKeySet, CoreJwsSigningAlgorithm,
};
use openidconnect::{AccessToken, AccessTokenHash, ClientId, ClientSecret, IssuerUrl, Nonce};
use std::hint::black_box;
use std::time::Duration;

fn openidconnect_verifier(jwks_json: &[u8]) -> CoreIdTokenVerifier<'static> {
    let jwks: CoreJsonWebKeySet = serde_json::from_slice(jwks_json).expect("JWKS");
    CoreIdTokenVerifier::new_confidential_client(
        ClientId::new(CLIENT_ID.into()),
        ClientSecret::new(CLIENT_SECRET.into()),
        IssuerUrl::new(ISSUER.into()).expect("issuer"),
        jwks,
    )
    .set_allowed_algs([
        CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
        CoreJwsSigningAlgorithm::EcdsaP256Sha256,
        CoreJwsSigningAlgorithm::EdDsa,
    ])
}

/// What an openidconnect 4 application does with the token string it got.
fn openidconnect_verify(verifier: &CoreIdTokenVerifier<'_>, token: &str) -> String {
    let id_token: CoreIdToken = token.parse().expect("an ID token");
    let claims = id_token
        .claims(verifier, &Nonce::new(NONCE.into()))
        .expect("openidconnect accepts the token");
    let expected = claims.access_token_hash().expect("at_hash");
    let actual = AccessTokenHash::from_token(
        &AccessToken::new(ACCESS_TOKEN.into()),
        id_token.signing_alg().expect("alg"),
        id_token.signing_key(verifier).expect("key"),
    )
    .expect("hash");
    assert!(actual == *expected, "at_hash");
    claims.subject().as_str().to_owned()
}

fn id_token_verification(c: &mut Criterion<BenchClock>) {
    let fixture = TokenFixture::new();
    let sdk = IdTokenVerifier::new(fixture.config(), &fixture.jwks_json).expect("JWKS");
    let oidc4 = openidconnect_verifier(&fixture.jwks_json);
    let mut group = c.benchmark_group("id_token");
    for alg in Alg::ALL {
        let signer = fixture.signer(alg);
        let token = signer.sign(&id_token_claims(alg));
        // Every path accepts the token before it is timed.
        sdk.verify(&token, NONCE, Some(ACCESS_TOKEN))
            .expect("oidc-core accepts the token");
        openidconnect_verify(&oidc4, &token);
        let (input, signature) = signing_input_and_signature(&token);
        let parsed = signer.parsed_public_key();
        parsed
            .verify_sig(input.as_bytes(), &signature)
            .expect("the signature verifies");

        group.bench_with_input(BenchmarkId::new("oidc-core", alg.name()), &token, |b, t| {
            b.iter(|| {
                sdk.verify(black_box(t), NONCE, Some(ACCESS_TOKEN))
                    .expect("valid")
            })
        });
        group.bench_with_input(
            BenchmarkId::new("openidconnect", alg.name()),
            &token,
            |b, t| b.iter(|| openidconnect_verify(&oidc4, black_box(t))),
        );
        group.bench_function(BenchmarkId::new("floor", alg.name()), |b| {
            b.iter(|| {
                parsed
                    .verify_sig(black_box(input.as_bytes()), black_box(&signature))
                    .expect("valid")
            })
        });
        let unparsed = UnparsedPublicKey::new(alg.aws_lc(), signer.public_key.clone());
        group.bench_function(BenchmarkId::new("unparsed", alg.name()), |b| {
            b.iter(|| {
                unparsed
                    .verify(black_box(input.as_bytes()), black_box(&signature))
                    .expect("valid")
            })
        });
    }
    group.finish();
}

fn jwks_lookup(c: &mut Criterion<BenchClock>) {
    let signer = Signer::generate(Alg::Rs256, "k0");
    let mut group = c.benchmark_group("jwks_lookup");
    for count in [1usize, 10, 100] {
        let verifier =
            IdTokenVerifier::new(client_config(), &jwks_with(count, &signer)).expect("JWKS");
        // The worst case: the last key of the set.
        let kid = format!("k{}", count - 1);
        assert!(verifier.select(Some(&kid), Alg::Rs256.sdk()));
        group.bench_with_input(BenchmarkId::from_parameter(count), &kid, |b, kid| {
            b.iter(|| verifier.select(black_box(Some(kid.as_str())), Alg::Rs256.sdk()))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .with_measurement(BenchClock::from_env())
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = id_token_verification, jwks_lookup
}
criterion_main!(benches);
