//! Load-independent cost of one verification, for `valgrind --tool=callgrind`
//! (the machine is shared, so wall-clock medians are noisy; instruction
//! counts are not). Each path runs `N` times inside `measured`, the only
//! function callgrind collects (`--toggle-collect`); `benches/callgrind.sh`
//! divides by `N` for every path.
//!
//! ```text
//! instructions PATH ALG N     PATH: oidc-core | openidconnect | floor | unparsed
//!                             ALG:  RS256 | ES256 | EdDSA
//! ```
//!
//! Without arguments (as `cargo bench` runs it) it does nothing.

use aws_lc_rs::signature::UnparsedPublicKey;
use oidc_benches::{
    ACCESS_TOKEN, Alg, CLIENT_ID, CLIENT_SECRET, ISSUER, NONCE, TokenFixture, id_token_claims,
    signing_input_and_signature,
};
use oidc_core::__bench::IdTokenVerifier;
use openidconnect::core::{
    CoreIdToken, CoreIdTokenVerifier, CoreJsonWebKeySet, CoreJwsSigningAlgorithm,
};
use openidconnect::{AccessToken, AccessTokenHash, ClientId, ClientSecret, IssuerUrl, Nonce};
use std::hint::black_box;

/// The timed loop: callgrind counts instructions only in here.
#[inline(never)]
fn measured(n: usize, mut once: impl FnMut()) {
    for _ in 0..n {
        once();
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [path, alg, n] = args.as_slice() else {
        return;
    };
    let alg = Alg::ALL
        .into_iter()
        .find(|a| a.name() == alg)
        .expect("ALG is RS256, ES256 or EdDSA");
    let n: usize = n.parse().expect("N is a count");

    let fixture = TokenFixture::new();
    let signer = fixture.signer(alg);
    let token = signer.sign(&id_token_claims(alg));
    let (input, signature) = signing_input_and_signature(&token);
    match path.as_str() {
        "oidc-core" => {
            let sdk = IdTokenVerifier::new(fixture.config(), &fixture.jwks_json).expect("JWKS");
            measured(n, || {
                black_box(
                    sdk.verify(black_box(&token), NONCE, Some(ACCESS_TOKEN))
                        .expect("valid"),
                );
            });
        }
        "openidconnect" => {
            let jwks: CoreJsonWebKeySet = serde_json::from_slice(&fixture.jwks_json).expect("JWKS");
            let verifier = CoreIdTokenVerifier::new_confidential_client(
                ClientId::new(CLIENT_ID.into()),
                ClientSecret::new(CLIENT_SECRET.into()),
                IssuerUrl::new(ISSUER.into()).expect("issuer"),
                jwks,
            )
            .set_allowed_algs([
                CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
                CoreJwsSigningAlgorithm::EcdsaP256Sha256,
                CoreJwsSigningAlgorithm::EdDsa,
            ]);
            measured(n, || {
                let id_token: CoreIdToken = black_box(&token).parse().expect("an ID token");
                let claims = id_token
                    .claims(&verifier, &Nonce::new(NONCE.into()))
                    .expect("valid");
                let actual = AccessTokenHash::from_token(
                    &AccessToken::new(ACCESS_TOKEN.into()),
                    id_token.signing_alg().expect("alg"),
                    id_token.signing_key(&verifier).expect("key"),
                )
                .expect("hash");
                assert!(Some(&actual) == claims.access_token_hash());
            });
        }
        "floor" => {
            let parsed = signer.parsed_public_key();
            measured(n, || {
                parsed
                    .verify_sig(black_box(input.as_bytes()), black_box(&signature))
                    .expect("valid");
            });
        }
        "unparsed" => {
            let unparsed = UnparsedPublicKey::new(alg.aws_lc(), signer.public_key.clone());
            measured(n, || {
                unparsed
                    .verify(black_box(input.as_bytes()), black_box(&signature))
                    .expect("valid");
            });
        }
        other => panic!("unknown path {other}"),
    }
}
