//! Playing the user at panva's `oidc-provider` pages (the interop
//! fixture, [`crate::interop_provider`]) over plain HTTP: sign in or create
//! an account, consent, or cancel, and stop at the application's redirect
//! URI with what the browser would deliver there.

use crate::browser::Browser;
use crate::dev_login::Delivered;
use crate::interop_provider::OidcProvider;
use oidc_core::{Authenticated, Callback, Client, Login};
use url::Url;

/// What the user does on the provider's pages.
#[derive(Clone, Copy)]
pub enum User<'a> {
    /// Signs in (or creates an account) with this email, then consents.
    SignsIn(&'a str),
    /// Follows the "\[ Cancel \]" link on the first page.
    Cancels,
}

/// An interaction page the browser went through.
#[derive(Debug)]
pub struct Seen {
    /// The page's hidden `prompt` field: `login`, `create` or `consent`.
    pub prompt: String,
    /// Its `<title>`.
    pub title: Option<String>,
}

/// The browser's trip from the authorization URL back to the redirect URI.
pub struct Journey {
    /// The authorization response, as the browser delivers it.
    pub delivered: Delivered,
    /// The same, as the application's SDK parses it.
    pub callback: Callback,
    /// The interaction pages shown on the way, in order.
    pub seen: Vec<Seen>,
}

impl Journey {
    /// The `prompt` of each interaction page, in order.
    pub fn prompts(&self) -> Vec<&str> {
        self.seen.iter().map(|s| s.prompt.as_str()).collect()
    }
}

fn is_redirect_uri(url: &Url, redirect_uri: &str) -> bool {
    let mut without_query = url.clone();
    without_query.set_query(None);
    without_query.as_str() == redirect_uri
}

/// Drives the provider's pages from `authorization_url` as `user` until
/// the provider answers the application at `redirect_uri`: a redirect there
/// (query) or an auto-submitting form that posts there (`form_post`).
/// Panics, with the provider's log, on anything else.
pub async fn browse_to(
    op: &OidcProvider,
    browser: &Browser,
    authorization_url: &Url,
    user: User<'_>,
    redirect_uri: &str,
) -> Journey {
    let fail = |what: String| -> ! { panic!("{what}\nprovider log:\n{}", op.log()) };
    let mut seen = Vec::new();
    let mut page = browser
        .get(authorization_url)
        .await
        .unwrap_or_else(|e| fail(e.to_string()));
    for _ in 0..10 {
        page = browser
            .follow_redirects(page, |url| is_redirect_uri(url, redirect_uri))
            .await
            .unwrap_or_else(|e| fail(e.to_string()));
        // Query mode: the provider redirects the browser to the redirect URI.
        if let Some(target) = page.location() {
            let callback = Callback::from_url(&target).unwrap_or_else(|e| fail(e.to_string()));
            let delivered = Delivered::Query(target);
            return Journey {
                delivered,
                callback,
                seen,
            };
        }
        // form_post: a page whose script posts the hidden fields there.
        if let Some(form) = page.form_post_response(redirect_uri) {
            let body = form.encoded();
            let callback =
                Callback::from_form_post(body.as_bytes()).unwrap_or_else(|e| fail(e.to_string()));
            let delivered = Delivered::FormPost(body);
            return Journey {
                delivered,
                callback,
                seen,
            };
        }
        // oidc-provider ends another account's session before switching
        // (a confirmation form with an `xsrf` field).
        if let Ok(form) = page.form_with_input("xsrf") {
            let form = form.set("logout", "yes");
            page = browser
                .submit(&form)
                .await
                .unwrap_or_else(|e| fail(e.to_string()));
            continue;
        }
        // An interaction page: sign-in, create account or consent.
        let form = page
            .form_with_input("prompt")
            .unwrap_or_else(|e| fail(format!("unexpected page: {e}")));
        let prompt = form.get("prompt").unwrap_or_default().to_owned();
        seen.push(Seen {
            prompt: prompt.clone(),
            title: page.title(),
        });
        let next = match (user, prompt.as_str()) {
            (User::Cancels, _) => {
                let abort = page
                    .link("a[href$='/abort']")
                    .unwrap_or_else(|e| fail(e.to_string()));
                browser.get(abort).await
            }
            (User::SignsIn(email), "login" | "create") => {
                let form = form.set("login", email).set("password", "irrelevant");
                browser.submit(&form).await
            }
            (User::SignsIn(_), "consent") => browser.submit(&form).await,
            (_, other) => fail(format!("unexpected interaction prompt `{other}`")),
        };
        page = next.unwrap_or_else(|e| fail(e.to_string()));
    }
    fail(format!(
        "no authorization response after 10 pages; last: {page:?}"
    ))
}

/// A complete login through the SDK's typestate flow that must succeed:
/// the authorization request, the user's part as `email`, the callback at
/// the client's redirect URI, the code exchange.
pub async fn sign_in(
    op: &OidcProvider,
    client: &Client,
    browser: &Browser,
    email: &str,
) -> (Login<Authenticated>, Journey) {
    let (request, login) = client.login().redirect().expect("authorization request");
    let redirect_uri = client.config().redirect_uri().to_owned();
    let journey = browse_to(
        op,
        browser,
        request.url(),
        User::SignsIn(email),
        &redirect_uri,
    )
    .await;
    let login = login
        .receive(journey.callback.clone())
        .unwrap_or_else(|e| panic!("callback refused: {e}\nprovider log:\n{}", op.log()));
    let login = login
        .exchange()
        .await
        .unwrap_or_else(|e| panic!("exchange failed: {e}\nprovider log:\n{}", op.log()));
    (login, journey)
}
