//! Helpers shared by the integration tests: start a provider, drive its
//! pages over real loopback HTTP, verify tokens against its JWKS.

#![allow(dead_code, unreachable_pub)]

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{DecodingKey, Validation};
use oidc_dev_provider::{DevClient, DevProvider, SigningAlg};
use scraper::{Html, Selector};
use serde_json::{Map, Value};

pub const WEB_ID: &str = "web-app";
pub const WEB_SECRET: &str = "web-secret";
pub const WEB_REDIRECT: &str = "http://127.0.0.1:9/callback";
pub const CLI_ID: &str = "cli-app";
pub const CLI_REDIRECT: &str = "http://127.0.0.1:9/cli/callback";
pub const POST_ONLY_ID: &str = "post-only";
pub const ES_ID: &str = "es-app";
pub const ED_ID: &str = "ed-app";
pub const LOGOUT_REDIRECT: &str = "http://127.0.0.1:9/signed-out";

/// The PKCE verifier from RFC 7636 Appendix B and its S256 challenge.
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

pub struct Env {
    pub provider: DevProvider,
    pub http: reqwest::Client,
}

pub async fn start() -> Env {
    start_with(|b| b).await
}

pub async fn start_with(
    configure: impl FnOnce(
        oidc_dev_provider::DevProviderBuilder,
    ) -> oidc_dev_provider::DevProviderBuilder,
) -> Env {
    let builder = DevProvider::builder()
        .client(
            DevClient::confidential(WEB_ID, WEB_SECRET)
                .redirect_uri(WEB_REDIRECT)
                .post_logout_redirect_uri(LOGOUT_REDIRECT),
        )
        .client(DevClient::public(CLI_ID).redirect_uri(CLI_REDIRECT))
        .client(
            DevClient::confidential(POST_ONLY_ID, "post-secret")
                .redirect_uri(WEB_REDIRECT)
                .auth_methods([oidc_dev_provider::ClientAuthMethod::ClientSecretPost]),
        )
        .client(
            DevClient::confidential(ES_ID, "es-secret")
                .redirect_uri(WEB_REDIRECT)
                .id_token_alg(SigningAlg::ES256),
        )
        .client(
            DevClient::confidential(ED_ID, "ed-secret")
                .redirect_uri(WEB_REDIRECT)
                .id_token_alg(SigningAlg::EdDSA),
        );
    let provider = configure(builder).start().await.expect("provider starts");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http client");
    Env { provider, http }
}

impl Env {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.provider.issuer_str())
    }

    /// `GET /authorize` with these parameters.
    pub async fn authorize(&self, params: &[(&str, &str)]) -> reqwest::Response {
        let mut url = url::Url::parse(&self.url("/authorize")).expect("url");
        url.query_pairs_mut().extend_pairs(params);
        self.http.get(url).send().await.expect("authorize request")
    }

    /// Post a parsed form (relative action) with some fields overridden.
    pub async fn submit(&self, form: &Form, overrides: &[(&str, &str)]) -> reqwest::Response {
        let mut fields = form.fields.clone();
        for (name, value) in overrides {
            if let Some(field) = fields.iter_mut().find(|(n, _)| n == name) {
                field.1 = (*value).to_owned();
            } else {
                fields.push(((*name).to_owned(), (*value).to_owned()));
            }
        }
        let action = if form.action.starts_with('/') {
            self.url(&form.action)
        } else {
            form.action.clone()
        };
        self.http
            .post(action)
            .form(&fields)
            .send()
            .await
            .expect("form post")
    }

    /// Start an authorization request for `client_id` and sign in as `email`
    /// on the sign-in page; returns the provider's response to the sign-in.
    pub async fn sign_in(&self, params: &[(&str, &str)], email: &str) -> reqwest::Response {
        let response = self.authorize(params).await;
        assert_eq!(response.status(), 200, "the sign-in page is shown");
        let html = response.text().await.expect("body");
        let form = Form::parse(&html, "#sign-in-form");
        self.submit(&form, &[("email", email)]).await
    }

    /// A full query-mode login for the confidential web client; returns the code.
    pub async fn web_code(&self, extra: &[(&str, &str)]) -> String {
        let mut params = vec![
            ("client_id", WEB_ID),
            ("redirect_uri", WEB_REDIRECT),
            ("response_type", "code"),
            ("scope", "openid email"),
            ("state", "st"),
            ("nonce", "n-0S6_WzA2Mj"),
        ];
        params.extend_from_slice(extra);
        let response = self.sign_in(&params, "alice@example.com").await;
        let query = redirect_query(&response, WEB_REDIRECT);
        query.get("code").cloned().expect("code")
    }

    /// POST /token with a form (and optional Basic credentials).
    pub async fn token(
        &self,
        form: &[(&str, &str)],
        basic: Option<(&str, &str)>,
    ) -> (u16, Value, reqwest::header::HeaderMap) {
        let mut request = self.http.post(self.url("/token")).form(form);
        if let Some((id, secret)) = basic {
            request = request.basic_auth(id, Some(secret));
        }
        let response = request.send().await.expect("token request");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.json::<Value>().await.expect("json body");
        (status, body, headers)
    }

    pub async fn jwks(&self) -> JwkSet {
        self.http
            .get(self.url("/jwks"))
            .send()
            .await
            .expect("jwks")
            .json()
            .await
            .expect("jwks json")
    }

    /// Verify a JWT against the provider's JWKS; returns (header typ, alg, claims).
    pub async fn verify(
        &self,
        token: &str,
        aud: &str,
    ) -> (jsonwebtoken::Header, Map<String, Value>) {
        let jwks = self.jwks().await;
        let header = jsonwebtoken::decode_header(token).expect("header");
        let kid = header.kid.clone().expect("kid");
        let jwk = jwks.find(&kid).expect("kid is in the JWKS");
        let key = DecodingKey::from_jwk(jwk).expect("decoding key");
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[self.provider.issuer_str()]);
        validation.set_audience(&[aud]);
        validation.leeway = 0;
        let data = jsonwebtoken::decode::<Map<String, Value>>(token, &key, &validation)
            .expect("the token verifies against the JWKS");
        (header, data.claims)
    }
}

/// A form found in a page.
#[derive(Debug, Clone)]
pub struct Form {
    pub action: String,
    pub method: String,
    pub fields: Vec<(String, String)>,
}

impl Form {
    /// Parse the form matching `selector`, with every `<input>` (hidden or
    /// not) that has a name.
    pub fn parse(html: &str, selector: &str) -> Form {
        Self::parse_all(html, selector)
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no form {selector} in:\n{html}"))
    }

    pub fn parse_all(html: &str, selector: &str) -> Vec<Form> {
        let doc = Html::parse_document(html);
        let form_sel = Selector::parse(selector).expect("selector");
        let input_sel = Selector::parse("input[name]").expect("selector");
        doc.select(&form_sel)
            .map(|form| Form {
                action: form.attr("action").unwrap_or_default().to_owned(),
                method: form.attr("method").unwrap_or("get").to_owned(),
                fields: form
                    .select(&input_sel)
                    .map(|i| {
                        (
                            i.attr("name").unwrap_or_default().to_owned(),
                            i.attr("value").unwrap_or_default().to_owned(),
                        )
                    })
                    .collect(),
            })
            .collect()
    }

    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Text of the first element matching `selector`.
pub fn text_of(html: &str, selector: &str) -> Option<String> {
    let doc = Html::parse_document(html);
    let sel = Selector::parse(selector).expect("selector");
    doc.select(&sel)
        .next()
        .map(|e| e.text().collect::<String>().trim().to_owned())
}

/// Assert a 303 to `expected_base` and return the query parameters.
pub fn redirect_query(
    response: &reqwest::Response,
    expected_base: &str,
) -> HashMap<String, String> {
    assert_eq!(response.status(), 303, "a 303 redirect back to the client");
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .expect("Location");
    let url = url::Url::parse(location).expect("absolute Location");
    let base = format!("{}{}", &url[..url::Position::BeforePath], url.path());
    assert_eq!(base, expected_base);
    url.query_pairs().into_owned().collect()
}

pub fn b64url_json(part: &str) -> Value {
    let bytes = URL_SAFE_NO_PAD.decode(part).expect("base64url");
    serde_json::from_slice(&bytes).expect("json")
}

/// Parameters of a query-mode request for the web client; `extra`
/// overrides or adds parameters.
pub fn web_params<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut params = vec![
        ("client_id", WEB_ID),
        ("redirect_uri", WEB_REDIRECT),
        ("response_type", "code"),
        ("scope", "openid email"),
        ("state", "opaque state/+= value"),
    ];
    for (name, value) in extra {
        params.retain(|(n, _)| n != name);
        params.push((name, value));
    }
    params
}
