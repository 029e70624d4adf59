//! What the SDK tells `tracing`: a span per step of a login, of a device sign-in and of a
//! refresh (discovery, token request, JWKS, UserInfo) with the provider's
//! host, the outcome and `elapsed_ms`; exactly one `warn` event per refused
//! login naming the failed check, from the typestate flow and from the web
//! glue; and no secret anywhere in what was logged.
//!
//! Each test captures `oidc_core`'s spans and events with a small
//! collecting layer plus the plain `fmt` output, on its own thread's
//! dispatcher (`#[tokio::test]` runs the SDK, the dev provider and the app
//! on that one thread), set with `log_capture::scoped` so that the tests of
//! this and every other module may run alongside.

use axum::Router;
use oidc_core::web::{Oidc, memory_session_layer};
use oidc_core::{IdTokenError, Login, Redirected, TokenError, Unstarted};
use oidc_dev_provider::{Fault, Profile, Signing};
use std::collections::BTreeMap;
use std::fmt;
use std::io::Write;
use std::sync::{Arc, Mutex};
use tests::browser::Browser;
use tests::dev_login::{Delivered, UserAction, authorize, deliver};
use tests::fixture::{Fixture, Site, USER, sign_in_at};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

// ---- the capture ------------------------------------------------------------------------

/// A span as the subscriber saw it: its fields as created and recorded.
#[derive(Debug, Clone)]
struct SpanRecord {
    name: &'static str,
    level: Level,
    parent: Option<&'static str>,
    fields: BTreeMap<String, String>,
}

/// An event, with the name of the span it happened in.
#[derive(Debug, Clone)]
struct EventRecord {
    level: Level,
    target: String,
    span: Option<&'static str>,
    fields: BTreeMap<String, String>,
}

#[derive(Debug, Default)]
struct Records {
    spans: Vec<SpanRecord>,
    /// Live span id → index in `spans` (ids are reused once closed).
    live: BTreeMap<u64, usize>,
    events: Vec<EventRecord>,
}

#[derive(Clone, Default)]
struct Capture {
    records: Arc<Mutex<Records>>,
    /// The plain `fmt` output, as an application's log would show it.
    text: Arc<Mutex<Vec<u8>>>,
}

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

impl<S> Layer<S> for Capture
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        attrs.record(&mut Fields(&mut fields));
        let parent = ctx
            .span(id)
            .and_then(|span| span.parent())
            .map(|parent| parent.name());
        let mut records = self.records.lock().unwrap();
        records.spans.push(SpanRecord {
            name: attrs.metadata().name(),
            level: *attrs.metadata().level(),
            parent,
            fields,
        });
        let index = records.spans.len() - 1;
        records.live.insert(id.into_u64(), index);
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, _ctx: Context<'_, S>) {
        let mut records = self.records.lock().unwrap();
        if let Some(&index) = records.live.get(&id.into_u64()) {
            values.record(&mut Fields(&mut records.spans[index].fields));
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        let span = ctx.event_span(event).map(|span| span.name());
        self.records.lock().unwrap().events.push(EventRecord {
            level: *event.metadata().level(),
            target: event.metadata().target().to_owned(),
            span,
            fields,
        });
    }

    fn on_close(&self, id: Id, _ctx: Context<'_, S>) {
        self.records.lock().unwrap().live.remove(&id.into_u64());
    }
}

struct Writer(Arc<Mutex<Vec<u8>>>);

impl Write for Writer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Capture {
    /// Collects everything `oidc_core` logs on this thread until the guard drops.
    fn start() -> (Self, tracing::subscriber::DefaultGuard) {
        let capture = Self::default();
        let text = Arc::clone(&capture.text);
        let subscriber = tracing_subscriber::registry()
            .with(capture.clone())
            .with(
                tracing_subscriber::fmt::layer()
                    .with_ansi(false)
                    .with_writer(move || Writer(Arc::clone(&text))),
            )
            .with(Targets::new().with_target("oidc_core", Level::TRACE));
        // Not `set_default` alone: see `log_capture` for what tests of
        // other modules, running at once, would otherwise take away.
        let guard = crate::log_capture::scoped(subscriber);
        (capture, guard)
    }

    fn spans(&self, name: &str) -> Vec<SpanRecord> {
        let records = self.records.lock().unwrap();
        records
            .spans
            .iter()
            .filter(|span| span.name == name)
            .cloned()
            .collect()
    }

    /// The one span called `name`.
    fn span(&self, name: &str) -> SpanRecord {
        let spans = self.spans(name);
        assert_eq!(spans.len(), 1, "one {name} span: {spans:#?}");
        spans.into_iter().next().unwrap()
    }

    fn events(&self) -> Vec<EventRecord> {
        self.records.lock().unwrap().events.clone()
    }

    /// Warnings (and worse) since the last `clear`.
    fn warnings(&self) -> Vec<EventRecord> {
        self.events()
            .into_iter()
            .filter(|e| e.level <= Level::WARN)
            .collect()
    }

    /// The one warning since the last `clear`, which must be a "login
    /// refused" event: its `check`.
    fn refused_check(&self) -> String {
        let warnings = self.warnings();
        assert_eq!(warnings.len(), 1, "exactly one warning: {warnings:#?}");
        let event = &warnings[0];
        assert_eq!(event.level, Level::WARN);
        assert_eq!(event.target, "oidc_core::login");
        assert_eq!(event.fields["message"], "login refused");
        assert!(
            !event.fields.get("error").is_none_or(String::is_empty),
            "the error's message is logged: {event:?}"
        );
        event.fields["check"].clone()
    }

    fn clear(&self) {
        let mut records = self.records.lock().unwrap();
        records.events.clear();
        records.spans.clear();
    }

    /// Everything captured, as one text: the `fmt` output and every field.
    fn all_text(&self) -> String {
        let mut all = String::from_utf8(self.text.lock().unwrap().clone()).unwrap();
        let records = self.records.lock().unwrap();
        for span in &records.spans {
            all.push_str(&format!("{span:?}\n"));
        }
        for event in &records.events {
            all.push_str(&format!("{event:?}\n"));
        }
        all
    }

    /// No secret appears anywhere in what was logged.
    fn assert_free_of(&self, secrets: &[(&str, String)]) {
        let all = self.all_text();
        assert!(!all.is_empty());
        for (what, secret) in secrets {
            assert!(secret.len() >= 8, "{what} is a real value: {secret:?}");
            assert!(
                !all.contains(secret.as_str()),
                "the {what} was logged:\n{all}"
            );
        }
    }
}

/// A step span as this crate writes them: the host, then `ok` and a number
/// of milliseconds once done, and a `done` event carrying both (`DEBUG` for
/// a step that went well, so a busy site's `INFO` log is not four lines
/// per login; `INFO` for one that failed).
fn assert_step(capture: &Capture, span: &SpanRecord, host: &str, outcome: &str) {
    assert_eq!(span.level, Level::INFO, "{span:?}");
    assert_eq!(span.fields["host"], host, "{span:?}");
    assert_eq!(span.fields["outcome"], outcome, "{span:?}");
    let elapsed: u64 = span.fields["elapsed_ms"]
        .parse()
        .unwrap_or_else(|_| panic!("elapsed_ms is a number: {span:?}"));
    assert!(elapsed < 60_000, "{span:?}");
    let level = if outcome == "ok" {
        Level::DEBUG
    } else {
        Level::INFO
    };
    assert!(
        capture.events().iter().any(|e| e.span == Some(span.name)
            && e.level == level
            && e.fields.get("message").map(String::as_str) == Some("done")
            && e.fields.get("outcome").map(String::as_str) == Some(outcome)
            && e.fields.contains_key("elapsed_ms")),
        "a {level} done event in {}",
        span.name
    );
}

// ---- helpers -----------------------------------------------------------------------------

const REDIRECT_URI: &str = "http://127.0.0.1:9/callback";

/// The provider's `host:port`, as spans name it.
fn host_of(provider: &Fixture) -> String {
    let issuer = provider.issuer();
    format!(
        "{}:{}",
        issuer.host_str().unwrap(),
        issuer.port_or_known_default().unwrap()
    )
}

/// A started login, the user signed in at the provider, and the values a
/// log must never show.
struct Started {
    login: Login<Redirected>,
    delivered: Delivered,
    secrets: Vec<(&'static str, String)>,
}

async fn start_login(provider: &Fixture, login: Login<Unstarted>) -> Started {
    let (request, login) = login.redirect().unwrap();
    let param = |name: &str| {
        request
            .url()
            .query_pairs()
            .find(|(n, _)| n == name)
            .unwrap()
            .1
            .into_owned()
    };
    let pending = serde_json::to_value(login.pending()).unwrap();
    let (delivered, _) = authorize(
        &Browser::new(),
        request.url(),
        REDIRECT_URI,
        UserAction::SignIn(USER),
    )
    .await
    .unwrap();
    let code = delivered
        .params()
        .into_iter()
        .find(|(name, _)| name == "code")
        .unwrap()
        .1;
    Started {
        login,
        delivered,
        secrets: vec![
            ("state", param("state")),
            ("nonce", param("nonce")),
            ("code challenge", param("code_challenge")),
            (
                "PKCE verifier",
                pending["pkce_verifier"].as_str().unwrap().to_owned(),
            ),
            ("authorization code", code),
            ("client secret", provider.client_secret.clone()),
        ],
    }
}

fn token_secrets(tokens: &oidc_core::TokenSet) -> Vec<(&'static str, String)> {
    vec![
        ("access token", tokens.access_token.secret().to_owned()),
        (
            "refresh token",
            tokens.refresh_token.as_ref().unwrap().secret().to_owned(),
        ),
        (
            "ID token",
            tokens.id_token.as_ref().unwrap().secret().to_owned(),
        ),
    ]
}

// ---- (a) a login and a refresh, step by step ----------------------------------------------

/// Keycloak's shape: no inline `userinfo`, so the login calls UserInfo.
#[tokio::test]
async fn a_login_and_a_refresh_have_a_span_per_step_with_host_outcome_and_duration() {
    let provider = Fixture::builder("traced-app", "traced-secret", REDIRECT_URI)
        .provider(|p| p.profile(Profile::Keycloak))
        .start()
        .await;
    let host = host_of(&provider);
    let (capture, _guard) = Capture::start();

    let client = provider.client().await;
    assert_step(&capture, &capture.span("oidc.discovery"), &host, "ok");

    let started = start_login(&provider, client.login()).await;
    let mut secrets = started.secrets;
    let login = started
        .login
        .receive(started.delivered.callback().unwrap())
        .unwrap()
        .exchange()
        .await
        .expect("signed in");
    assert!(
        provider
            .requests()
            .iter()
            .any(|r| r.path.ends_with("/userinfo")),
        "the claims came from UserInfo"
    );

    let login_span = capture.span("oidc.login");
    assert_step(&capture, &login_span, &host, "ok");
    for name in ["oidc.token_request", "oidc.jwks_fetch", "oidc.userinfo"] {
        let step = capture.span(name);
        assert_step(&capture, &step, &host, "ok");
        assert_eq!(step.parent, Some("oidc.login"), "{step:?}");
    }
    assert_eq!(
        capture.span("oidc.token_request").fields["grant"],
        "authorization_code"
    );
    assert!(capture.warnings().is_empty(), "{:#?}", capture.warnings());

    // The refresh: an outer span and its token request (the keys are cached).
    capture.clear();
    let tokens = login.tokens().clone();
    secrets.extend(token_secrets(&tokens));
    let refreshed = client
        .refresh(&tokens, login.id_token_claims())
        .await
        .expect("refreshed");
    secrets.extend(token_secrets(&refreshed.tokens));
    assert_step(&capture, &capture.span("oidc.refresh"), &host, "ok");
    let step = capture.span("oidc.token_request");
    assert_step(&capture, &step, &host, "ok");
    assert_eq!(step.fields["grant"], "refresh_token");
    assert_eq!(step.parent, Some("oidc.refresh"));
    assert!(capture.spans("oidc.jwks_fetch").is_empty());

    // A refresh the provider refuses says why in its outcome.
    capture.clear();
    let error = client
        .refresh(&tokens, login.id_token_claims())
        .await
        .expect_err("the rotated refresh token is spent");
    assert!(matches!(error, TokenError::Provider { .. }), "{error:?}");
    assert_step(
        &capture,
        &capture.span("oidc.refresh"),
        &host,
        "token.invalid_grant",
    );

    let text = String::from_utf8(capture.text.lock().unwrap().clone()).unwrap();
    assert!(text.contains("oidc.token_request{host="), "{text}");
    assert!(
        text.contains("elapsed_ms="),
        "plain logs show durations:\n{text}"
    );
    capture.assert_free_of(&secrets);
}

// ---- (b) refused logins: one warning each, naming the check -------------------------------

#[tokio::test]
async fn each_refused_login_of_the_flow_logs_one_warning_naming_the_check() {
    let provider = Fixture::builder("refused-app", "refused-secret", REDIRECT_URI)
        .provider(|p| p.acr_values_supported(vec!["urn:dev:loa:1", "urn:example:loa:9"]))
        .start()
        .await;
    let client = provider.client().await;
    let (capture, _guard) = Capture::start();
    let mut secrets = Vec::new();

    // A callback whose state is another login's.
    let started = start_login(&provider, client.login()).await;
    let other = start_login(&provider, client.login()).await;
    capture.clear();
    let error = started
        .login
        .receive(other.delivered.callback().unwrap())
        .unwrap_err();
    assert_eq!(error, oidc_core::CallbackError::StateMismatch);
    assert_eq!(capture.refused_check(), "state_mismatch");
    secrets.extend(started.secrets);
    secrets.extend(other.secrets);

    // An ID token whose signature does not verify.
    provider.inject(Fault::id_signing(Signing::CorruptSignature).once());
    let started = start_login(&provider, client.login()).await;
    capture.clear();
    let error = started
        .login
        .receive(started.delivered.callback().unwrap())
        .unwrap()
        .exchange()
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            TokenError::IdToken(IdTokenError::Jws(oidc_core::JwsError::BadSignature))
        ),
        "{error:?}"
    );
    assert_eq!(capture.refused_check(), "id_token.signature");
    let login_span = capture.span("oidc.login");
    assert_eq!(login_span.fields["outcome"], "id_token.signature");
    assert_eq!(capture.warnings()[0].span, Some("oidc.login"));
    secrets.extend(started.secrets);

    // A level of authentication other than the one asked for.
    let started = start_login(&provider, client.login().acr_values(["urn:dev:loa:2"])).await;
    capture.clear();
    let error = started
        .login
        .receive(started.delivered.callback().unwrap())
        .unwrap()
        .exchange()
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            TokenError::IdToken(IdTokenError::AcrNotSatisfied { .. })
        ),
        "{error:?}"
    );
    assert_eq!(capture.refused_check(), "acr_not_satisfied");
    secrets.extend(started.secrets);

    // A replayed callback, refused by the flow's replay set.
    let started = start_login(&provider, client.login()).await;
    let sealed_key = oidc_core::SealingKey::generate().unwrap();
    let sealed = started.login.pending().seal(&sealed_key).unwrap();
    let callback = started.delivered.callback().unwrap();
    let _code_received = started.login.receive(callback.clone()).unwrap();
    capture.clear();
    let error = client
        .resume_sealed(&sealed, &sealed_key)
        .unwrap()
        .receive(callback)
        .unwrap_err();
    assert_eq!(error, oidc_core::CallbackError::AlreadyUsed);
    assert_eq!(capture.refused_check(), "state_replayed");

    // A pending login sealed with another key.
    capture.clear();
    let error = client
        .resume_sealed(&sealed, &oidc_core::SealingKey::generate().unwrap())
        .unwrap_err();
    assert_eq!(error, oidc_core::PendingLoginError::BadSeal);
    assert_eq!(capture.refused_check(), "pending_login.bad_seal");
    secrets.extend(started.secrets);
    secrets.push(("sealed pending login", sealed));
    secrets.push(("sealing key", sealed_key.to_base64()));

    capture.assert_free_of(&secrets);
}

/// The web glue: a refusal made by the flow is logged once (the glue adds
/// none); a refusal the glue makes itself is logged once, by the glue.
#[tokio::test]
async fn the_web_glue_logs_each_refused_login_once() {
    let site = Site::bind().await;
    let redirect_uri = site.url("/callback");
    let provider = Fixture::builder("web-app", "web-secret", &redirect_uri)
        .start()
        .await;
    let oidc = Oidc::discover(provider.config()).await.unwrap();
    let app: Router = Router::new()
        .merge(oidc.routes())
        .layer(memory_session_layer())
        .with_state(oidc);
    let base = site.serve(app);
    let (capture, _guard) = Capture::start();

    provider.inject(Fault::id_signing(Signing::CorruptSignature).once());
    let browser = Browser::new();
    let arrival = sign_in_at(
        &browser,
        &format!("{base}/login"),
        &redirect_uri,
        UserAction::SignIn(USER),
    )
    .await;
    assert_eq!(arrival.page.status(), reqwest::StatusCode::UNAUTHORIZED);
    assert_eq!(capture.refused_check(), "id_token.signature");
    let mut secrets: Vec<(&str, String)> = arrival
        .delivered
        .params()
        .into_iter()
        .filter_map(|(name, value)| match name.as_str() {
            "code" => Some(("authorization code", value)),
            "state" => Some(("state", value)),
            _ => None,
        })
        .collect();
    assert_eq!(secrets.len(), 2);

    // Replayed: the cookie was used, so the glue refuses before the flow.
    capture.clear();
    let page = deliver(&browser, &redirect_uri, &arrival.delivered)
        .await
        .unwrap();
    assert_eq!(page.status(), reqwest::StatusCode::BAD_REQUEST);
    assert_eq!(capture.refused_check(), "pending_login.missing");

    // No state at all.
    capture.clear();
    let page = browser
        .post_form(&redirect_uri, [("code", "forged-code-value")])
        .await
        .unwrap();
    assert_eq!(page.status(), reqwest::StatusCode::BAD_REQUEST);
    assert_eq!(capture.refused_check(), "state_missing");

    // The user cancels at the provider.
    capture.clear();
    let arrival = sign_in_at(
        &browser,
        &format!("{base}/login"),
        &redirect_uri,
        UserAction::Cancel,
    )
    .await;
    assert_eq!(arrival.page.status(), reqwest::StatusCode::FORBIDDEN);
    assert_eq!(capture.refused_check(), "access_denied");

    secrets.push(("client secret", provider.client_secret.clone()));
    capture.assert_free_of(&secrets);
}

// ---- (c) an API introspecting opaque tokens -------------------------------------------------

/// `oidc.introspection`: one span per request to the provider (none for a
/// cached answer), named by its outcome; neither the token nor the API's
/// secret in anything logged.
#[tokio::test]
async fn introspection_has_a_span_per_request_and_logs_no_token() {
    use oidc_core::{
        AccessTokenError, AccessTokenVerifier, ResourceServerConfig, ServiceClient, TokenValidation,
    };
    let provider = Fixture::builder("svc", "svc-secret-value", REDIRECT_URI)
        .provider(|p| {
            p.opaque_access_tokens(true).client(
                oidc_dev_provider::DevClient::confidential("api", "api-secret-value")
                    .redirect_uri(REDIRECT_URI),
            )
        })
        .start()
        .await;
    let host = host_of(&provider);
    let service = ServiceClient::new(provider.client().await).scopes(["reports:read"]);
    let token = service.access_token().await.unwrap().secret().to_owned();
    let verifier = AccessTokenVerifier::discover(
        ResourceServerConfig::new(
            provider.issuer_str(),
            format!("{}/api", provider.issuer_str()),
        )
        .token_validation(TokenValidation::Introspection)
        .introspection_client("api", "api-secret-value"),
    )
    .await
    .unwrap();
    let (capture, _guard) = Capture::start();

    verifier.verify(&token).await.expect("active");
    verifier.verify(&token).await.expect("cached");
    assert_step(&capture, &capture.span("oidc.introspection"), &host, "ok");

    capture.clear();
    let unknown = "an-unknown-opaque-token-value";
    let error = verifier.verify(unknown).await.unwrap_err();
    assert_eq!(error, AccessTokenError::Inactive);
    assert_step(
        &capture,
        &capture.span("oidc.introspection"),
        &host,
        "introspection.inactive",
    );

    capture.assert_free_of(&[
        ("access token", token),
        ("unknown token", unknown.to_owned()),
        ("introspection secret", "api-secret-value".to_owned()),
    ]);
}

// ---- (d) device sign-in -------------------------------------------------------------------

/// Device sign-in (RFC 8628): `oidc.device_authorization`, then
/// `oidc.device_login` around one `oidc.token_request` per poll
/// (`token.authorization_pending` until the user approves, then `ok`); the
/// device code is never logged; a denial is one "login refused" warning.
#[tokio::test]
async fn device_sign_in_has_a_span_per_step_and_logs_no_device_code() {
    use oidc_dev_provider::testing::{DeviceDecision, browser_client, decide_device};
    let provider = oidc_dev_provider::DevProvider::builder()
        .client(oidc_dev_provider::DevClient::public("tv").redirect_uri("http://127.0.0.1/unused"))
        .device_poll_interval(std::time::Duration::from_secs(1))
        .start()
        .await
        .unwrap();
    let host = format!(
        "{}:{}",
        provider.issuer().host_str().unwrap(),
        provider.issuer().port_or_known_default().unwrap()
    );
    let (capture, _guard) = Capture::start();
    let client = oidc_core::Client::discover(
        oidc_core::ClientConfig::for_issuer(provider.issuer_str())
            .client_id("tv")
            .redirect_uri("http://127.0.0.1/unused")
            .auth_method(oidc_core::AuthMethod::None),
    )
    .await
    .unwrap();
    let user = |authorization: &oidc_core::DeviceAuthorization, decision| {
        let (uri, code) = (
            authorization.verification_uri().clone(),
            authorization.user_code().to_owned(),
        );
        let provider = provider.clone();
        async move {
            // After the first poll, so that one is still pending.
            while provider.device_poll_answers().is_empty() {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            decide_device(&browser_client().unwrap(), &uri, &code, USER, decision)
                .await
                .unwrap();
        }
    };

    let authorization = client.device_login().start().await.unwrap();
    assert_step(
        &capture,
        &capture.span("oidc.device_authorization"),
        &host,
        "ok",
    );
    let (login, ()) = tokio::join!(
        authorization.poll(),
        user(&authorization, DeviceDecision::Approve)
    );
    let login = login.expect("signed in");
    assert_step(&capture, &capture.span("oidc.device_login"), &host, "ok");
    let polls = capture.spans("oidc.token_request");
    assert!(polls.len() >= 2, "{polls:#?}");
    for poll in &polls {
        assert_eq!(poll.parent, Some("oidc.device_login"), "{poll:?}");
        assert_eq!(poll.fields["grant"], "device_code", "{poll:?}");
    }
    assert_eq!(polls[0].fields["outcome"], "token.authorization_pending");
    assert_eq!(polls[polls.len() - 1].fields["outcome"], "ok");
    assert!(capture.warnings().is_empty(), "{:#?}", capture.warnings());
    let mut secrets = token_secrets(login.tokens());
    secrets.push((
        "device code",
        authorization.device_code().secret().to_owned(),
    ));
    capture.assert_free_of(&secrets);

    capture.clear();
    provider.clear_device_poll_answers();
    let authorization = client.device_login().start().await.unwrap();
    let (denied, ()) = tokio::join!(
        authorization.poll(),
        user(&authorization, DeviceDecision::Deny)
    );
    assert!(denied.is_err());
    assert_eq!(capture.refused_check(), "device.access_denied");
}
