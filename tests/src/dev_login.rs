//! Playing the user at the dev provider's pages, over plain HTTP.
//!
//! These helpers drive `oidc-dev-provider`'s sign-in, create-account and
//! cancel forms with the [`Browser`] and stop at the application's redirect
//! URI, returning what the browser would have delivered there. What the
//! user submits on each page comes from the published helpers
//! ([`oidc_dev_provider::testing`]), so the tests play the user exactly as
//! applications' own tests do; this module adds the stop at the redirect
//! URI and the SDK's view of the response.

use crate::browser::{Browser, BrowserError, Page};
use oidc_core::{Callback, CallbackError};
pub use oidc_dev_provider::testing::UserAction;
use oidc_dev_provider::testing::{form_post_submission, user_submission};
use url::Url;

/// The authorization response as the browser would deliver it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivered {
    /// `response_mode=query`: the redirect target, with its query.
    Query(Url),
    /// `response_mode=form_post`: the urlencoded body the page POSTs.
    FormPost(String),
}

impl Delivered {
    /// Parses it as the SDK's [`Callback`].
    pub fn callback(&self) -> Result<Callback, CallbackError> {
        match self {
            Self::Query(url) => Callback::from_url(url),
            Self::FormPost(body) => Callback::from_form_post(body.as_bytes()),
        }
    }

    /// The raw parameters as `(name, value)` pairs.
    pub fn params(&self) -> Vec<(String, String)> {
        let raw = match self {
            Self::Query(url) => url.query().unwrap_or("").to_owned(),
            Self::FormPost(body) => body.clone(),
        };
        url::form_urlencoded::parse(raw.as_bytes())
            .into_owned()
            .collect()
    }

    /// The raw query string or body.
    pub fn raw(&self) -> String {
        match self {
            Self::Query(url) => url.query().unwrap_or("").to_owned(),
            Self::FormPost(body) => body.clone(),
        }
    }
}

/// Opens the authorization URL, performs `action` and returns what arrives at
/// `redirect_uri`. Also returns the provider page the user saw.
pub async fn authorize(
    browser: &Browser,
    authorization_url: &Url,
    redirect_uri: &str,
    action: UserAction<'_>,
) -> Result<(Delivered, Page), BrowserError> {
    let stop = |url: &Url| url.as_str().starts_with(redirect_uri);
    let first = browser.get(authorization_url).await?;
    let page = browser.follow_redirects(first, stop).await?;
    let form = user_submission(page.body(), page.url(), action)
        .map_err(|e| page.not_found(e.to_string()))?;
    let answer = browser.post_form(&form.action, form.fields).await?;
    let answer = browser.follow_redirects(answer, stop).await?;
    let form_post = Url::parse(redirect_uri)
        .ok()
        .and_then(|target| form_post_submission(answer.body(), answer.url(), &target));
    let delivered = match form_post {
        Some(form) => Delivered::FormPost(
            url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(&form.fields)
                .finish(),
        ),
        None => match answer.location() {
            Some(location) if stop(&location) => Delivered::Query(location),
            _ => return Err(answer.not_found("an authorization response for the redirect URI")),
        },
    };
    Ok((delivered, page))
}

/// Delivers an authorization response to `redirect_uri` as the browser
/// would: a GET of the redirect target (`query`) or the auto-submitted
/// form's POST (`form_post`). Returns the application's answer.
pub async fn deliver(
    browser: &Browser,
    redirect_uri: &str,
    delivered: &Delivered,
) -> Result<Page, BrowserError> {
    match delivered {
        Delivered::Query(url) => browser.get(url.as_str()).await,
        Delivered::FormPost(_) => browser.post_form(redirect_uri, delivered.params()).await,
    }
}
