//! A web application built with the axum glue, served on loopback next to a
//! dev provider, for the refresh, logout and web tests.

use axum::Router;
use axum::routing::get;
use oidc_core::ResponseMode;
use oidc_core::web::{Oidc, SignedIn, WhenSignedOut, memory_session_layer};
use oidc_dev_provider::{DevProvider, DevProviderBuilder};
use reqwest::StatusCode;
use tests::browser::{Browser, Page};
use tests::dev_login::{Delivered, UserAction};
use tests::fixture::{Fixture, Site, sign_in_at};

pub(crate) const CLIENT_ID: &str = "web";
pub(crate) const CLIENT_SECRET: &str = "web-secret";

/// The app, its provider, and the URLs the provider knows it by.
pub(crate) struct GlueApp {
    /// `http://localhost:PORT`: another site than the provider's 127.0.0.1.
    pub(crate) base: String,
    pub(crate) redirect_uri: String,
    pub(crate) post_logout_redirect_uri: String,
    pub(crate) provider: Fixture,
}

/// How to set the app up.
pub(crate) struct Setup {
    pub(crate) provider: DevProviderBuilder,
    /// The client's `backchannel_logout_uri`; default the app's endpoint.
    pub(crate) backchannel_logout_uri: Option<String>,
}

impl Default for Setup {
    fn default() -> Self {
        Self {
            provider: DevProvider::builder(),
            backchannel_logout_uri: None,
        }
    }
}

/// `GET /me`: the signed-in user and their current tokens, one per line:
/// sub, sid, access token, refresh token, ID token.
async fn me(user: SignedIn) -> String {
    let tokens = user.tokens();
    [
        user.sub(),
        user.id_token_claims().sid.as_deref().unwrap_or(""),
        tokens.access_token.secret(),
        tokens.refresh_token.as_ref().map_or("", |t| t.secret()),
        tokens.id_token.as_ref().map_or("", |t| t.secret()),
    ]
    .join("\n")
}

pub(crate) async fn start(setup: Setup) -> GlueApp {
    let site = Site::bind().await;
    let redirect_uri = site.url("/callback");
    let post_logout_redirect_uri = site.url("/signed-out");
    // Server to server: the loopback address the app listens on.
    let backchannel_logout_uri = setup
        .backchannel_logout_uri
        .unwrap_or_else(|| format!("http://127.0.0.1:{}/backchannel-logout", site.port()));
    let provider = Fixture::builder(CLIENT_ID, CLIENT_SECRET, &redirect_uri)
        .provider(|_| setup.provider)
        .client(|c| {
            c.post_logout_redirect_uri(&post_logout_redirect_uri)
                .backchannel_logout_uri(backchannel_logout_uri)
        })
        .start()
        .await;
    let config = provider.config().response_mode(ResponseMode::FormPost);
    let oidc: Oidc = Oidc::discover(config)
        .await
        .unwrap()
        .when_signed_out(WhenSignedOut::Unauthorized)
        .post_logout_redirect_uri(&post_logout_redirect_uri)
        .backchannel_logout_path("/backchannel-logout");
    let app = Router::new()
        .route("/me", get(me))
        .route("/signed-out", get(|| async { "signed out" }))
        .merge(oidc.routes())
        .layer(memory_session_layer())
        .with_state(oidc);
    let base = site.serve(app);
    GlueApp {
        base,
        redirect_uri,
        post_logout_redirect_uri,
        provider,
    }
}

/// What `GET /me` says about a signed-in user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Me {
    pub(crate) sub: String,
    pub(crate) sid: String,
    pub(crate) access_token: String,
    pub(crate) refresh_token: String,
    pub(crate) id_token: String,
}

impl GlueApp {
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Signs `email` in through `/login` in `browser`.
    pub(crate) async fn sign_in(&self, browser: &Browser, email: &str) {
        let arrival = sign_in_at(
            browser,
            &self.url("/login"),
            &self.redirect_uri,
            UserAction::SignIn(email),
        )
        .await;
        let (delivered, done) = (arrival.delivered, arrival.page);
        assert!(matches!(delivered, Delivered::FormPost(_)), "{delivered:?}");
        assert_eq!(done.status(), StatusCode::SEE_OTHER, "{}", done.body());
    }

    pub(crate) async fn me_page(&self, browser: &Browser) -> Page {
        browser.get(self.url("/me")).await.unwrap()
    }

    /// The signed-in user, or `None` if the app answers 401.
    pub(crate) async fn me(&self, browser: &Browser) -> Option<Me> {
        let page = self.me_page(browser).await;
        match page.status() {
            StatusCode::OK => {
                let lines: Vec<&str> = page.body().split('\n').collect();
                Some(Me {
                    sub: lines[0].to_owned(),
                    sid: lines[1].to_owned(),
                    access_token: lines[2].to_owned(),
                    refresh_token: lines[3].to_owned(),
                    id_token: lines[4].to_owned(),
                })
            }
            StatusCode::UNAUTHORIZED => None,
            other => panic!("GET /me answered {other}: {}", page.body()),
        }
    }

    /// The `sub` of an account.
    pub(crate) fn sub_of(&self, email: &str) -> String {
        self.provider.add_user(email).sub
    }

    /// How many token requests the provider received.
    pub(crate) fn token_requests(&self) -> usize {
        self.provider
            .requests()
            .iter()
            .filter(|r| r.path == "/token")
            .count()
    }
}
