//! Provider profiles: each profile's published metadata (members present or
//! absent) and a code flow over real HTTP showing the behaviour a relying
//! party meets at that provider.

mod common;

use std::collections::HashMap;

use common::{CHALLENGE, Form, VERIFIER, b64url_json, text_of};
use jsonwebtoken::{DecodingKey, Validation};
use oidc_dev_provider::{ClientAuthMethod, DevClient, DevProvider, Edit, Fault, Profile};
use serde_json::{Map, Value, json};

const ID: &str = "app";
const SECRET: &str = "app-secret";
const REDIRECT: &str = "http://127.0.0.1:9/callback";
const PUBLIC_ID: &str = "native";

/// Where a profile serves its protocol endpoints.
struct Paths {
    discovery: &'static str,
    authorize: &'static str,
    token: &'static str,
    userinfo: &'static str,
    jwks: &'static str,
}

const ROOT_PATHS: Paths = Paths {
    discovery: "/.well-known/openid-configuration",
    authorize: "/authorize",
    token: "/token",
    userinfo: "/userinfo",
    jwks: "/jwks",
};

const KEYCLOAK_PATHS: Paths = Paths {
    discovery: "/realms/dev/.well-known/openid-configuration",
    authorize: "/realms/dev/protocol/openid-connect/auth",
    token: "/realms/dev/protocol/openid-connect/token",
    userinfo: "/realms/dev/protocol/openid-connect/userinfo",
    jwks: "/realms/dev/protocol/openid-connect/certs",
};

/// How a token request authenticates the client.
#[derive(Debug, Clone, Copy)]
enum ClientAuth {
    /// The confidential client, `client_secret_post`.
    Post,
    /// The confidential client, `client_secret_basic`.
    Basic,
    /// The public client: `client_id` and the PKCE verifier.
    Public,
}

struct Env {
    provider: DevProvider,
    http: reqwest::Client,
    /// `http://127.0.0.1:PORT`, whatever the issuer looks like.
    origin: String,
    paths: &'static Paths,
}

async fn start(profile: Profile) -> Env {
    start_with(profile, |b| b).await
}

async fn start_with(
    profile: Profile,
    configure: impl FnOnce(
        oidc_dev_provider::DevProviderBuilder,
    ) -> oidc_dev_provider::DevProviderBuilder,
) -> Env {
    let builder = DevProvider::builder()
        .profile(profile)
        .client(DevClient::confidential(ID, SECRET).redirect_uri(REDIRECT))
        .client(DevClient::public(PUBLIC_ID).redirect_uri(REDIRECT));
    let provider = configure(builder).start().await.expect("provider starts");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http client");
    let origin = format!("http://{}", provider.local_addr());
    let paths = if profile == Profile::Keycloak {
        &KEYCLOAK_PATHS
    } else {
        &ROOT_PATHS
    };
    Env {
        provider,
        http,
        origin,
        paths,
    }
}

impl Env {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }

    async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(self.url(path)).send().await.expect("GET")
    }

    async fn discovery(&self) -> Value {
        let response = self.get(self.paths.discovery).await;
        assert_eq!(response.status(), 200, "discovery is served");
        assert_eq!(
            self.provider.discovery_url(),
            self.url(self.paths.discovery)
        );
        response.json().await.expect("discovery json")
    }

    /// Authorize, sign in as Alice, return the provider's answer.
    async fn sign_in(&self, params: &[(&str, &str)]) -> reqwest::Response {
        let mut url = url::Url::parse(&self.url(self.paths.authorize)).expect("url");
        url.query_pairs_mut().extend_pairs(params);
        let page = self.http.get(url).send().await.expect("authorize");
        assert_eq!(page.status(), 200, "the sign-in page is shown");
        let html = page.text().await.expect("html");
        let form = Form::parse(&html, "#sign-in-form");
        let mut fields = form.fields.clone();
        for field in &mut fields {
            if field.0 == "email" {
                field.1 = "alice@example.com".into();
            }
        }
        self.http
            .post(self.url(&form.action))
            .form(&fields)
            .send()
            .await
            .expect("sign in")
    }

    /// A query-mode sign-in: the redirect's parameters.
    async fn query_sign_in(&self, params: &[(&str, &str)]) -> HashMap<String, String> {
        let response = self.sign_in(params).await;
        redirect_params(&response, false)
    }

    /// A form_post sign-in: the response form's fields.
    async fn form_post_sign_in(&self, params: &[(&str, &str)]) -> Form {
        let response = self.sign_in(params).await;
        assert_eq!(response.status(), 200, "form_post answers with a page");
        let html = response.text().await.expect("html");
        let form = Form::parse(&html, "#response-form");
        assert_eq!(form.action, REDIRECT);
        form
    }

    async fn token(
        &self,
        form: &[(&str, &str)],
        basic: Option<(&str, &str)>,
    ) -> (u16, Value, reqwest::header::HeaderMap) {
        let mut request = self.http.post(self.url(self.paths.token)).form(form);
        if let Some((id, secret)) = basic {
            request = request.basic_auth(id, Some(secret));
        }
        let response = request.send().await.expect("token request");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.json::<Value>().await.expect("json body");
        (status, body, headers)
    }

    /// Redeem `code` for the confidential client with client_secret_post.
    async fn redeem(&self, code: &str) -> Value {
        let (status, body) = self.exchange(code, ClientAuth::Post).await;
        assert_eq!(status, 200, "{body}");
        body
    }

    /// The authorization-code grant for `code`, authenticated as `auth` says.
    async fn exchange(&self, code: &str, auth: ClientAuth) -> (u16, Value) {
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
        ];
        let basic = match auth {
            ClientAuth::Post => {
                form.extend([("client_id", ID), ("client_secret", SECRET)]);
                None
            }
            ClientAuth::Basic => Some((ID, SECRET)),
            ClientAuth::Public => {
                form.extend([("client_id", PUBLIC_ID), ("code_verifier", VERIFIER)]);
                None
            }
        };
        let (status, body, _) = self.token(&form, basic).await;
        (status, body)
    }

    async fn userinfo(&self, access_token: &str) -> reqwest::Response {
        self.http
            .get(self.url(self.paths.userinfo))
            .bearer_auth(access_token)
            .send()
            .await
            .expect("userinfo")
    }

    /// Verify a JWT's signature against the JWKS (at the profile's path)
    /// and its `iss` and `aud`; returns the header and claims.
    async fn verify(
        &self,
        token: &str,
        iss: &str,
        aud: &str,
    ) -> (jsonwebtoken::Header, Map<String, Value>) {
        let jwks: jsonwebtoken::jwk::JwkSet =
            self.get(self.paths.jwks).await.json().await.expect("jwks");
        let header = jsonwebtoken::decode_header(token).expect("header");
        let jwk = jwks
            .find(header.kid.as_deref().expect("kid"))
            .expect("kid in the JWKS");
        let key = DecodingKey::from_jwk(jwk).expect("key");
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[iss]);
        validation.set_audience(&[aud]);
        let data = jsonwebtoken::decode::<Map<String, Value>>(token, &key, &validation)
            .expect("the token verifies");
        (header, data.claims)
    }
}

/// The parameters of a 303 back to [`REDIRECT`], from its query or fragment.
fn redirect_params(response: &reqwest::Response, fragment: bool) -> HashMap<String, String> {
    assert_eq!(response.status(), 303, "a redirect back to the client");
    let location = response.headers()[reqwest::header::LOCATION]
        .to_str()
        .expect("ascii");
    let url = url::Url::parse(location).expect("absolute Location");
    assert_eq!(&url[..url::Position::AfterPath], REDIRECT);
    if fragment {
        assert_eq!(url.query(), None, "nothing in the query");
        url::form_urlencoded::parse(url.fragment().expect("fragment").as_bytes())
            .into_owned()
            .collect()
    } else {
        assert_eq!(url.fragment(), None, "nothing in the fragment");
        url.query_pairs().into_owned().collect()
    }
}

fn params<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut params = vec![
        ("client_id", ID),
        ("redirect_uri", REDIRECT),
        ("response_type", "code"),
        ("scope", "openid email"),
        ("state", "st"),
        ("nonce", "nn"),
    ];
    for (name, value) in extra {
        params.retain(|(n, _)| n != name);
        params.push((name, value));
    }
    params
}

fn claims_of(token: &str) -> (Value, Value) {
    let mut parts = token.split('.');
    let header = b64url_json(parts.next().expect("header"));
    let claims = b64url_json(parts.next().expect("claims"));
    (header, claims)
}

fn alice(env: &Env) -> String {
    env.provider.users()[0].sub.clone()
}

/// Assert the members are absent from the document.
fn assert_absent(doc: &Value, members: &[&str]) {
    for member in members {
        assert!(doc.get(member).is_none(), "{member} must be absent: {doc}");
    }
}

// ---- Guide ----------------------------------------------------------------

#[tokio::test]
async fn guide_is_the_default_and_unchanged() {
    let default = start_with(Profile::Guide, |_| {
        DevProvider::builder().client(DevClient::confidential(ID, SECRET).redirect_uri(REDIRECT))
    })
    .await;
    let guide = start(Profile::Guide).await;
    assert_eq!(default.provider.profile(), Profile::Guide);
    let normalise = |env: &Env, doc: Value| doc.to_string().replace(&env.origin, "ORIGIN");
    let a = normalise(&default, default.discovery().await);
    let b = normalise(&guide, guide.discovery().await);
    assert_eq!(a, b, "Profile::Guide publishes the default document");
    let doc = guide.discovery().await;
    assert_eq!(doc["issuer"], json!(guide.origin));
    assert_eq!(guide.provider.issuer_str(), guide.origin);
    assert_eq!(guide.provider.id_token_issuer(), guide.origin);
    assert_eq!(guide.provider.tenant_id(), None);
    assert_eq!(
        doc["token_endpoint_auth_methods_supported"],
        json!([
            "client_secret_post",
            "client_secret_basic",
            "none",
            "private_key_jwt",
            "client_secret_jwt"
        ])
    );

    let query = guide.query_sign_in(&params(&[])).await;
    assert_eq!(query["iss"], guide.origin);
    let body = guide.redeem(&query["code"]).await;
    assert!(body["userinfo"].is_object(), "the guide's inline userinfo");
}

// ---- Google ---------------------------------------------------------------

#[tokio::test]
async fn google_metadata() {
    let env = start(Profile::Google).await;
    let doc = env.discovery().await;
    assert_eq!(doc["issuer"], json!(env.origin));
    assert_eq!(env.provider.issuer_str(), env.origin);
    assert_absent(
        &doc,
        &[
            "response_modes_supported",
            "prompt_values_supported",
            "authorization_response_iss_parameter_supported",
            "end_session_endpoint",
        ],
    );
    assert_eq!(
        doc["token_endpoint_auth_methods_supported"],
        json!(["client_secret_post", "client_secret_basic"])
    );
    assert_eq!(
        doc["code_challenge_methods_supported"],
        json!(["plain", "S256"])
    );
    assert_eq!(
        doc["id_token_signing_alg_values_supported"],
        json!(["RS256"])
    );
    assert_eq!(doc["userinfo_endpoint"], json!(env.url("/userinfo")));
    assert_eq!(
        env.get("/logout").await.status(),
        404,
        "Google has no logout"
    );
}

#[tokio::test]
async fn google_code_flow_schemeless_iss_and_no_inline_userinfo() {
    let env = start(Profile::Google).await;
    let query = env
        .query_sign_in(&params(&[
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ]))
        .await;
    assert_eq!(query["state"], "st");
    assert!(!query.contains_key("iss"), "no iss parameter: {query:?}");
    let (status, body, _) = env
        .token(
            &[
                ("grant_type", "authorization_code"),
                ("code", &query["code"]),
                ("redirect_uri", REDIRECT),
                ("code_verifier", VERIFIER),
            ],
            Some((ID, SECRET)),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("userinfo").is_none(), "no inline userinfo: {body}");

    let alias = env.origin.trim_start_matches("http://").to_owned();
    assert!(alias.starts_with("127.0.0.1:"));
    assert_eq!(env.provider.id_token_issuer(), alias);
    let id_token = body["id_token"].as_str().expect("id_token");
    let (header, claims) = env.verify(id_token, &alias, ID).await;
    assert_eq!(header.alg, jsonwebtoken::Algorithm::RS256);
    assert_eq!(claims["iss"], json!(alias), "the schemeless issuer alias");
    assert_eq!(claims["azp"], json!(ID));
    assert_eq!(claims["nonce"], json!("nn"));

    let response = env
        .userinfo(body["access_token"].as_str().expect("access"))
        .await;
    assert_eq!(response.status(), 200);
    let info: Value = response.json().await.expect("json");
    assert_eq!(info["sub"], json!(alice(&env)));
    assert_eq!(info["email"], json!("alice@example.com"));
}

#[tokio::test]
async fn google_form_post_works_without_iss_and_plain_pkce_is_still_refused() {
    let env = start(Profile::Google).await;
    let form = env
        .form_post_sign_in(&params(&[("response_mode", "form_post")]))
        .await;
    assert_eq!(form.field("state"), Some("st"));
    assert_eq!(form.field("iss"), None, "no iss parameter");
    let code = form.field("code").expect("code").to_owned();
    env.redeem(&code).await;

    // `plain` is published (as Google does) but the provider keeps
    // requiring S256, so a client that picks plain is caught.
    let mut url = url::Url::parse(&env.url("/authorize")).expect("url");
    url.query_pairs_mut().extend_pairs(params(&[
        ("code_challenge", VERIFIER),
        ("code_challenge_method", "plain"),
    ]));
    let response = env.http.get(url).send().await.expect("authorize");
    let query = redirect_params(&response, false);
    assert_eq!(query["error"], "invalid_request");
}

// ---- Entra ----------------------------------------------------------------

#[tokio::test]
async fn entra_metadata() {
    let env = start(Profile::Entra).await;
    let doc = env.discovery().await;
    assert_eq!(
        doc["issuer"],
        json!(format!("{}/{{tenantid}}/v2.0", env.origin))
    );
    assert_eq!(
        env.provider.issuer_str(),
        env.origin,
        "the configured issuer"
    );
    assert_absent(
        &doc,
        &[
            "code_challenge_methods_supported",
            "authorization_response_iss_parameter_supported",
            "prompt_values_supported",
        ],
    );
    assert_eq!(
        doc["token_endpoint_auth_methods_supported"],
        json!([
            "client_secret_post",
            "private_key_jwt",
            "client_secret_basic"
        ])
    );
    assert_eq!(
        doc["response_modes_supported"],
        json!(["query", "fragment", "form_post"])
    );
    assert_eq!(
        doc["id_token_signing_alg_values_supported"],
        json!(["RS256"])
    );
}

#[tokio::test]
async fn entra_id_token_has_tid_and_the_filled_issuer_template() {
    let env = start(Profile::Entra).await;
    let tid = env.provider.tenant_id().expect("a tenant").to_owned();
    uuid::Uuid::parse_str(&tid).expect("the tenant id is a GUID");
    let iss = format!("{}/{tid}/v2.0", env.origin);
    assert_eq!(env.provider.id_token_issuer(), iss);

    let query = env.query_sign_in(&params(&[])).await;
    assert!(!query.contains_key("iss"), "no iss parameter: {query:?}");
    let body = env.redeem(&query["code"]).await;
    assert!(body.get("userinfo").is_none(), "no inline userinfo: {body}");
    let (_, claims) = env
        .verify(body["id_token"].as_str().expect("id"), &iss, ID)
        .await;
    assert_eq!(claims["tid"], json!(tid));
    assert_eq!(claims["iss"], json!(iss));
    assert_eq!(claims["ver"], json!("2.0"));

    // A plain OpenID sign-in's access token is for Graph: UserInfo serves it.
    let response = env
        .userinfo(body["access_token"].as_str().expect("access"))
        .await;
    assert_eq!(response.status(), 200);
    let info: Value = response.json().await.expect("json");
    assert_eq!(info["sub"], json!(alice(&env)));
}

#[tokio::test]
async fn entra_userinfo_refuses_a_token_for_another_api() {
    let env = start(Profile::Entra).await;
    for (scope, resource) in [
        ("openid api://my-api/.default", "api://my-api"),
        (
            "openid email https://api.example/read",
            "https://api.example",
        ),
    ] {
        let query = env.query_sign_in(&params(&[("scope", scope)])).await;
        let body = env.redeem(&query["code"]).await;
        let access = body["access_token"].as_str().expect("access");
        let (_, claims) = claims_of(access);
        assert_eq!(claims["aud"], json!(resource), "{scope}");

        let response = env.userinfo(access).await;
        assert_eq!(response.status(), 401, "{scope}");
        let challenge = response.headers()[reqwest::header::WWW_AUTHENTICATE]
            .to_str()
            .expect("ascii");
        assert!(challenge.starts_with("Bearer "), "{challenge}");
        assert!(
            challenge.contains(r#"error="invalid_token""#),
            "{challenge}"
        );

        // The ID token is unaffected.
        let tid = env.provider.tenant_id().expect("tid");
        let (_, id_claims) = env
            .verify(
                body["id_token"].as_str().expect("id"),
                env.provider.id_token_issuer(),
                ID,
            )
            .await;
        assert_eq!(id_claims["tid"], json!(tid));
    }
}

#[tokio::test]
async fn entra_fragment_response_mode() {
    let env = start(Profile::Entra).await;
    let response = env.sign_in(&params(&[("response_mode", "fragment")])).await;
    let fragment = redirect_params(&response, true);
    assert_eq!(fragment["state"], "st");
    assert!(fragment.contains_key("code"));
    assert!(!fragment.contains_key("iss"));
}

// ---- Auth0 ----------------------------------------------------------------

#[tokio::test]
async fn auth0_metadata_and_trailing_slash_issuer() {
    let env = start(Profile::Auth0).await;
    let issuer = format!("{}/", env.origin);
    assert_eq!(env.provider.issuer_str(), issuer);
    assert_eq!(env.provider.issuer().as_str(), issuer);
    let doc = env.discovery().await;
    assert_eq!(doc["issuer"], json!(issuer));
    assert_eq!(doc["token_endpoint"], json!(env.url("/token")), "no //");
    assert_eq!(
        doc["token_endpoint_auth_methods_supported"],
        json!([
            "client_secret_basic",
            "client_secret_post",
            "private_key_jwt"
        ])
    );
    assert_eq!(
        doc["response_modes_supported"],
        json!(["query", "fragment", "form_post"])
    );
    assert_eq!(
        doc["id_token_signing_alg_values_supported"],
        json!(["HS256", "RS256", "PS256"])
    );
    assert_eq!(
        doc["code_challenge_methods_supported"],
        json!(["S256", "plain"])
    );
    assert_absent(&doc, &["authorization_response_iss_parameter_supported"]);
}

#[tokio::test]
async fn auth0_audience_gives_a_jwt_access_token_for_that_api() {
    let env = start(Profile::Auth0).await;
    let issuer = env.provider.issuer_str().to_owned();
    let audience = "https://api.example.com/";
    let query = env.query_sign_in(&params(&[("audience", audience)])).await;
    assert!(!query.contains_key("iss"));
    let body = env.redeem(&query["code"]).await;
    assert!(body.get("userinfo").is_none(), "no inline userinfo: {body}");

    let (header, claims) = env
        .verify(body["id_token"].as_str().expect("id"), &issuer, ID)
        .await;
    assert_eq!(header.alg, jsonwebtoken::Algorithm::RS256, "signed RS256");
    assert_eq!(claims["iss"], json!(issuer), "with the trailing slash");

    let access = body["access_token"].as_str().expect("access");
    let (header, claims) = env.verify(access, &issuer, audience).await;
    assert_eq!(header.typ.as_deref(), Some("at+jwt"));
    assert_eq!(
        claims["aud"],
        json!([audience, env.url("/userinfo")]),
        "the API and the userinfo endpoint"
    );
    assert_eq!(claims["client_id"], json!(ID));
    assert_eq!(claims["scope"], json!("openid email"));
    assert_eq!(claims["sub"], json!(alice(&env)));
    for claim in ["iat", "exp", "jti"] {
        assert!(claims.contains_key(claim), "{claim}");
    }
    assert_eq!(env.userinfo(access).await.status(), 200);

    // Without `audience`, the access token is the usual one.
    let query = env.query_sign_in(&params(&[])).await;
    let body = env.redeem(&query["code"]).await;
    let (_, claims) = claims_of(body["access_token"].as_str().expect("access"));
    assert_eq!(claims["aud"], json!(format!("{}/api", env.origin)));
}

// ---- Keycloak -------------------------------------------------------------

#[tokio::test]
async fn keycloak_metadata_and_realm_paths() {
    let env = start(Profile::Keycloak).await;
    let issuer = format!("{}/realms/dev", env.origin);
    assert_eq!(env.provider.issuer_str(), issuer);
    let doc = env.discovery().await;
    assert_eq!(doc["issuer"], json!(issuer));
    let oidc = format!("{issuer}/protocol/openid-connect");
    assert_eq!(doc["authorization_endpoint"], json!(format!("{oidc}/auth")));
    assert_eq!(doc["token_endpoint"], json!(format!("{oidc}/token")));
    assert_eq!(doc["userinfo_endpoint"], json!(format!("{oidc}/userinfo")));
    assert_eq!(doc["jwks_uri"], json!(format!("{oidc}/certs")));
    assert_eq!(doc["end_session_endpoint"], json!(format!("{oidc}/logout")));
    assert_eq!(
        doc["token_endpoint_auth_methods_supported"],
        json!([
            "private_key_jwt",
            "client_secret_basic",
            "client_secret_post",
            "tls_client_auth",
            "client_secret_jwt"
        ])
    );
    let algs = doc["id_token_signing_alg_values_supported"]
        .as_array()
        .expect("algs");
    for alg in [
        "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256",
        "PS384", "PS512", "EdDSA",
    ] {
        assert!(algs.contains(&json!(alg)), "{alg}");
    }
    assert_eq!(
        doc["code_challenge_methods_supported"],
        json!(["plain", "S256"])
    );
    assert_eq!(
        doc["response_modes_supported"],
        json!([
            "query",
            "fragment",
            "form_post",
            "query.jwt",
            "fragment.jwt",
            "form_post.jwt",
            "jwt"
        ])
    );
    assert_eq!(
        doc["authorization_response_iss_parameter_supported"],
        json!(true)
    );
    // Only what is implemented is listed.
    assert_absent(&doc, &["introspection_endpoint", "revocation_endpoint"]);
    // The root paths are not served.
    for path in ["/.well-known/openid-configuration", "/token", "/jwks"] {
        assert_eq!(env.get(path).await.status(), 404, "{path}");
    }
}

#[tokio::test]
async fn keycloak_code_flow_on_the_realm_paths() {
    let env = start(Profile::Keycloak).await;
    let issuer = env.provider.issuer_str().to_owned();
    let query = env.query_sign_in(&params(&[])).await;
    assert_eq!(query["iss"], issuer, "RFC 9207 iss is the realm issuer");
    let body = env.redeem(&query["code"]).await;
    assert!(body.get("userinfo").is_none(), "no inline userinfo: {body}");
    let (_, claims) = env
        .verify(body["id_token"].as_str().expect("id"), &issuer, ID)
        .await;
    assert_eq!(claims["iss"], json!(issuer));
    assert_eq!(claims["azp"], json!(ID));
    let response = env
        .userinfo(body["access_token"].as_str().expect("access"))
        .await;
    assert_eq!(response.status(), 200);
    assert!(
        env.provider
            .requests()
            .iter()
            .any(|r| r.path == KEYCLOAK_PATHS.token),
        "the request log has the realm path"
    );

    // Injected faults follow the moved endpoints.
    env.provider
        .inject(Fault::discovery(Edit::remove("jwks_uri")).once());
    let doc = env.discovery().await;
    assert!(doc.get("jwks_uri").is_none(), "the discovery fault applied");
    assert!(env.discovery().await.get("jwks_uri").is_some());
}

// ---- Apple ----------------------------------------------------------------

#[tokio::test]
async fn apple_metadata() {
    let env = start(Profile::Apple).await;
    let doc = env.discovery().await;
    assert_eq!(doc["issuer"], json!(env.origin));
    assert_absent(
        &doc,
        &[
            "userinfo_endpoint",
            "end_session_endpoint",
            "code_challenge_methods_supported",
            "authorization_response_iss_parameter_supported",
        ],
    );
    assert_eq!(
        doc["token_endpoint_auth_methods_supported"],
        json!(["client_secret_post"])
    );
    assert_eq!(
        doc["response_modes_supported"],
        json!(["query", "fragment", "form_post"])
    );
    assert_eq!(
        doc["id_token_signing_alg_values_supported"],
        json!(["RS256"])
    );
    assert_eq!(env.get("/userinfo").await.status(), 404, "no UserInfo");
}

#[tokio::test]
async fn apple_user_field_only_on_the_first_form_post_sign_in() {
    let env = start(Profile::Apple).await;
    let apple = params(&[
        ("scope", "openid name email"),
        ("response_mode", "form_post"),
    ]);

    let first = env.form_post_sign_in(&apple).await;
    assert_eq!(first.field("iss"), None);
    let user: Value =
        serde_json::from_str(first.field("user").expect("user field")).expect("user is JSON");
    assert_eq!(
        user,
        json!({
            "name": { "firstName": "Alice", "lastName": "Example" },
            "email": "alice@example.com",
        })
    );
    let body = env.redeem(first.field("code").expect("code")).await;
    assert!(body.get("userinfo").is_none(), "no inline userinfo: {body}");
    let (_, claims) = env
        .verify(body["id_token"].as_str().expect("id"), &env.origin, ID)
        .await;
    assert_eq!(claims["email"], json!("alice@example.com"));
    assert_eq!(claims["email_verified"], json!("true"), "a string");
    assert_eq!(claims["is_private_email"], json!("false"), "a string");

    let second = env.form_post_sign_in(&apple).await;
    assert!(second.field("code").is_some());
    assert_eq!(second.field("user"), None, "only on the first sign-in");
}

#[tokio::test]
async fn apple_requires_form_post_for_name_or_email_and_client_secret_post() {
    let env = start(Profile::Apple).await;
    let mut url = url::Url::parse(&env.url("/authorize")).expect("url");
    url.query_pairs_mut()
        .extend_pairs(params(&[("scope", "openid email")]));
    let response = env.http.get(url).send().await.expect("authorize");
    let query = redirect_params(&response, false);
    assert_eq!(query["error"], "invalid_request");

    // Without name/email, query mode is fine; client_secret_basic is not
    // published, so it is refused even though the client allows it.
    let query = env.query_sign_in(&params(&[("scope", "openid")])).await;
    let (status, body) = env.exchange(&query["code"], ClientAuth::Basic).await;
    assert_eq!((status, &body["error"]), (401, &json!("invalid_client")));
}

// ---- The builder knobs ----------------------------------------------------

#[tokio::test]
async fn absent_auth_methods_mean_client_secret_basic_only() {
    let env = start_with(Profile::Guide, |b| {
        b.token_endpoint_auth_methods_supported(None)
    })
    .await;
    assert_absent(
        &env.discovery().await,
        &["token_endpoint_auth_methods_supported"],
    );

    let query = env.query_sign_in(&params(&[])).await;
    let (status, body) = env.exchange(&query["code"], ClientAuth::Post).await;
    assert_eq!((status, &body["error"]), (401, &json!("invalid_client")));

    let query = env.query_sign_in(&params(&[])).await;
    let (status, body) = env.exchange(&query["code"], ClientAuth::Basic).await;
    assert_eq!(status, 200, "{body}");

    // Public clients (none + PKCE) stay allowed.
    let query = env
        .query_sign_in(&params(&[
            ("client_id", PUBLIC_ID),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ]))
        .await;
    let (status, body) = env.exchange(&query["code"], ClientAuth::Public).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn published_auth_methods_are_enforced() {
    let env = start_with(Profile::Guide, |b| {
        b.token_endpoint_auth_methods_supported(Some(vec!["client_secret_post"]))
            .client(
                DevClient::confidential("basic-only", "s")
                    .redirect_uri(REDIRECT)
                    .auth_methods([ClientAuthMethod::ClientSecretBasic]),
            )
    })
    .await;
    let doc = env.discovery().await;
    assert_eq!(
        doc["token_endpoint_auth_methods_supported"],
        json!(["client_secret_post"])
    );

    let query = env.query_sign_in(&params(&[])).await;
    let (status, body) = env.exchange(&query["code"], ClientAuth::Basic).await;
    assert_eq!((status, &body["error"]), (401, &json!("invalid_client")));
    assert!(
        body["error_description"]
            .as_str()
            .is_some_and(|d| d.contains("client_secret_basic")),
        "{body}"
    );
    // The code was not spent by a refused client: post works.
    env.redeem(&query["code"]).await;

    // The profile's list is overridden too.
    let apple = start_with(Profile::Apple, |b| {
        b.token_endpoint_auth_methods_supported(Some(vec!["client_secret_basic"]))
    })
    .await;
    assert_eq!(
        apple.discovery().await["token_endpoint_auth_methods_supported"],
        json!(["client_secret_basic"])
    );
}

#[tokio::test]
async fn code_challenge_methods_knob_is_metadata_only() {
    let absent = start_with(Profile::Guide, |b| b.code_challenge_methods_supported(None)).await;
    assert_absent(
        &absent.discovery().await,
        &["code_challenge_methods_supported"],
    );
    // S256 still works when the member is absent.
    let query = absent
        .query_sign_in(&params(&[
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ]))
        .await;
    assert!(query.contains_key("code"));

    let listed = start_with(Profile::Entra, |b| {
        b.code_challenge_methods_supported(Some(vec!["S256", "plain"]))
    })
    .await;
    assert_eq!(
        listed.discovery().await["code_challenge_methods_supported"],
        json!(["S256", "plain"])
    );
    let mut url = url::Url::parse(&listed.url("/authorize")).expect("url");
    url.query_pairs_mut().extend_pairs(params(&[
        ("code_challenge", VERIFIER),
        ("code_challenge_method", "plain"),
    ]));
    let response = listed.http.get(url).send().await.expect("authorize");
    assert_eq!(
        redirect_params(&response, false)["error"],
        "invalid_request"
    );
}

#[tokio::test]
async fn home_page_links_the_profiles_discovery_document() {
    for profile in [Profile::Auth0, Profile::Keycloak] {
        let env = start(profile).await;
        let html = env.get("/").await.text().await.expect("html");
        assert_eq!(
            text_of(&html, "#issuer").as_deref(),
            Some(env.provider.issuer_str())
        );
        assert!(html.contains(&env.provider.discovery_url()), "{html}");
    }
}
