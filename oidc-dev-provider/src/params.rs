//! Form and query parameter parsing with OAuth's rules: a parameter sent
//! without a value counts as omitted, and a parameter sent twice is an error
//! (RFC 6749 section 3.1).

use std::collections::HashMap;

/// Parsed `application/x-www-form-urlencoded` parameters.
#[derive(Debug, Default, Clone)]
pub(crate) struct Params {
    values: HashMap<String, String>,
    duplicates: Vec<String>,
}

impl Params {
    /// Parse a query string or a form body. Never fails: invalid percent
    /// escapes decode lossily, which later validation rejects.
    pub(crate) fn parse(input: &[u8]) -> Self {
        let mut params = Params::default();
        for (key, value) in url::form_urlencoded::parse(input) {
            if value.is_empty() {
                continue;
            }
            let key = key.into_owned();
            if params.values.contains_key(&key) {
                if !params.duplicates.contains(&key) {
                    params.duplicates.push(key);
                }
                continue;
            }
            params.values.insert(key, value.into_owned());
        }
        params
    }

    /// The value of `name`, if sent with a non-empty value.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// Whether `name` was sent more than once.
    pub(crate) fn is_duplicated(&self, name: &str) -> bool {
        self.duplicates.iter().any(|d| d == name)
    }

    /// The first parameter sent more than once, if any.
    pub(crate) fn first_duplicate(&self) -> Option<&str> {
        self.duplicates.first().map(String::as_str)
    }
}

/// Whether the request body is `application/x-www-form-urlencoded`.
pub(crate) fn is_form(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_values_are_omitted_and_duplicates_flagged() {
        let p = Params::parse(b"a=1&b=&c=x%20y&a=2&d=+");
        assert_eq!(p.get("a"), Some("1"));
        assert_eq!(p.get("b"), None);
        assert_eq!(p.get("c"), Some("x y"));
        assert_eq!(p.get("d"), Some(" "));
        assert!(p.is_duplicated("a"));
        assert_eq!(p.first_duplicate(), Some("a"));
    }

    #[test]
    fn garbage_does_not_panic() {
        let p = Params::parse(b"%zz=%&&=&\xff\xfe=1");
        assert!(p.first_duplicate().is_none());
    }
}
