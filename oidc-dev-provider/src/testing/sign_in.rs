//! Playing the user at the provider's pages over plain HTTP: what a test
//! needs to sign a user in to an application without a browser.

use reqwest::{Client, StatusCode, header::LOCATION};
use scraper::{Html, Selector};
use url::Url;

/// How many redirects (and auto-submitted pages) one sign-in may take; a
/// loop between the application and the provider stops here.
const MAX_STEPS: usize = 20;

/// Signing in failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignInError {
    /// An HTTP request failed.
    #[error("request to {url} failed: {source}")]
    Http {
        /// Where the request went.
        url: String,
        /// Why it failed.
        #[source]
        source: reqwest::Error,
    },
    /// A redirect pointed to something that is not a URL.
    #[error("bad redirect from {from}: {location:?}")]
    BadRedirect {
        /// The page that redirected.
        from: String,
        /// Its `Location`.
        location: String,
    },
    /// The page did not have the form the user needs (e.g. the login URL
    /// did not lead to the provider's sign-in page).
    #[error("{page}: no {what}")]
    NoForm {
        /// The page's URL.
        page: String,
        /// The form looked for.
        what: String,
    },
    /// The provider's page answered the sign-in with a problem (e.g. "No
    /// account for this email.") instead of sending the user back.
    #[error("the provider refused the sign-in: {message}")]
    Refused {
        /// The page's `#error` message.
        message: String,
    },
    /// The HTTP client could not be built.
    #[error("building the HTTP client failed: {0}")]
    Client(#[source] reqwest::Error),
    /// More than the allowed redirects.
    #[error("more than {MAX_STEPS} redirects, last at {0}")]
    TooManyRedirects(String),
}

/// What the user does on the provider's page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum UserAction<'a> {
    /// Sign in with an existing account (by email).
    SignIn(&'a str),
    /// Create an account (on the create-account page).
    Create(&'a str),
    /// Press Cancel.
    Cancel,
}

/// A form as the browser would submit it: a POST of `fields` to `action`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Submission {
    /// Where the form posts to, resolved against the page's URL.
    pub action: Url,
    /// The urlencoded fields, in document order.
    pub fields: Vec<(String, String)>,
}

/// The application's answer at the end of [`sign_in`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SignedIn {
    /// The URL of the last page (after every redirect).
    pub url: Url,
    /// Its status.
    pub status: StatusCode,
    /// Its body.
    pub body: String,
}

/// A client fit for [`sign_in`]: it keeps cookies (the application's
/// session), does not follow redirects by itself (so the helper sees each
/// step), ignores proxy settings (the provider and the application are
/// local) and gives each request 10 seconds.
pub fn browser_client() -> Result<Client, SignInError> {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .map_err(SignInError::Client)
}

/// What the user submits on a provider page (`html` served at `page_url`)
/// to perform `action`: the sign-in, create-account or cancel form with the
/// email filled in.
pub fn user_submission(
    html: &str,
    page_url: &Url,
    action: UserAction<'_>,
) -> Result<Submission, SignInError> {
    let (id, email) = match action {
        UserAction::SignIn(email) => ("sign-in-form", Some(email)),
        UserAction::Create(email) => ("create-form", Some(email)),
        UserAction::Cancel => ("cancel-form", None),
    };
    let doc = Html::parse_document(html);
    let no_form = || SignInError::NoForm {
        page: page_url.to_string(),
        what: format!("#{id}"),
    };
    let mut submission = forms(&doc, page_url)
        .find(|(form_id, _)| form_id.as_deref() == Some(id))
        .map(|(_, submission)| submission)
        .ok_or_else(no_form)?;
    if let Some(email) = email {
        submission.fields.retain(|(name, _)| name != "email");
        submission.fields.push(("email".into(), email.into()));
    }
    Ok(submission)
}

/// The `response_mode=form_post` authorization response on a provider
/// page: the form that posts to `redirect_uri` (a browser submits it by
/// script on load). `None` when the page has none.
pub fn form_post_submission(html: &str, page_url: &Url, redirect_uri: &Url) -> Option<Submission> {
    let doc = Html::parse_document(html);
    forms(&doc, page_url)
        .map(|(_, submission)| submission)
        .find(|submission| submission.action == *redirect_uri)
}

/// Every `method="post"` form of a page, with its id, as submitted with
/// the values it has (the provider's forms carry their action in hidden
/// inputs, so that is what a user's click sends).
pub(super) fn forms<'a>(
    doc: &'a Html,
    page_url: &'a Url,
) -> impl Iterator<Item = (Option<String>, Submission)> + 'a {
    // Both selectors are constant and valid.
    let form_sel = Selector::parse("form[method=post], form[method=POST]").ok();
    let input_sel = Selector::parse("input[name]").ok();
    form_sel
        .into_iter()
        .flat_map(move |form_sel| doc.select(&form_sel).collect::<Vec<_>>())
        .filter_map(move |form| {
            let action = form.value().attr("action").unwrap_or("");
            let action = page_url.join(action).ok()?;
            let fields = input_sel
                .iter()
                .flat_map(|sel| form.select(sel))
                .filter_map(|input| {
                    let name = input.value().attr("name")?;
                    let value = input.value().attr("value").unwrap_or("");
                    Some((name.to_owned(), value.to_owned()))
                })
                .collect();
            let id = form.value().attr("id").map(str::to_owned);
            Some((id, Submission { action, fields }))
        })
}

/// Signs `email` in to the application whose login route is `login_url`,
/// at the dev provider's sign-in page, and returns the application's last
/// page. `client` must keep cookies and not follow redirects
/// ([`browser_client`]); afterwards it holds the application's session
/// cookie, so later requests with it are signed in.
///
/// Works with `query` and `form_post` responses. The account must exist
/// (`alice@example.com` does; add others with
/// [`DevProvider::add_user`](crate::DevProvider::add_user)).
pub async fn sign_in(
    client: &Client,
    login_url: &Url,
    email: &str,
) -> Result<SignedIn, SignInError> {
    let mut page = follow(client, client.get(login_url.clone()), login_url.clone()).await?;
    let submission = user_submission(&page.body, &page.url, UserAction::SignIn(email))?;
    page = submit(client, &submission).await?;
    if let Some(message) = page_error(&page.body) {
        return Err(SignInError::Refused { message });
    }
    // A form_post response: the page's one form posting elsewhere is the
    // response to the application's redirect URI.
    for _ in 0..MAX_STEPS {
        let doc = Html::parse_document(&page.body);
        let next = forms(&doc, &page.url)
            .find(|(id, _)| id.as_deref() == Some("response-form"))
            .map(|(_, submission)| submission);
        drop(doc);
        match next {
            Some(submission) => page = submit(client, &submission).await?,
            None => return Ok(page),
        }
    }
    Err(SignInError::TooManyRedirects(page.url.to_string()))
}

/// The problem a provider page shows in `#error`, if any.
pub(super) fn page_error(html: &str) -> Option<String> {
    let selector = Selector::parse("#error").ok()?;
    let doc = Html::parse_document(html);
    let text: String = doc.select(&selector).next()?.text().collect();
    Some(text.trim().to_owned())
}

pub(super) async fn submit(
    client: &Client,
    submission: &Submission,
) -> Result<SignedIn, SignInError> {
    let request = client
        .post(submission.action.clone())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(
            url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(&submission.fields)
                .finish(),
        );
    follow(client, request, submission.action.clone()).await
}

/// Sends `request` and follows redirects with GETs, as a browser does.
pub(super) async fn follow(
    client: &Client,
    request: reqwest::RequestBuilder,
    mut url: Url,
) -> Result<SignedIn, SignInError> {
    let http = |url: &Url| {
        let url = url.to_string();
        move |source| SignInError::Http { url, source }
    };
    let mut response = request.send().await.map_err(http(&url))?;
    for _ in 0..MAX_STEPS {
        if !response.status().is_redirection() {
            let status = response.status();
            let body = response.text().await.map_err(http(&url))?;
            return Ok(SignedIn { url, status, body });
        }
        let location = response
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        url = url.join(&location).map_err(|_| SignInError::BadRedirect {
            from: url.to_string(),
            location,
        })?;
        response = client.get(url.clone()).send().await.map_err(http(&url))?;
    }
    Err(SignInError::TooManyRedirects(url.to_string()))
}
