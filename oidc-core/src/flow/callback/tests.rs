use super::*;

#[test]
fn parses_a_success_response() {
    let c = Callback::from_query("?code=abc&state=xyz&iss=https%3A%2F%2Fop.example").unwrap();
    assert_eq!(c.code.as_ref().map(|c| c.secret()), Some("abc"));
    assert_eq!(c.state(), Some("xyz"));
    assert_eq!(c.iss.as_deref(), Some("https://op.example"));
    assert_eq!(c.received_by(), ResponseMode::Query);
    assert!(!format!("{c:?}").contains("abc"));
}

#[test]
fn parses_an_error_response() {
    let c = Callback::from_form_post(
        b"error=access_denied&error_description=The+user+cancelled&state=s",
    )
    .unwrap();
    assert_eq!(c.error(), Some("access_denied"));
    assert_eq!(c.error_description.as_deref(), Some("The user cancelled"));
    assert_eq!(c.received_by(), ResponseMode::FormPost);
}

#[test]
fn rejects_duplicates_and_injected_tokens() {
    assert_eq!(
        Callback::from_query("code=a&state=s&state=t").err(),
        Some(CallbackError::DuplicateParameter("state".into()))
    );
    assert_eq!(
        Callback::from_query("code=a&code=b").err(),
        Some(CallbackError::DuplicateParameter("code".into()))
    );
    assert_eq!(
        Callback::from_query("x=1&x=2").err(),
        Some(CallbackError::DuplicateParameter("x".into()))
    );
    assert_eq!(
        Callback::from_query("code=a&state=s&id_token=x").err(),
        Some(CallbackError::UnexpectedParameter("id_token".into()))
    );
}

#[test]
fn rejects_oversized_and_non_utf8_input() {
    let big = format!("code={}", "a".repeat(MAX_CALLBACK_BYTES));
    assert!(matches!(
        Callback::from_query(&big),
        Err(CallbackError::Malformed(_))
    ));
    assert!(matches!(
        Callback::from_form_post(&[0xff, 0xfe]),
        Err(CallbackError::Malformed(_))
    ));
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn encoded(name: &str, value: &str) -> String {
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair(name, value)
            .finish()
    }

    proptest! {
        /// The state comparison of `Login::receive` is exact: equal
        /// strings pass, any different string fails.
        #[test]
        fn state_comparison_is_exact(a in ".{0,64}", b in ".{0,64}") {
            prop_assert!(ct_eq(&a, &a));
            prop_assert_eq!(ct_eq(&a, &b), a == b);
        }

        /// One character more, less or changed is a different state.
        #[test]
        fn near_misses_fail(state in "[A-Za-z0-9_-]{43}", at in any::<prop::sample::Index>(), c in any::<char>()) {
            let i = at.index(state.len());
            let mut changed: Vec<char> = state.chars().collect();
            prop_assume!(changed[i] != c);
            changed[i] = c;
            let changed: String = changed.into_iter().collect();
            prop_assert!(!ct_eq(&state, &changed));
            prop_assert!(!ct_eq(&state, &state[..i]));
            let longer = format!("{state}{c}");
            prop_assert!(!ct_eq(&state, &longer));
        }

        /// The callback hands `receive` exactly the state that was sent,
        /// whatever it contains, in both response modes.
        #[test]
        fn state_survives_the_encoding_exactly(state in ".{0,64}") {
            let body = format!("code=c&{}", encoded("state", &state));
            let posted = Callback::from_form_post(body.as_bytes()).unwrap();
            prop_assert_eq!(posted.state(), Some(state.as_str()));
            let queried = Callback::from_query(&body).unwrap();
            prop_assert_eq!(queried.state(), Some(state.as_str()));
        }

        /// The parser never panics.
        #[test]
        fn arbitrary_input_does_not_panic(input in any::<Vec<u8>>()) {
            let _ = Callback::from_form_post(&input);
            if let Ok(text) = std::str::from_utf8(&input) {
                let _ = Callback::from_query(text);
            }
        }
    }
}

#[test]
fn percent_decoding_is_applied_once() {
    let c = Callback::from_query("state=a%2Bb%20c+d").unwrap();
    assert_eq!(c.state(), Some("a+b c d"));
}

/// A real response has a handful of parameters; past the bound the parse
/// stops, so many short distinct names cost no more than a few real ones.
#[test]
fn refuses_more_parameters_than_a_real_response_has() {
    let names: String = (0..MAX_CALLBACK_PARAMETERS)
        .map(|i| format!("p{i}=1&"))
        .collect();
    let at_the_bound = names.trim_end_matches('&');
    assert!(Callback::from_form_post(at_the_bound.as_bytes()).is_ok());
    let over = format!("{names}code=c&state=s");
    assert_eq!(
        Callback::from_form_post(over.as_bytes()).unwrap_err(),
        CallbackError::Malformed("the response has too many parameters")
    );
    // The worst case of the old quadratic scan: ~9,000 short distinct names
    // in 32 KiB. Refused as soon as the bound is passed.
    let flood: String = (0..9000).map(|i| format!("{i:x}&")).collect();
    let flood = &flood[..flood.len().min(MAX_CALLBACK_BYTES)];
    assert_eq!(
        Callback::from_query(flood).unwrap_err(),
        CallbackError::Malformed("the response has too many parameters")
    );
}
