//! Several providers in one app over real loopback HTTP: two dev providers,
//! one app mounting both with `Providers`, the test playing the browser.
//!
//! Provider A is configured through a `#[oidc_client]` struct (form_post);
//! provider B through a plain `ClientConfig` given its own type with
//! `Oidc::tagged` (query mode, unless a test says otherwise).

use axum::Router;
use axum::extract::FromRef;
use axum::routing::get;
use oidc_core::web::{
    Oidc, Providers, ProvidersError, SignedIn, SignedInAny, memory_session_layer,
};
use oidc_core::{ClientSecret, ResponseMode, oidc_client};
use reqwest::StatusCode;
use tests::browser::{Browser, Page};
use tests::dev_login::{Delivered, UserAction, authorize, deliver};
use tests::fixture::{Fixture, Site, USER, sign_in_at};
use tests::processes::{example, free_port, start as start_process};

/// Provider A's configuration type.
#[oidc_client(scopes("openid", "email"), response_mode = "form_post")]
struct ProviderA {
    issuer: String,
    client_id: String,
    client_secret: ClientSecret,
    redirect_uri: String,
}

/// Provider B's type: its configuration is a `ClientConfig`.
struct ProviderB;

#[derive(Clone)]
struct AppState {
    providers: Providers,
    a: Oidc<ProviderA>,
    b: Oidc<ProviderB>,
}

impl FromRef<AppState> for Providers {
    fn from_ref(state: &AppState) -> Self {
        state.providers.clone()
    }
}

impl FromRef<AppState> for Oidc<ProviderA> {
    fn from_ref(state: &AppState) -> Self {
        state.a.clone()
    }
}

impl FromRef<AppState> for Oidc<ProviderB> {
    fn from_ref(state: &AppState) -> Self {
        state.b.clone()
    }
}

/// Who the app sees, through every extractor: `a=SUB b=- any=a:SUB`.
async fn whoami(
    a: Option<SignedIn<ProviderA>>,
    b: Option<SignedIn<ProviderB>>,
    any: Option<SignedInAny>,
) -> String {
    format!(
        "a={} b={} any={}",
        a.as_ref().map_or("-", |u| u.sub()),
        b.as_ref().map_or("-", |u| u.sub()),
        any.map_or("-".to_owned(), |u| format!("{}:{}", u.provider(), u.sub())),
    )
}

async fn any_page(user: SignedInAny) -> String {
    format!(
        "{} via {} ({})",
        user.sub(),
        user.provider(),
        user.logout_path()
    )
}

async fn a_page(user: SignedIn<ProviderA>) -> String {
    format!("a page of {}", user.sub())
}

struct App {
    site: String,
    a: Fixture,
    b: Fixture,
}

impl App {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.site)
    }

    fn callback(&self, name: &str) -> String {
        self.url(&format!("/auth/{name}/callback"))
    }

    async fn whoami(&self, browser: &Browser) -> String {
        browser
            .get(self.url("/whoami"))
            .await
            .unwrap()
            .body()
            .to_owned()
    }

    /// Signs `USER` in with provider `name` through its login route;
    /// returns the callback's answer.
    async fn sign_in(&self, browser: &Browser, name: &str) -> Page {
        let login = self.url(&format!("/auth/{name}/login"));
        let page = sign_in_at(
            browser,
            &login,
            &self.callback(name),
            UserAction::SignIn(USER),
        )
        .await
        .page;
        assert_eq!(page.status(), StatusCode::SEE_OTHER, "{}", page.body());
        page
    }

    /// Starts a login with provider `name` and lets the user sign in at
    /// the provider; returns what the browser would deliver, undelivered.
    async fn authorized(&self, browser: &Browser, name: &str) -> Delivered {
        let start = browser
            .get(self.url(&format!("/auth/{name}/login")))
            .await
            .unwrap();
        assert_eq!(start.status(), StatusCode::SEE_OTHER, "{}", start.body());
        let (delivered, _) = authorize(
            browser,
            &start.location().unwrap(),
            &self.callback(name),
            UserAction::SignIn(USER),
        )
        .await
        .unwrap();
        delivered
    }
}

/// Two dev providers (each with the app's client registered, back-channel
/// logout included) and the app on `localhost`, its chooser page at `/`.
async fn start(b_mode: ResponseMode) -> App {
    start_with(b_mode, Some("/")).await
}

async fn start_with(b_mode: ResponseMode, chooser: Option<&str>) -> App {
    let site = Site::bind().await;
    let fixture = |name: &'static str| {
        let redirect_uri = site.url(&format!("/auth/{name}/callback"));
        let post_logout = site.url("/");
        let backchannel = site.url(&format!("/auth/{name}/backchannel-logout"));
        Fixture::builder(
            format!("app-{name}"),
            format!("secret-{name}"),
            redirect_uri,
        )
        .client(|c| {
            c.post_logout_redirect_uri(post_logout)
                .backchannel_logout_uri(backchannel)
        })
        .start()
    };
    let (a, b) = (fixture("a").await, fixture("b").await);
    let config_a = ProviderA {
        issuer: a.issuer_str().to_owned(),
        client_id: a.client_id.clone(),
        client_secret: ClientSecret::new(a.client_secret.as_str()),
        redirect_uri: a.redirect_uri.clone(),
    };
    let oidc_a = Oidc::discover(config_a)
        .await
        .unwrap()
        .post_logout_redirect_uri(site.url("/"))
        .backchannel_logout_path("/backchannel-logout")
        .named("a")
        .unwrap();
    let oidc_b = Oidc::discover(b.config().response_mode(b_mode))
        .await
        .unwrap()
        .post_logout_redirect_uri(site.url("/"))
        .backchannel_logout_path("/backchannel-logout")
        .tagged::<ProviderB>()
        .named("b")
        .unwrap();
    let mut providers = Providers::new()
        .with(oidc_a.clone())
        .unwrap()
        .with(oidc_b.clone())
        .unwrap();
    if let Some(chooser) = chooser {
        providers = providers.chooser_path(chooser).unwrap();
    }
    let app = Router::new()
        .route("/whoami", get(whoami))
        .route("/any", get(any_page))
        .route("/only-a", get(a_page))
        .merge(providers.routes())
        .layer(memory_session_layer())
        .with_state(AppState {
            providers,
            a: oidc_a,
            b: oidc_b,
        });
    App {
        site: site.serve(app),
        a,
        b,
    }
}

#[tokio::test]
async fn each_provider_signs_in_and_the_extractors_tell_which() {
    let app = start(ResponseMode::Query).await;
    let (alice_a, alice_b) = (app.a.sub_of(USER), app.b.sub_of(USER));
    let browser = Browser::new();
    assert_eq!(app.whoami(&browser).await, "a=- b=- any=-");

    app.sign_in(&browser, "a").await;
    assert_eq!(
        app.whoami(&browser).await,
        format!("a={alice_a} b=- any=a:{alice_a}")
    );
    let any = browser.get(app.url("/any")).await.unwrap();
    assert_eq!(any.body(), format!("{alice_a} via a (/auth/a/logout)"));

    // Signing in with B starts a new session: A's sign-in ends.
    app.sign_in(&browser, "b").await;
    assert_eq!(
        app.whoami(&browser).await,
        format!("a=- b={alice_b} any=b:{alice_b}")
    );
    assert_eq!(app.a.count("/token"), 1);
    assert_eq!(app.b.count("/token"), 1);
}

#[tokio::test]
async fn visitors_are_sent_to_the_chooser_or_the_providers_login() {
    let app = start(ResponseMode::Query).await;
    let browser = Browser::new();
    let any = browser.get(app.url("/any?x=1")).await.unwrap();
    assert_eq!(any.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        any.headers()["location"],
        "/?return_to=%2Fany%3Fx%3D1",
        "SignedInAny sends visitors to the chooser page"
    );
    let only_a = browser.get(app.url("/only-a")).await.unwrap();
    assert_eq!(only_a.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        only_a.headers()["location"],
        "/auth/a/login?return_to=%2Fonly-a"
    );
    // Signed in with B, A's page still asks for A.
    app.sign_in(&browser, "b").await;
    let only_a = browser.get(app.url("/only-a")).await.unwrap();
    assert_eq!(only_a.status(), StatusCode::SEE_OTHER);
    // And return_to brings the user back after the chosen provider's login.
    let back = sign_in_at(
        &browser,
        &app.url("/auth/a/login?return_to=/only-a"),
        &app.callback("a"),
        UserAction::SignIn(USER),
    )
    .await
    .page;
    assert_eq!(back.location().unwrap().path(), "/only-a");
    let page = browser.get(app.url("/only-a")).await.unwrap();
    assert_eq!(page.body(), format!("a page of {}", app.a.sub_of(USER)));
}

#[tokio::test]
async fn without_a_chooser_page_visitors_get_401() {
    let app = start_with(ResponseMode::Query, None).await;
    let any = Browser::new().get(app.url("/any")).await.unwrap();
    assert_eq!(any.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(any.headers()["cache-control"], "no-store");
}

#[tokio::test]
async fn a_response_for_a_delivered_to_bs_callback_is_refused() {
    let app = start(ResponseMode::FormPost).await;
    let browser = Browser::new();
    let for_a = app.authorized(&browser, "a").await;
    // The browser posts A's response to B's callback route.
    let at_b = deliver(&browser, &app.callback("b"), &for_a).await.unwrap();
    assert_eq!(at_b.status(), StatusCode::BAD_REQUEST, "{}", at_b.body());
    assert_eq!(app.whoami(&browser).await, "a=- b=- any=-");
    // Neither provider's token endpoint saw A's code.
    assert_eq!((app.a.count("/token"), app.b.count("/token")), (0, 0));
    // The pending login was single use, even at the wrong route.
    let at_a = deliver(&browser, &app.callback("a"), &for_a).await.unwrap();
    assert_eq!(at_a.status(), StatusCode::BAD_REQUEST, "{}", at_a.body());
    assert_eq!(app.whoami(&browser).await, "a=- b=- any=-");
}

#[tokio::test]
async fn a_completed_callback_replayed_at_b_is_refused() {
    let app = start(ResponseMode::FormPost).await;
    let alice_a = app.a.sub_of(USER);
    let browser = Browser::new();
    let for_a = app.authorized(&browser, "a").await;
    let done = deliver(&browser, &app.callback("a"), &for_a).await.unwrap();
    assert_eq!(done.status(), StatusCode::SEE_OTHER, "{}", done.body());
    let replayed = deliver(&browser, &app.callback("b"), &for_a).await.unwrap();
    assert_eq!(replayed.status(), StatusCode::BAD_REQUEST);
    // The refused replay leaves A's session as it was.
    assert_eq!(
        app.whoami(&browser).await,
        format!("a={alice_a} b=- any=a:{alice_a}")
    );
    assert_eq!((app.a.count("/token"), app.b.count("/token")), (1, 0));
}

#[tokio::test]
async fn logout_goes_to_the_provider_signed_in_with() {
    let app = start(ResponseMode::Query).await;
    for (name, provider) in [("a", &app.a), ("b", &app.b)] {
        let browser = Browser::new();
        app.sign_in(&browser, name).await;
        let out = browser
            .post_form(app.url(&format!("/auth/{name}/logout")), [("", ""); 0])
            .await
            .unwrap();
        assert_eq!(
            out.status(),
            StatusCode::SEE_OTHER,
            "{name}: {}",
            out.body()
        );
        let location = out.location().unwrap();
        assert!(
            location.as_str().starts_with(provider.issuer_str()),
            "{name}: {location}"
        );
        assert_eq!(app.whoami(&browser).await, "a=- b=- any=-", "{name}");
    }
}

#[tokio::test]
async fn a_backchannel_logout_ends_only_that_providers_sessions() {
    let app = start(ResponseMode::Query).await;
    let (with_a, with_b) = (Browser::new(), Browser::new());
    app.sign_in(&with_a, "a").await;
    app.sign_in(&with_b, "b").await;
    let (alice_a, alice_b) = (app.a.sub_of(USER), app.b.sub_of(USER));
    // Provider A logs alice out: its back-channel route is /auth/a/...
    app.a.backchannel_logout(&alice_a).await;
    assert_eq!(app.whoami(&with_a).await, "a=- b=- any=-");
    assert_eq!(
        app.whoami(&with_b).await,
        format!("a=- b={alice_b} any=b:{alice_b}")
    );
    app.b.backchannel_logout(&alice_b).await;
    assert_eq!(app.whoami(&with_b).await, "a=- b=- any=-");
}

#[tokio::test]
async fn a_redirect_uri_off_the_callback_route_fails_at_start() {
    let site = Site::bind().await;
    let provider = Fixture::builder("app", "secret", site.url("/callback"))
        .start()
        .await;
    let oidc = Oidc::discover(provider.config()).await.unwrap();
    let error = oidc.clone().named("a").unwrap_err();
    assert_eq!(
        error,
        ProvidersError::RedirectUriMismatch {
            name: "a".into(),
            expected: "/auth/a/callback".into(),
            redirect_uri: site.url("/callback"),
        }
    );
    // Without a name, Providers refuses it rather than mounting /login.
    assert!(matches!(
        Providers::new().with(oidc),
        Err(ProvidersError::Unnamed { .. })
    ));
}

/// The `multi_provider` example as a process, without a real browser (the
/// Chromium test in `browser.rs` runs the same flow by clicking).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_example_signs_in_with_either_provider() {
    let (app_port, alpha_port, beta_port) = (free_port(), free_port(), free_port());
    let env = [
        ("APP_ADDR", format!("127.0.0.1:{app_port}")),
        ("ALPHA_PROVIDER_ADDR", format!("127.0.0.1:{alpha_port}")),
        ("BETA_PROVIDER_ADDR", format!("127.0.0.1:{beta_port}")),
    ];
    let _app = start_process(&example("multi_provider"), &[], &env, "listening on");
    let app = format!("http://localhost:{app_port}");
    for (name, label) in [("alpha", "Alpha ID"), ("beta", "Beta Accounts")] {
        let browser = Browser::new();
        let chooser = browser.get(&app).await.unwrap();
        let login = chooser.link(&format!("#sign-in-{name}")).unwrap();
        assert_eq!(login.path(), format!("/auth/{name}/login"));
        let callback = format!("{app}/auth/{name}/callback");
        let done = sign_in_at(
            &browser,
            login.as_str(),
            &callback,
            UserAction::SignIn(USER),
        )
        .await
        .page;
        assert_eq!(
            done.status(),
            StatusCode::SEE_OTHER,
            "{name}: {}",
            done.body()
        );
        let home = browser.get(&app).await.unwrap();
        assert_eq!(home.texts("#provider").unwrap(), vec![label.to_owned()]);
        assert_eq!(home.texts("#email").unwrap(), vec![USER.to_owned()]);
        // The Alpha-only page: Beta's users are sent to Alpha's login.
        let alpha_page = browser.get(format!("{app}/alpha")).await.unwrap();
        match name {
            "alpha" => assert_eq!(alpha_page.status(), StatusCode::OK),
            _ => assert_eq!(
                alpha_page.location().unwrap().path(),
                "/auth/alpha/login",
                "{}",
                alpha_page.body()
            ),
        }
    }
}
