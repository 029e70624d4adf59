//! A scriptless HTTP "browser" for tests that drive login pages.
//!
//! Login tests need to do what a user's browser does at a provider: keep
//! cookies, follow redirects, read HTML pages and submit their forms, and
//! finally hand the authorization response to the application. [`Browser`]
//! does that over plain HTTP, without JavaScript, and shows the test every
//! step: redirects are **not** followed automatically (use
//! [`Browser::follow`] or [`Browser::follow_redirects`]), so a test can stop
//! at the application's redirect URI instead of requesting it.
//!
//! - [`Browser`]: a `reqwest` client with a cookie jar (cookies honour
//!   `Domain`, `Path` and expiry) and no automatic redirects.
//! - [`Page`]: one HTTP response, fully read: status, headers, body, its URL
//!   (to resolve relative links), and HTML helpers (forms, links, inputs,
//!   title).
//! - [`Form`]: an HTML form as a browser would submit it: its action
//!   (resolved against the page URL), method, and the *successful controls*
//!   (hidden inputs included); override fields with [`Form::set`], choose
//!   the submit button with [`Form::press`], then [`Browser::submit`].
//!
//! # Example: the dev provider's sign-in page
//!
//! ```no_run
//! use tests::browser::Browser;
//!
//! # async fn run(authorization_url: url::Url) -> Result<(), tests::browser::BrowserError> {
//! let browser = Browser::new();
//! let redirect_uri = "http://127.0.0.1:3000/callback";
//! // GET the authorization URL, follow the provider's own redirects, stop
//! // before the application's redirect URI.
//! let page = browser.get(authorization_url).await?;
//! let page = browser
//!     .follow_redirects(page, |next| next.as_str().starts_with(redirect_uri))
//!     .await?;
//! // Fill in and submit the sign-in form (the one with an `email` input).
//! let form = page
//!     .form_with_input("email")?
//!     .set("email", "alice@example.com")
//!     .set("action", "sign_in");
//! let page = browser.submit(&form).await?;
//! // form_post: an auto-submitting form that posts to the redirect URI.
//! if let Some(response) = page.form_post_response(redirect_uri) {
//!     let body = response.encoded(); // what the browser would POST
//!     # let _ = body;
//! } else if let Some(callback) = page.location() {
//!     // query: a redirect to `redirect_uri?code=...&state=...`
//!     # let _ = callback;
//! }
//! # Ok(()) }
//! ```
//!
//! # Limits
//!
//! No JavaScript, no `<base href>`, no `form=` attribute on controls outside
//! the form, no `multipart/form-data` submissions, no image buttons.
//! Submit buttons contribute their `name=value` only when pressed
//! ([`Form::press`] or [`Form::press_value`]), appended after the other
//! fields.

use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue, LOCATION};
use reqwest::{Method, StatusCode};
use scraper::{ElementRef, Html, Selector};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// How many redirects [`Browser::follow_redirects`] follows before giving up.
pub const MAX_REDIRECTS: usize = 20;

/// What can go wrong while browsing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BrowserError {
    /// The request failed (connection, timeout, body).
    #[error("{method} {url}: {source}")]
    Http {
        /// The request method.
        method: Method,
        /// The request URL.
        url: String,
        /// The underlying error.
        source: reqwest::Error,
    },
    /// [`Browser::follow`] was given a response that is not a redirect.
    #[error("{url} answered {status}, not a redirect with a Location header")]
    NotARedirect {
        /// The page's URL.
        url: String,
        /// Its status.
        status: StatusCode,
    },
    /// More than [`MAX_REDIRECTS`] redirects in a row.
    #[error("more than {MAX_REDIRECTS} redirects, the last to {0}")]
    TooManyRedirects(String),
    /// A form, link or element the test looked for is not on the page.
    #[error("no {what} on {url} (status {status}); the page reads:\n{excerpt}")]
    NotFound {
        /// What was looked for.
        what: String,
        /// The page's URL.
        url: String,
        /// The page's status.
        status: StatusCode,
        /// The start of the page body.
        excerpt: String,
    },
    /// A CSS selector does not parse.
    #[error("invalid CSS selector `{selector}`: {reason}")]
    Selector {
        /// The selector.
        selector: String,
        /// Why it does not parse.
        reason: String,
    },
    /// A URL given to the browser is not an absolute URL.
    #[error("`{url}` is not an absolute URL: {source}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// Why.
        source: url::ParseError,
    },
    /// A URL in the page (link, form action, Location) does not resolve.
    #[error("cannot resolve `{reference}` against {base}: {source}")]
    BadUrl {
        /// The reference as written.
        reference: String,
        /// The URL it was resolved against.
        base: String,
        /// Why.
        source: url::ParseError,
    },
    /// The form cannot be submitted by this browser.
    #[error("cannot submit the form to {action}: {reason}")]
    Unsupported {
        /// The form's action.
        action: String,
        /// Why.
        reason: String,
    },
}

/// The result type of the browser's operations.
pub type Result<T, E = BrowserError> = std::result::Result<T, E>;

/// A scriptless browser: a cookie jar and an HTTP client that does not
/// follow redirects. Cheap to clone; clones share the cookie jar.
#[derive(Clone)]
pub struct Browser {
    client: reqwest::Client,
    jar: Arc<reqwest::cookie::Jar>,
}

impl fmt::Debug for Browser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Browser").finish_non_exhaustive()
    }
}

impl Default for Browser {
    fn default() -> Self {
        Self::new()
    }
}

impl Browser {
    /// A browser with an empty cookie jar and a 10 s deadline per request.
    pub fn new() -> Self {
        Self::with_timeout(Duration::from_secs(10))
    }

    /// A browser with an empty cookie jar and the given deadline per request.
    ///
    /// # Panics
    ///
    /// If the HTTP client cannot be built (the TLS backend fails to load).
    pub fn with_timeout(timeout: Duration) -> Self {
        let jar = Arc::new(reqwest::cookie::Jar::default());
        #[allow(clippy::expect_used)]
        let client = reqwest::Client::builder()
            .cookie_provider(Arc::clone(&jar))
            .redirect(reqwest::redirect::Policy::none())
            // Tests talk to loopback servers: never through a proxy from
            // the environment.
            .no_proxy()
            .timeout(timeout)
            .build()
            .expect("building the test browser's HTTP client");
        Self { client, jar }
    }

    /// The `Cookie` header this browser would send to `url`, if any.
    pub fn cookies_for(&self, url: &Url) -> Option<String> {
        use reqwest::cookie::CookieStore;
        self.jar
            .cookies(url)
            .and_then(|v| v.to_str().ok().map(str::to_owned))
    }

    /// Adds a cookie as if `url` had set it (`Set-Cookie` syntax).
    pub fn add_cookie(&self, set_cookie: &str, url: &Url) {
        self.jar.add_cookie_str(set_cookie, url);
    }

    /// `GET url`. Redirects are not followed: see [`Browser::follow`].
    pub async fn get(&self, url: impl AsRef<str>) -> Result<Page> {
        let url = parse_absolute(url.as_ref())?;
        self.send(Method::GET, url, None).await
    }

    /// `POST url` with an `application/x-www-form-urlencoded` body made of
    /// `fields`, in order.
    pub async fn post_form<K, V>(
        &self,
        url: impl AsRef<str>,
        fields: impl IntoIterator<Item = (K, V)>,
    ) -> Result<Page>
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let url = parse_absolute(url.as_ref())?;
        self.send(Method::POST, url, Some(encode(fields))).await
    }

    /// Submits `form` as a browser would: `POST` of its urlencoded fields to
    /// its action, or for `method="get"` a `GET` of the action with the
    /// fields as its query (replacing any query the action had).
    pub async fn submit(&self, form: &Form) -> Result<Page> {
        if !form
            .enctype
            .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        {
            return Err(BrowserError::Unsupported {
                action: form.action.to_string(),
                reason: format!("enctype `{}`", form.enctype),
            });
        }
        if form.method == Method::GET {
            let mut url = form.action.clone();
            url.set_query(Some(&form.encoded()));
            self.send(Method::GET, url, None).await
        } else {
            self.send(Method::POST, form.action.clone(), Some(form.encoded()))
                .await
        }
    }

    /// Follows one redirect: requests the page's `Location`, resolved
    /// against the page's URL. 301, 302 and 303 become a `GET` (as browsers
    /// do); 307 and 308 repeat the method and form body.
    pub async fn follow(&self, page: &Page) -> Result<Page> {
        let next = page.location().ok_or_else(|| BrowserError::NotARedirect {
            url: page.url.to_string(),
            status: page.status,
        })?;
        match page.status {
            StatusCode::TEMPORARY_REDIRECT | StatusCode::PERMANENT_REDIRECT => {
                self.send(page.request_method.clone(), next, page.request_body.clone())
                    .await
            }
            _ => self.send(Method::GET, next, None).await,
        }
    }

    /// Follows redirects from `page` until a response that is not a
    /// redirect, or a redirect whose target satisfies `stop_before` (which
    /// is then **not** requested: the returned page is that redirect, and
    /// [`Page::location`] gives its target). Typical use: stop before the
    /// application's redirect URI to capture a query-mode callback.
    pub async fn follow_redirects(
        &self,
        mut page: Page,
        stop_before: impl Fn(&Url) -> bool,
    ) -> Result<Page> {
        for _ in 0..MAX_REDIRECTS {
            match page.location() {
                Some(next) if !stop_before(&next) => page = self.follow(&page).await?,
                _ => return Ok(page),
            }
        }
        Err(BrowserError::TooManyRedirects(
            page.location()
                .unwrap_or_else(|| page.url.clone())
                .to_string(),
        ))
    }

    /// `GET url` with extra request headers (e.g. the `Sec-Fetch-*` headers
    /// a browser adds to say what kind of request this is).
    pub async fn get_with(&self, url: impl AsRef<str>, headers: &[(&str, &str)]) -> Result<Page> {
        let url = parse_absolute(url.as_ref())?;
        self.send_with(Method::GET, url, None, headers).await
    }

    /// [`Browser::post_form`] with extra request headers (e.g. `Origin`).
    pub async fn post_form_with<K, V>(
        &self,
        url: impl AsRef<str>,
        headers: &[(&str, &str)],
        fields: impl IntoIterator<Item = (K, V)>,
    ) -> Result<Page>
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let url = parse_absolute(url.as_ref())?;
        self.send_with(Method::POST, url, Some(encode(fields)), headers)
            .await
    }

    async fn send(&self, method: Method, url: Url, form_body: Option<String>) -> Result<Page> {
        self.send_with(method, url, form_body, &[]).await
    }

    async fn send_with(
        &self,
        method: Method,
        url: Url,
        form_body: Option<String>,
        headers: &[(&str, &str)],
    ) -> Result<Page> {
        let mut request = self.client.request(method.clone(), url.clone());
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = &form_body {
            request = request
                .header(
                    CONTENT_TYPE,
                    HeaderValue::from_static("application/x-www-form-urlencoded"),
                )
                .body(body.clone());
        }
        let http_error = |source| BrowserError::Http {
            method: method.clone(),
            url: url.to_string(),
            source,
        };
        let response = request.send().await.map_err(http_error)?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.text().await.map_err(http_error)?;
        Ok(Page {
            url,
            status,
            headers,
            body,
            request_method: method,
            request_body: form_body,
        })
    }
}

/// One HTTP response, fully read, with the URL it came from.
#[derive(Clone)]
pub struct Page {
    url: Url,
    status: StatusCode,
    headers: HeaderMap,
    body: String,
    request_method: Method,
    request_body: Option<String>,
}

impl fmt::Debug for Page {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Page")
            .field("method", &self.request_method)
            .field("url", &self.url.as_str())
            .field("status", &self.status)
            .field("location", &self.headers.get(LOCATION))
            .field("body", &excerpt(&self.body))
            .finish()
    }
}

impl Page {
    /// The URL that was requested.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The response body as text.
    pub fn body(&self) -> &str {
        &self.body
    }

    /// Whether this is a redirect (3xx with a `Location` header).
    pub fn is_redirect(&self) -> bool {
        self.location().is_some()
    }

    /// The redirect target: the `Location` header of a 3xx response,
    /// resolved against this page's URL (providers often send relative
    /// paths). `None` for other responses or an unparsable header.
    pub fn location(&self) -> Option<Url> {
        if !self.status.is_redirection() {
            return None;
        }
        let value = self.headers.get(LOCATION)?.to_str().ok()?;
        self.url.join(value).ok()
    }

    /// The body parsed as HTML (parse once and reuse it for many queries).
    pub fn html(&self) -> Html {
        Html::parse_document(&self.body)
    }

    /// The text of `<title>`, trimmed.
    pub fn title(&self) -> Option<String> {
        let html = self.html();
        let title = html.select(&selector("title").ok()?).next()?;
        Some(title.text().collect::<String>().trim().to_owned())
    }

    /// Whether an element matches the CSS selector.
    pub fn contains(&self, css: &str) -> Result<bool> {
        let selector = selector(css)?;
        Ok(self.html().select(&selector).next().is_some())
    }

    /// The text content of every element matching the CSS selector.
    pub fn texts(&self, css: &str) -> Result<Vec<String>> {
        let selector = selector(css)?;
        Ok(self
            .html()
            .select(&selector)
            .map(|e| e.text().collect::<String>())
            .collect())
    }

    /// The `value` of the first `<input>` named `name`, anywhere on the
    /// page (e.g. a hidden field).
    pub fn input_value(&self, name: &str) -> Option<String> {
        let html = self.html();
        let inputs = selector("input[name]").ok()?;
        html.select(&inputs)
            .find(|e| e.value().attr("name") == Some(name))
            .map(|e| e.value().attr("value").unwrap_or_default().to_owned())
    }

    /// The `href` of the first `<a>` (or other element) matching the CSS
    /// selector, resolved against the page URL. For example
    /// `page.link("a[href$='/abort']")`.
    pub fn link(&self, css: &str) -> Result<Url> {
        let selector = selector(css)?;
        let html = self.html();
        let href = html
            .select(&selector)
            .find_map(|e| e.value().attr("href"))
            .ok_or_else(|| self.not_found(format!("link matching `{css}` with an href")))?;
        self.resolve(href)
    }

    /// Every `<form>` on the page, in document order.
    pub fn forms(&self) -> Result<Vec<Form>> {
        let html = self.html();
        let forms = selector("form")?;
        html.select(&forms)
            .map(|e| Form::from_element(self, e))
            .collect()
    }

    /// The first form matching the CSS selector (e.g. `form#login`,
    /// `form[action$='/decision']`).
    pub fn form(&self, css: &str) -> Result<Form> {
        let selector = selector(css)?;
        let html = self.html();
        let element = html
            .select(&selector)
            .find(|e| e.value().name() == "form")
            .ok_or_else(|| self.not_found(format!("form matching `{css}`")))?;
        Form::from_element(self, element)
    }

    /// The first form with a control (input, select, textarea or button)
    /// named `name`.
    pub fn form_with_input(&self, name: &str) -> Result<Form> {
        self.forms()?
            .into_iter()
            .find(|f| f.controls.iter().any(|c| c == name))
            .ok_or_else(|| self.not_found(format!("form with a control named `{name}`")))
    }

    /// The authorization response of a `response_mode=form_post` provider:
    /// a form with `method="post"` whose action is `redirect_uri` (the page
    /// normally submits it with script on load). Its [`Form::encoded`] body
    /// is exactly what a browser would POST to the redirect URI. `None`
    /// when the page has no such form.
    pub fn form_post_response(&self, redirect_uri: &str) -> Option<Form> {
        let target = Url::parse(redirect_uri).ok()?;
        self.forms()
            .ok()?
            .into_iter()
            .find(|f| f.method == Method::POST && f.action == target)
    }

    /// Resolves a reference from this page (link, action) against its URL.
    pub fn resolve(&self, reference: &str) -> Result<Url> {
        self.url
            .join(reference)
            .map_err(|source| BrowserError::BadUrl {
                reference: reference.to_owned(),
                base: self.url.to_string(),
                source,
            })
    }

    /// A [`BrowserError::NotFound`] about this page, for helpers built on it.
    pub fn not_found(&self, what: impl Into<String>) -> BrowserError {
        BrowserError::NotFound {
            what: what.into(),
            url: self.url.to_string(),
            status: self.status,
            excerpt: excerpt(&self.body),
        }
    }
}

/// A submit button of a form (`<button>` of type submit, or
/// `<input type="submit">`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmitButton {
    /// Its `name`, if it has one (an unnamed button submits no field).
    pub name: Option<String>,
    /// Its `value` (empty if absent).
    pub value: String,
    /// Its visible label, trimmed.
    pub label: String,
}

/// An HTML form ready to submit: its action, method and fields as a browser
/// would send them. Build one with [`Page::form`], [`Page::form_with_input`]
/// or [`Page::form_post_response`]; submit it with [`Browser::submit`].
#[derive(Debug, Clone)]
pub struct Form {
    action: Url,
    method: Method,
    enctype: String,
    fields: Vec<(String, String)>,
    buttons: Vec<SubmitButton>,
    /// Names of every named control, submittable or not (checkboxes not
    /// checked, buttons, ...), to find a form by a control's name.
    controls: Vec<String>,
}

impl Form {
    fn from_element(page: &Page, form: ElementRef<'_>) -> Result<Self> {
        let attr = |name: &str| form.value().attr(name);
        // An absent or empty action submits to the page's own URL.
        let action = match attr("action").map(str::trim) {
            Some(action) if !action.is_empty() => page.resolve(action)?,
            _ => page.url.clone(),
        };
        let method = match attr("method").map(str::trim) {
            Some(m) if m.eq_ignore_ascii_case("post") => Method::POST,
            _ => Method::GET,
        };
        let enctype = attr("enctype")
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .unwrap_or("application/x-www-form-urlencoded")
            .to_owned();

        let mut fields = Vec::new();
        let mut buttons = Vec::new();
        let mut controls = Vec::new();
        let control_selector = selector("input, select, textarea, button")?;
        let option_selector = selector("option")?;
        for control in form.select(&control_selector) {
            let element = control.value();
            let name = element.attr("name").unwrap_or_default().to_owned();
            if !name.is_empty() {
                controls.push(name.clone());
            }
            let disabled = element.attr("disabled").is_some();
            let kind = element
                .attr("type")
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase();
            match element.name() {
                _ if disabled => {}
                "button" if kind.is_empty() || kind == "submit" => buttons.push(SubmitButton {
                    name: Some(name).filter(|n| !n.is_empty()),
                    value: element.attr("value").unwrap_or_default().to_owned(),
                    label: control.text().collect::<String>().trim().to_owned(),
                }),
                "button" => {}
                "input" if kind == "submit" => {
                    let value = element.attr("value").unwrap_or_default().to_owned();
                    buttons.push(SubmitButton {
                        name: Some(name).filter(|n| !n.is_empty()),
                        label: value.clone(),
                        value,
                    });
                }
                _ if name.is_empty() => {}
                "input" => match kind.as_str() {
                    "image" | "button" | "reset" => {}
                    "checkbox" | "radio" => {
                        if element.attr("checked").is_some() {
                            let value = element.attr("value").unwrap_or("on");
                            fields.push((name, value.to_owned()));
                        }
                    }
                    "file" => fields.push((name, String::new())),
                    _ => {
                        let value = element.attr("value").unwrap_or_default();
                        fields.push((name, value.to_owned()));
                    }
                },
                "textarea" => {
                    let text: String = control.text().collect();
                    // A newline right after <textarea> is not content.
                    let text = text.strip_prefix('\n').unwrap_or(&text);
                    fields.push((name, text.to_owned()));
                }
                "select" => {
                    let multiple = element.attr("multiple").is_some();
                    let options: Vec<ElementRef<'_>> = control
                        .select(&option_selector)
                        .filter(|o| o.value().attr("disabled").is_none())
                        .collect();
                    let option_value = |o: &ElementRef<'_>| {
                        o.value().attr("value").map_or_else(
                            || o.text().collect::<Vec<_>>().join(" ").trim().to_owned(),
                            str::to_owned,
                        )
                    };
                    let selected: Vec<&ElementRef<'_>> = options
                        .iter()
                        .filter(|o| o.value().attr("selected").is_some())
                        .collect();
                    if multiple {
                        for option in selected {
                            fields.push((name.clone(), option_value(option)));
                        }
                    } else if let Some(option) = selected.last().copied().or(options.first()) {
                        fields.push((name, option_value(option)));
                    }
                }
                _ => {}
            }
        }
        Ok(Self {
            action,
            method,
            enctype,
            fields,
            buttons,
            controls,
        })
    }

    /// Where the form submits to (resolved against the page's URL).
    pub fn action(&self) -> &Url {
        &self.action
    }

    /// `GET` or `POST`.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The fields that will be submitted, in order.
    pub fn fields(&self) -> &[(String, String)] {
        &self.fields
    }

    /// The value of the first field named `name` (hidden fields included).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The form's submit buttons.
    pub fn buttons(&self) -> &[SubmitButton] {
        &self.buttons
    }

    /// Sets field `name` to `value`, as a user typing into it would: the
    /// first field of that name gets the value (later ones of the same name
    /// are dropped); a name the form does not have is appended.
    #[must_use]
    pub fn set(mut self, name: &str, value: impl Into<String>) -> Self {
        let value = value.into();
        match self.fields.iter().position(|(n, _)| n == name) {
            Some(first) => {
                self.fields[first].1 = value;
                let mut index = 0;
                self.fields.retain(|(n, _)| {
                    let keep = index <= first || n != name;
                    index += 1;
                    keep
                });
            }
            None => self.fields.push((name.to_owned(), value)),
        }
        self
    }

    /// Removes every field named `name`.
    #[must_use]
    pub fn remove(mut self, name: &str) -> Self {
        self.fields.retain(|(n, _)| n != name);
        self
    }

    /// Presses the submit button named `name`: its `name=value` is added to
    /// the submission. Fails if the form has no such button.
    pub fn press(self, name: &str) -> Result<Self> {
        let button = self
            .buttons
            .iter()
            .find(|b| b.name.as_deref() == Some(name))
            .cloned()
            .ok_or_else(|| BrowserError::NotFound {
                what: format!("submit button named `{name}`"),
                url: self.action.to_string(),
                status: StatusCode::OK,
                excerpt: format!("buttons: {:?}", self.buttons),
            })?;
        Ok(self.press_value(name, button.value))
    }

    /// Adds `name=value` as the pressed submit button's field, whether or
    /// not the form declares such a button (e.g. one of several buttons
    /// sharing a name with different values).
    #[must_use]
    pub fn press_value(mut self, name: &str, value: impl Into<String>) -> Self {
        self.fields.push((name.to_owned(), value.into()));
        self
    }

    /// The `application/x-www-form-urlencoded` serialization of the fields,
    /// as a browser sends it (spaces as `+`).
    pub fn encoded(&self) -> String {
        encode(self.fields.iter().map(|(n, v)| (n, v)))
    }
}

fn encode<K: AsRef<str>, V: AsRef<str>>(fields: impl IntoIterator<Item = (K, V)>) -> String {
    let mut serializer = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in fields {
        serializer.append_pair(name.as_ref(), value.as_ref());
    }
    serializer.finish()
}

fn selector(css: &str) -> Result<Selector> {
    Selector::parse(css).map_err(|e| BrowserError::Selector {
        selector: css.to_owned(),
        reason: e.to_string(),
    })
}

fn parse_absolute(url: &str) -> Result<Url> {
    Url::parse(url).map_err(|source| BrowserError::InvalidUrl {
        url: url.to_owned(),
        source,
    })
}

fn excerpt(body: &str) -> String {
    const MAX: usize = 2000;
    match body.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}...", &body[..cut]),
        None => body.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(url: &str, status: u16, body: &str, location: Option<&str>) -> Page {
        let mut headers = HeaderMap::new();
        if let Some(location) = location {
            headers.insert(LOCATION, HeaderValue::from_str(location).unwrap());
        }
        Page {
            url: Url::parse(url).unwrap(),
            status: StatusCode::from_u16(status).unwrap(),
            headers,
            body: body.to_owned(),
            request_method: Method::GET,
            request_body: None,
        }
    }

    #[test]
    fn relative_locations_resolve_against_the_page() {
        let p = page(
            "http://127.0.0.1:4000/auth?x=1",
            303,
            "",
            Some("/interaction/abc"),
        );
        assert_eq!(
            p.location().unwrap().as_str(),
            "http://127.0.0.1:4000/interaction/abc"
        );
        let p = page("http://127.0.0.1:4000/a/b", 302, "", Some("c?d=e"));
        assert_eq!(
            p.location().unwrap().as_str(),
            "http://127.0.0.1:4000/a/c?d=e"
        );
        assert!(page("http://h/", 200, "", Some("/x")).location().is_none());
    }

    const SIGN_IN: &str = r#"<!doctype html><html><head><title> Sign in </title></head><body>
        <form id="search" action="/search"><input name="q" value="x"></form>
        <form method="POST" action="/authorize/decision">
          <input type="hidden" name="interaction" value="i-123">
          <input type="email" name="email" value="">
          <input type="text" name="off" disabled value="no">
          <input type="checkbox" name="remember">
          <input type="checkbox" name="terms" checked>
          <select name="lang"><option value="fr">Fr</option><option selected>en</option></select>
          <textarea name="note">
hello</textarea>
          <button type="submit" name="action" value="sign_in">Sign in</button>
          <button type="submit" name="action" value="cancel">Cancel</button>
          <button type="button" name="js">JS</button>
        </form>
        <a href="/interaction/i-123/abort">Cancel</a>
        </body></html>"#;

    #[test]
    fn collects_successful_controls_like_a_browser() {
        let p = page("http://127.0.0.1:4000/authorize?x", 200, SIGN_IN, None);
        assert_eq!(p.title().as_deref(), Some("Sign in"));
        let form = p.form_with_input("email").unwrap();
        assert_eq!(form.method(), Method::POST);
        assert_eq!(
            form.action().as_str(),
            "http://127.0.0.1:4000/authorize/decision"
        );
        assert_eq!(
            form.fields(),
            &[
                ("interaction".to_owned(), "i-123".to_owned()),
                ("email".to_owned(), String::new()),
                ("terms".to_owned(), "on".to_owned()),
                ("lang".to_owned(), "en".to_owned()),
                ("note".to_owned(), "hello".to_owned()),
            ]
        );
        assert_eq!(form.buttons().len(), 2);
        let form = form
            .set("email", "a b@example.com")
            .remove("note")
            .press("action")
            .unwrap();
        assert_eq!(
            form.encoded(),
            "interaction=i-123&email=a+b%40example.com&terms=on&lang=en&action=sign_in"
        );
        assert!(form.clone().press("nope").is_err());
        let cancel = p
            .form("form[action$='/decision']")
            .unwrap()
            .press_value("action", "cancel");
        assert_eq!(cancel.get("action"), Some("cancel"));
        assert_eq!(
            p.link("a[href$='/abort']").unwrap().as_str(),
            "http://127.0.0.1:4000/interaction/i-123/abort"
        );
        assert_eq!(p.input_value("interaction").as_deref(), Some("i-123"));
        let search = p.form("#search").unwrap();
        assert_eq!(search.method(), Method::GET);
        assert!(p.form("#missing").is_err());
    }

    #[test]
    fn set_replaces_the_first_and_drops_duplicates() {
        let p = page(
            "http://h/",
            200,
            r#"<form method=post><input name=a value=1><input name=b value=2><input name=a value=3></form>"#,
            None,
        );
        let form = p.forms().unwrap().remove(0);
        assert_eq!(form.action().as_str(), "http://h/");
        assert_eq!(form.clone().set("a", "x").encoded(), "a=x&b=2");
        assert_eq!(form.set("c", "y").encoded(), "a=1&b=2&a=3&c=y");
    }

    #[test]
    fn finds_the_form_post_response() {
        let body = r#"<!DOCTYPE html><html><head><title>Submitting Callback</title>
            <script>document.addEventListener('DOMContentLoaded', function () { document.forms[0].submit() });</script>
            </head><body><form method="post" action="http://127.0.0.1:9/cb">
            <input type="hidden" name="code" value="c+1/="/>
            <input type="hidden" name="state" value="s t"/>
            <input type="hidden" name="iss" value="http://127.0.0.1:4000"/>
            <noscript><button autofocus type="submit">Continue</button></noscript>
            </form></body></html>"#;
        let p = page("http://127.0.0.1:4000/auth/x", 200, body, None);
        let form = p.form_post_response("http://127.0.0.1:9/cb").unwrap();
        assert_eq!(
            form.encoded(),
            "code=c%2B1%2F%3D&state=s+t&iss=http%3A%2F%2F127.0.0.1%3A4000"
        );
        assert!(p.form_post_response("http://127.0.0.1:9/other").is_none());
    }
}
