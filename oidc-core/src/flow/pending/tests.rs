use super::*;
use base64::engine::general_purpose::STANDARD;

pub(crate) fn sample(expires_in: i64) -> PendingLogin {
    let now = unix_now();
    PendingLogin {
        issuer: "https://op.example".into(),
        client_id: "cid".into(),
        state: CsrfState::new("state-value"),
        nonce: Nonce::new("nonce-value"),
        pkce_verifier: PkceVerifier::new("verifier-value"),
        redirect_uri: "https://app.example/cb".into(),
        response_mode: ResponseMode::FormPost,
        created_at: now,
        expires_at: now + expires_in,
        max_age: None,
        app_data: Some("/account".into()),
        acr_values: Vec::new(),
    }
}

/// A pending login as sealed before `acr_values` existed: it still opens,
/// asking for no `acr`.
#[test]
fn a_login_sealed_before_acr_values_still_opens() {
    let key = SealingKey::generate().unwrap();
    let now = unix_now();
    let old = serde_json::json!({
        "issuer": "https://op.example",
        "client_id": "cid",
        "state": "state-value",
        "nonce": "nonce-value",
        "pkce_verifier": "verifier-value",
        "redirect_uri": "https://app.example/cb",
        "response_mode": serde_json::to_value(ResponseMode::FormPost).unwrap(),
        "created_at": now,
        "expires_at": now + 600,
        "app_data": "/account",
    });
    let sealed = seal_bytes(old.to_string().as_bytes(), &key).unwrap();
    let opened = PendingLogin::unseal(&sealed, &key).unwrap();
    assert_eq!(opened.state.secret(), "state-value");
    assert_eq!(opened.app_data(), Some("/account"));
    assert!(opened.acr_values().is_empty());
    // And a login without acr_values is sealed as before, without the field.
    let plain = serde_json::to_value(sample(600)).unwrap();
    assert!(plain.get("acr_values").is_none(), "{plain}");
}

#[test]
fn requested_acr_values_survive_sealing() {
    let key = SealingKey::generate().unwrap();
    let mut login = sample(600);
    login.acr_values = vec!["urn:x:loa:2".into(), "urn:x:loa:3".into()];
    let opened = PendingLogin::unseal(&login.seal(&key).unwrap(), &key).unwrap();
    assert_eq!(opened.acr_values(), ["urn:x:loa:2", "urn:x:loa:3"]);
}

#[test]
fn seal_round_trip() {
    let key = SealingKey::generate().unwrap();
    let sealed = sample(600).seal(&key).unwrap();
    assert!(sealed.len() < 1024, "{}", sealed.len());
    assert!(!sealed.contains("state-value"));
    let opened = PendingLogin::unseal(&sealed, &key).unwrap();
    assert_eq!(opened.state.secret(), "state-value");
    assert_eq!(opened.app_data(), Some("/account"));
}

#[test]
fn other_key_and_tampering_fail() {
    let key = SealingKey::generate().unwrap();
    let sealed = sample(600).seal(&key).unwrap();
    let other = SealingKey::generate().unwrap();
    assert_eq!(
        PendingLogin::unseal(&sealed, &other).err(),
        Some(PendingLoginError::BadSeal)
    );
    let mut bytes = sealed.into_bytes();
    let last = bytes.len() - 5;
    bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(bytes).unwrap();
    assert!(PendingLogin::unseal(&tampered, &key).is_err());
    assert_eq!(
        PendingLogin::unseal("garbage", &key).err(),
        Some(PendingLoginError::Malformed)
    );
    assert_eq!(
        PendingLogin::unseal("v1.AAAA", &key).err(),
        Some(PendingLoginError::Malformed)
    );
}

#[test]
fn expired_logins_do_not_open() {
    let key = SealingKey::generate().unwrap();
    let sealed = sample(-1).seal(&key).unwrap();
    assert!(matches!(
        PendingLogin::unseal(&sealed, &key),
        Err(PendingLoginError::Expired(_))
    ));
}

#[test]
fn key_base64_round_trip_and_errors() {
    let key = SealingKey::generate().unwrap();
    let again = SealingKey::from_base64(&key.to_base64()).unwrap();
    assert_eq!(again.to_base64(), key.to_base64());
    assert!(SealingKey::from_base64("c2hvcnQ=").is_err());
    assert!(SealingKey::from_base64("!!!").is_err());
    assert_eq!(format!("{key:?}"), "SealingKey(<redacted>)");
}

/// Keys as an operator would paste them: `openssl rand -base64 64`.
fn key_text(seed: u8) -> String {
    let material: Vec<u8> = (0..64u8).map(|i| i.wrapping_mul(29) ^ seed).collect();
    STANDARD.encode(material)
}

#[test]
fn a_cookie_sealed_with_the_old_key_opens_with_the_ring() {
    let (new, old) = (key_text(1), key_text(2));
    let sealed = sample(600)
        .seal(&SealingKey::from_base64(&old).unwrap())
        .unwrap();
    let ring = SealingKey::from_base64(&format!("{new}, {old}")).unwrap();
    let opened = PendingLogin::unseal(&sealed, &ring).unwrap();
    assert_eq!(opened.state.secret(), "state-value");
    assert_eq!(
        PendingLogin::unseal(&sealed, &SealingKey::from_base64(&new).unwrap()).err(),
        Some(PendingLoginError::BadSeal)
    );
}

#[test]
fn the_ring_seals_with_its_first_key() {
    let new = SealingKey::from_base64(&key_text(1)).unwrap();
    let old = SealingKey::from_base64(&key_text(2)).unwrap();
    let sealed = sample(600)
        .seal(&new.clone().with_previous(old.clone()))
        .unwrap();
    assert!(PendingLogin::unseal(&sealed, &new).is_ok());
    assert_eq!(
        PendingLogin::unseal(&sealed, &old).err(),
        Some(PendingLoginError::BadSeal)
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn login_with(app_data: String) -> PendingLogin {
        PendingLogin {
            app_data: Some(app_data),
            ..sample(600)
        }
    }

    /// The sealed string with bit `bit` of byte `index` flipped, if
    /// that is still a string.
    fn flipped(sealed: &str, index: usize, bit: u8) -> Option<String> {
        let mut bytes = sealed.as_bytes().to_vec();
        bytes[index] ^= 1 << bit;
        String::from_utf8(bytes).ok()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// A sealed login opens with its key, and only with its key.
        #[test]
        fn opens_only_with_its_key(
            key in any::<[u8; 32]>(),
            other in any::<[u8; 32]>(),
            app_data in ".{0,64}",
        ) {
            prop_assume!(key != other);
            let key = SealingKey::from_bytes(&key).unwrap();
            let sealed = login_with(app_data.clone()).seal(&key).unwrap();
            let opened = PendingLogin::unseal(&sealed, &key).unwrap();
            prop_assert_eq!(opened.app_data(), Some(app_data.as_str()));
            prop_assert_eq!(opened.state.secret(), "state-value");
            prop_assert_eq!(
                PendingLogin::unseal(&sealed, &SealingKey::from_bytes(&other).unwrap()).err(),
                Some(PendingLoginError::BadSeal)
            );
        }

        /// Every single-bit flip anywhere in the sealed string is refused.
        #[test]
        fn every_bit_flip_of_the_string_is_refused(
            key in any::<[u8; 32]>(),
            app_data in "[a-z/]{0,16}",
        ) {
            let key = SealingKey::from_bytes(&key).unwrap();
            let sealed = login_with(app_data).seal(&key).unwrap();
            for index in 0..sealed.len() {
                for bit in 0..8 {
                    if let Some(tampered) = flipped(&sealed, index, bit) {
                        prop_assert!(
                            PendingLogin::unseal(&tampered, &key).is_err(),
                            "flip of bit {} of byte {} was accepted", bit, index
                        );
                    }
                }
            }
        }

        /// Every single-bit flip of the sealed bytes (nonce, ciphertext,
        /// tag), re-encoded, fails authentication.
        #[test]
        fn every_bit_flip_of_the_bytes_is_refused(
            key in any::<[u8; 32]>(),
            index in any::<prop::sample::Index>(),
            bit in 0u8..8,
        ) {
            let key = SealingKey::from_bytes(&key).unwrap();
            let sealed = sample(600).seal(&key).unwrap();
            let mut bytes = URL_SAFE_NO_PAD
                .decode(sealed.strip_prefix(SEAL_PREFIX).unwrap())
                .unwrap();
            let at = index.index(bytes.len());
            bytes[at] ^= 1 << bit;
            let tampered = format!("{SEAL_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
            prop_assert_eq!(
                PendingLogin::unseal(&tampered, &key).err(),
                Some(PendingLoginError::BadSeal)
            );
        }

        /// Arbitrary input never opens and never panics.
        #[test]
        fn garbage_never_opens(input in ".{0,512}") {
            let key = SealingKey::from_bytes(&[9; 32]).unwrap();
            prop_assert!(PendingLogin::unseal(&input, &key).is_err());
            let prefixed = format!("{SEAL_PREFIX}{input}");
            prop_assert!(PendingLogin::unseal(&prefixed, &key).is_err());
        }
    }
}

#[test]
fn debug_hides_secrets() {
    let shown = format!("{:?}", sample(600));
    assert!(
        !shown.contains("state-value")
            && !shown.contains("nonce-value")
            && !shown.contains("verifier-value")
    );
}
