use super::*;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

const AAD: &[u8] = b"test";

/// `n` distinct bytes, standing in for random ones.
fn bytes(n: usize, seed: u8) -> Vec<u8> {
    (0..n).map(|i| (i as u8).wrapping_mul(37) ^ seed).collect()
}

fn opens(sealer: &SealingKey, opener: &SealingKey) -> bool {
    let sealed = sealer.seal(AAD, b"the login").unwrap();
    match opener.open(AAD, &sealed) {
        Ok(plaintext) => {
            assert_eq!(plaintext, b"the login");
            true
        }
        Err(e) => {
            assert_eq!(e, PendingLoginError::BadSeal);
            false
        }
    }
}

fn message(encoded: &str) -> String {
    SealingKey::from_base64(encoded).unwrap_err().to_string()
}

/// What `openssl rand -base64 64` prints: padded standard base64,
/// wrapped after 64 characters, with a final newline.
#[test]
fn openssl_rand_base64_64_is_accepted_line_break_included() {
    let material = bytes(64, 0xa5);
    let encoded = STANDARD.encode(&material);
    assert_eq!(encoded.len(), 88);
    assert!(encoded.ends_with('='));
    let printed = format!("{}\n{}\n", &encoded[..64], &encoded[64..]);
    let key = SealingKey::from_base64(&printed).unwrap();
    assert_eq!(key.to_base64(), encoded);
    assert!(opens(&key, &SealingKey::from_bytes(&material).unwrap()));
}

#[test]
fn url_safe_unpadded_is_accepted() {
    let material = bytes(48, 0xff);
    let encoded = URL_SAFE_NO_PAD.encode(&material);
    assert!(encoded.contains(['-', '_']) && !encoded.contains('='));
    assert!(
        STANDARD.decode(&encoded).is_err(),
        "the test needs URL-safe-only input"
    );
    let key: SealingKey = format!("  {encoded}\t").parse().unwrap();
    assert_eq!(key.to_base64(), STANDARD.encode(&material));
    // Unpadded standard and padded URL-safe too.
    let standard = STANDARD.encode(bytes(32, 1));
    assert!(standard.ends_with('='));
    SealingKey::from_base64(standard.trim_end_matches('=')).unwrap();
    let url_safe = base64::engine::general_purpose::URL_SAFE.encode(bytes(32, 0xfe));
    assert!(url_safe.ends_with('='));
    SealingKey::from_base64(&url_safe).unwrap();
}

#[test]
fn short_keys_are_refused_with_how_to_make_one() {
    let encoded = STANDARD.encode(bytes(31, 7));
    let shown = message(&encoded);
    assert_eq!(
        shown,
        "the sealing key is invalid: it must be base64 of at least 32 random bytes \
         (got 31 bytes); generate one with `openssl rand -base64 64`"
    );
    assert!(!shown.contains(&encoded[..8]));
    assert_eq!(
        SealingKey::from_bytes(&bytes(31, 7))
            .unwrap_err()
            .to_string(),
        "the sealing key is invalid: it must be at least 32 random bytes (got 31 bytes); \
         generate one with `openssl rand -base64 64`"
    );
    SealingKey::from_bytes(&bytes(32, 7)).unwrap();
}

#[test]
fn too_long_keys_are_refused() {
    SealingKey::from_bytes(&bytes(MAX_KEY_LEN, 3)).unwrap();
    let shown = message(&STANDARD.encode(bytes(MAX_KEY_LEN + 1, 3)));
    assert!(shown.contains("got 1025 bytes"), "{shown}");
}

#[test]
fn garbage_is_refused_without_echoing_it() {
    let valid = STANDARD.encode(bytes(32, 9));
    for garbage in [
        "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!".to_string(),
        format!("{valid}="),                           // too much padding
        format!("{}+_{}", &valid[..20], &valid[22..]), // both alphabets
        format!("secret-{}", &valid[7..]).replace('-', "%"),
        "\u{e9}".repeat(44),
    ] {
        let shown = message(&garbage);
        assert!(shown.contains("not base64"), "{shown}");
        assert!(shown.contains("openssl rand -base64 64"), "{shown}");
        assert!(
            !shown.contains(&valid[..12]) && !shown.contains("secret"),
            "{shown}"
        );
    }
    let shown = message("   ");
    assert!(
        shown.contains("empty") && shown.contains("openssl rand"),
        "{shown}"
    );
}

#[test]
fn empty_list_items_are_refused_by_position() {
    let a = STANDARD.encode(bytes(32, 1));
    let b = STANDARD.encode(bytes(32, 2));
    for (list, position) in [
        (format!("{a},,{b}"), 2),
        (format!("{a},"), 2),
        (format!(",{a}"), 1),
        (format!("{a}, ,{b}"), 2),
    ] {
        let shown = message(&list);
        assert!(
            shown.contains(&format!(
                "key {position} of the comma-separated list: it is empty"
            )),
            "{shown}"
        );
    }
    let shown = message(&format!("{a},{}", STANDARD.encode(bytes(31, 2))));
    assert!(
        shown.contains("key 2 of the comma-separated list: it must be base64 of at least 32"),
        "{shown}"
    );
}

#[test]
fn ring_round_trips_through_base64() {
    let (new, old, oldest) = (bytes(32, 1), bytes(64, 2), bytes(40, 3));
    let listed = format!(
        " {} ,\n{} , {}\n",
        URL_SAFE_NO_PAD.encode(&new),
        STANDARD.encode(&old),
        STANDARD.encode(&oldest)
    );
    let ring = SealingKey::from_base64(&listed).unwrap();
    let expected = [&new, &old, &oldest].map(|k| STANDARD.encode(k)).join(",");
    assert_eq!(ring.to_base64(), expected);
    let again = SealingKey::from_base64(&ring.to_base64()).unwrap();
    assert_eq!(again.to_base64(), expected);
    let built = SealingKey::from_bytes(&new).unwrap().with_previous(
        SealingKey::from_bytes(&old)
            .unwrap()
            .with_previous(SealingKey::from_bytes(&oldest).unwrap()),
    );
    assert_eq!(built.to_base64(), expected);
}

#[test]
fn ring_seals_with_the_first_and_opens_with_all() {
    let new = SealingKey::from_bytes(&bytes(32, 1)).unwrap();
    let old = SealingKey::from_bytes(&bytes(32, 2)).unwrap();
    let ring = new.clone().with_previous(old.clone());
    assert!(opens(&old, &ring));
    assert!(opens(&new, &ring));
    assert!(opens(&ring, &new));
    assert!(!opens(&ring, &old));
    assert!(!opens(&SealingKey::generate().unwrap(), &ring));
}

#[test]
fn derived_keys_differ_for_related_inputs() {
    let long = bytes(64, 4);
    let a = SealingKey::from_bytes(&long).unwrap();
    let prefix = SealingKey::from_bytes(&long[..32]).unwrap();
    let mut padded = long[..32].to_vec();
    padded.push(0);
    let padded = SealingKey::from_bytes(&padded).unwrap();
    for (x, y) in [
        (&a, &prefix),
        (&prefix, &a),
        (&prefix, &padded),
        (&padded, &prefix),
    ] {
        assert!(!opens(x, y));
    }
    assert!(opens(&a, &a));
}

/// The derivation is HKDF-SHA256 with this salt and info (the expected
/// key was computed with Python's `hmac`): changing either breaks every
/// cookie in flight, so it must be deliberate.
#[test]
fn derivation_is_pinned() {
    let expected: [u8; 32] = [
        0x27, 0x4d, 0x1f, 0xe6, 0x51, 0x2b, 0x27, 0x4c, 0xbf, 0x93, 0x14, 0x74, 0xdd, 0x1b, 0x72,
        0x1e, 0x41, 0xf5, 0x7e, 0x29, 0x14, 0xad, 0x62, 0xa7, 0x1b, 0x6d, 0xd0, 0xc6, 0xf1, 0x6a,
        0x81, 0xcc,
    ];
    let material: Vec<u8> = (0..32).collect();
    assert_eq!(*derive(&material).unwrap(), expected);
    // And that derived key is the one that seals.
    let raw = RandomizedNonceKey::new(&AES_256_GCM, &expected).unwrap();
    let mut buffer = b"the login".to_vec();
    let nonce = raw
        .seal_in_place_append_tag(Aad::from(AAD), &mut buffer)
        .unwrap();
    let sealed = [nonce.as_ref().as_slice(), &buffer].concat();
    let key = SealingKey::from_bytes(&material).unwrap();
    assert_eq!(key.open(AAD, &sealed).unwrap(), b"the login");
}

#[test]
fn debug_and_errors_show_no_key_material() {
    let material = bytes(32, 5);
    let encoded = STANDARD.encode(&material);
    let key = SealingKey::from_base64(&encoded).unwrap();
    assert_eq!(format!("{key:?}"), "SealingKey(<redacted>)");
    let ring = key.clone().with_previous(key.clone());
    assert_eq!(format!("{ring:?}"), "SealingKey(<redacted>, 2 keys)");
    let short = STANDARD.encode(&material[..31]);
    let shown = format!(
        "{:?} {}",
        SealingKey::from_base64(&short).unwrap_err(),
        message(&short)
    );
    assert!(!shown.contains(&short[..10]), "{shown}");
}

#[test]
fn generate_makes_one_fresh_32_byte_key() {
    let (a, b) = (
        SealingKey::generate().unwrap(),
        SealingKey::generate().unwrap(),
    );
    assert_eq!(a.keys.len(), 1);
    assert_eq!(STANDARD.decode(a.to_base64()).unwrap().len(), 32);
    assert_ne!(a.to_base64(), b.to_base64());
}
