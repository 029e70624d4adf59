//! Several providers in one application ("Sign in with A or B").
//!
//! Each provider is an [`Oidc`] given a name with [`Oidc::named`], which
//! puts its routes under `/auth/{name}/` (`login`, `callback`, `logout`,
//! and `backchannel-logout` when enabled) and checks that its redirect URI
//! points at that callback. [`Providers`] collects them, refuses setups
//! whose routes or sessions would clash, mounts every route at once, and
//! backs [`SignedInAny`], the extractor for "signed in with any of them".
//! The per-provider [`SignedIn<C>`](super::SignedIn) still works: give each
//! provider its own type `C` (its `#[oidc_client]` struct, or
//! [`Oidc::tagged`] when two share `ClientConfig`).
//!
//! One browser is signed in with one provider at a time: a login starts an
//! empty session (session fixation), so signing in with B ends a sign-in
//! with A in that browser. Each provider's record lives under its own
//! session key (issuer and client id), so `SignedIn<A>` never reads B's.

use super::extract::{self, SignedInRejection};
use super::record::SessionRecord;
use super::{Oidc, Options};
use crate::logout::BoxFuture;
use axum::Router;
use axum::extract::{FromRef, FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

/// The longest provider name: it is a path segment and appears in logs.
pub const MAX_PROVIDER_NAME_LEN: usize = 32;

/// A multi-provider setup that would clash or mix sessions. Each variant
/// says how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProvidersError {
    /// The name cannot be a path segment.
    #[error(
        "provider name `{0}` is invalid: use 1 to 32 characters among a-z, 0-9, `-` and `_`, \
         starting with a letter or digit (it becomes a path: /auth/NAME/login)"
    )]
    InvalidName(String),
    /// The redirect URI does not point at the provider's callback route.
    #[error(
        "provider `{name}`: the redirect URI `{redirect_uri}` must have the path `{expected}`, \
         this provider's callback route; configure and register that URI with the provider"
    )]
    RedirectUriMismatch {
        /// The provider's name.
        name: String,
        /// The callback path the name implies.
        expected: String,
        /// The configured redirect URI.
        redirect_uri: String,
    },
    /// An `Oidc` without a name was added to [`Providers`].
    #[error(
        "the provider for issuer `{issuer}` has no name: call `.named(\"NAME\")` on its `Oidc` \
         before adding it (that puts its routes under /auth/NAME/)"
    )]
    Unnamed {
        /// The provider's issuer.
        issuer: String,
    },
    /// Two providers have the same name.
    #[error("two providers are named `{0}`: give each its own name")]
    DuplicateName(String),
    /// Two providers are the same client of the same issuer: their
    /// sessions would be one.
    #[error(
        "providers `{first}` and `{second}` are the same client (issuer `{issuer}`, client id \
         `{client_id}`): their sessions would mix; use one name per client"
    )]
    SameClient {
        /// The provider added first.
        first: String,
        /// The provider added second.
        second: String,
        /// Their issuer.
        issuer: String,
        /// Their client id.
        client_id: String,
    },
    /// Two routes have the same path.
    #[error("`{first}` and `{second}` both use the path `{path}`: give each its own path")]
    RouteClash {
        /// The path.
        path: String,
        /// What uses it first (a provider's name, or "the chooser page").
        first: String,
        /// What uses it second.
        second: String,
    },
    /// The chooser path is not a local path.
    #[error("the chooser path `{0}` must be a path on this site, such as /signin")]
    InvalidChooserPath(String),
}

fn check_name(name: &str) -> Result<(), ProvidersError> {
    let valid_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_';
    let valid = !name.is_empty()
        && name.len() <= MAX_PROVIDER_NAME_LEN
        && name.chars().all(valid_char)
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric());
    if valid {
        Ok(())
    } else {
        Err(ProvidersError::InvalidName(name.to_owned()))
    }
}

impl<C> Oidc<C> {
    /// Names this provider for an application with several: its routes
    /// move to `/auth/{name}/login`, `/auth/{name}/logout` and, if
    /// back-channel logout is already enabled,
    /// `/auth/{name}/backchannel-logout`; its redirect URI must have the
    /// path `/auth/{name}/callback` (checked here, so a misconfiguration
    /// fails at start, not at the first login). Add it to [`Providers`].
    ///
    /// Names are 1 to 32 characters among `a-z`, `0-9`, `-` and `_`.
    pub fn named(mut self, name: &str) -> Result<Self, ProvidersError> {
        check_name(name)?;
        let prefix = format!("/auth/{name}");
        let expected = format!("{prefix}/callback");
        if self.options.callback_path != expected {
            return Err(ProvidersError::RedirectUriMismatch {
                name: name.to_owned(),
                expected,
                redirect_uri: self.client.config().redirect_uri().to_owned(),
            });
        }
        let options = self.options_mut();
        options.name = Some(name.to_owned());
        options.login_path = format!("{prefix}/login");
        options.logout_path = format!("{prefix}/logout");
        if options.backchannel_logout_path.is_some() {
            options.backchannel_logout_path = Some(format!("{prefix}/backchannel-logout"));
        }
        Ok(self)
    }

    /// The name given with [`Oidc::named`].
    pub fn name(&self) -> Option<&str> {
        self.options.name.as_deref()
    }

    /// The same integration under another type `T`, the type that names
    /// this provider in [`SignedIn<T>`](super::SignedIn) and in the router
    /// state (`Oidc<T>: FromRef<S>`). Two providers configured with the
    /// same type (e.g. `ClientConfig` twice) get distinct types this way.
    pub fn tagged<T>(self) -> Oidc<T> {
        Oidc {
            client: self.client,
            key: self.key,
            options: self.options,
            registry: self.registry,
            refreshes: self.refreshes,
            refresh_lock: self.refresh_lock,
            _config: PhantomData,
        }
    }
}

/// One provider of [`Providers`], its configuration type erased.
trait Provider: Send + Sync {
    fn options(&self) -> &Options;
    fn issuer(&self) -> &str;
    fn client_id(&self) -> &str;
    fn routes(&self) -> Router;
    fn load<'a>(
        &'a self,
        parts: &'a Parts,
    ) -> BoxFuture<'a, Result<Option<SessionRecord>, SignedInRejection>>;
}

impl<C: 'static> Provider for Oidc<C> {
    fn options(&self) -> &Options {
        &self.options
    }

    fn issuer(&self) -> &str {
        self.client.config().issuer()
    }

    fn client_id(&self) -> &str {
        self.client.config().client_id()
    }

    fn routes(&self) -> Router {
        Oidc::routes(self)
    }

    fn load<'a>(
        &'a self,
        parts: &'a Parts,
    ) -> BoxFuture<'a, Result<Option<SessionRecord>, SignedInRejection>> {
        Box::pin(async move { Ok(extract::load(parts, self).await?.map(|s| s.into_record())) })
    }
}

/// Several named providers in one application: their routes, and the
/// state [`SignedInAny`] needs (`Providers: FromRef<S>`). Cheap to clone.
///
/// Name each provider with [`Oidc::named`] (routes under `/auth/{name}/`),
/// give each its own type for [`SignedIn<C>`](super::SignedIn) (its
/// `#[oidc_client]` struct, or [`Oidc::tagged`]), and put them in the
/// router state next to the `Providers`:
///
/// ```no_run
/// use axum::extract::FromRef;
/// use axum::{Router, routing::get};
/// use oidc_core::web::{Oidc, Providers, SignedIn, SignedInAny, memory_session_layer};
/// use oidc_core::ClientConfig;
///
/// struct Google;
/// struct Entra;
///
/// #[derive(Clone)]
/// struct AppState {
///     providers: Providers,
///     google: Oidc<Google>,
///     entra: Oidc<Entra>,
/// }
/// impl FromRef<AppState> for Providers {
///     fn from_ref(state: &AppState) -> Self { state.providers.clone() }
/// }
/// impl FromRef<AppState> for Oidc<Google> {
///     fn from_ref(state: &AppState) -> Self { state.google.clone() }
/// }
/// impl FromRef<AppState> for Oidc<Entra> {
///     fn from_ref(state: &AppState) -> Self { state.entra.clone() }
/// }
///
/// async fn home(user: Option<SignedInAny>) -> String {
///     match user {
///         Some(user) => format!("{} via {}", user.sub(), user.provider()),
///         None => "<a href=/auth/google/login>Google</a> <a href=/auth/entra/login>Entra</a>".into(),
///     }
/// }
///
/// async fn mail(user: SignedIn<Entra>) -> String {
///     format!("mailbox of {}", user.sub())
/// }
///
/// # async fn run(google_config: ClientConfig, entra_config: ClientConfig)
/// #     -> Result<(), Box<dyn std::error::Error>> {
/// // Redirect URIs: https://app.example.com/auth/google/callback, .../auth/entra/callback
/// let google = Oidc::discover(google_config).await?.tagged::<Google>().named("google")?;
/// let entra = Oidc::discover(entra_config).await?.tagged::<Entra>().named("entra")?;
/// let providers = Providers::new()
///     .with(google.clone())?
///     .with(entra.clone())?
///     .chooser_path("/")?;
/// let app: Router = Router::new()
///     .route("/", get(home))
///     .route("/mail", get(mail))
///     .merge(providers.routes())
///     .layer(memory_session_layer())
///     .with_state(AppState { providers, google, entra });
/// # let _ = app; Ok(()) }
/// ```
#[derive(Clone, Default)]
pub struct Providers {
    // Behind `Arc`s: `SignedInAny` clones the `Providers` out of the router
    // state on every request.
    entries: Arc<Vec<Arc<dyn Provider>>>,
    chooser_path: Option<Arc<str>>,
}

impl fmt::Debug for Providers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Providers")
            .field("names", &self.names().collect::<Vec<_>>())
            .field("chooser_path", &self.chooser_path)
            .finish()
    }
}

impl Providers {
    /// No providers yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a provider named with [`Oidc::named`]. Refused: an unnamed
    /// one, a name already taken, the same issuer and client id as another
    /// (one session key for two providers), or a route path another
    /// provider (or the chooser page) already uses.
    pub fn with<C: 'static>(mut self, oidc: Oidc<C>) -> Result<Self, ProvidersError> {
        let Some(name) = oidc.name().map(str::to_owned) else {
            return Err(ProvidersError::Unnamed {
                issuer: oidc.client.config().issuer().to_owned(),
            });
        };
        for other in self.entries.iter() {
            let other_name = other.options().name.clone().unwrap_or_default();
            if other_name == name {
                return Err(ProvidersError::DuplicateName(name));
            }
            if other.issuer() == oidc.issuer() && other.client_id() == oidc.client_id() {
                return Err(ProvidersError::SameClient {
                    first: other_name,
                    second: name,
                    issuer: oidc.issuer().to_owned(),
                    client_id: oidc.client_id().to_owned(),
                });
            }
        }
        for path in paths(&oidc.options) {
            if let Some(first) = self.user_of(path) {
                return Err(ProvidersError::RouteClash {
                    path: path.to_owned(),
                    first,
                    second: name,
                });
            }
        }
        Arc::make_mut(&mut self.entries).push(Arc::new(oidc));
        Ok(self)
    }

    /// Where [`SignedInAny`] sends visitors who are not signed in (with
    /// `?return_to=` the page they asked for): the application's page that
    /// offers "Sign in with A or B". Without it they get `401`.
    pub fn chooser_path(mut self, path: impl Into<String>) -> Result<Self, ProvidersError> {
        let path = path.into();
        if !super::handlers::is_local_path(&path) {
            return Err(ProvidersError::InvalidChooserPath(path));
        }
        if let Some(first) = self.user_of(&path) {
            return Err(ProvidersError::RouteClash {
                path,
                first,
                second: CHOOSER.to_owned(),
            });
        }
        self.chooser_path = Some(path.into());
        Ok(self)
    }

    /// The providers' names, in the order they were added.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries
            .iter()
            .filter_map(|entry| entry.options().name.as_deref())
    }

    /// The login route of the provider `name` (for the chooser page's
    /// links; add `?return_to=/page` to come back to a page).
    pub fn login_path(&self, name: &str) -> Option<&str> {
        self.entry(name)
            .map(|entry| entry.options().login_path.as_str())
    }

    /// The logout route (`POST`) of the provider `name`.
    pub fn logout_path(&self, name: &str) -> Option<&str> {
        self.entry(name)
            .map(|entry| entry.options().logout_path.as_str())
    }

    /// Every provider's login, callback and logout routes (and back-channel
    /// logout where enabled), for any router state.
    pub fn routes<S>(&self) -> Router<S>
    where
        S: Clone + Send + Sync + 'static,
    {
        self.entries
            .iter()
            .fold(Router::new(), |router, entry| router.merge(entry.routes()))
            .with_state(())
    }

    fn entry(&self, name: &str) -> Option<&Arc<dyn Provider>> {
        self.entries
            .iter()
            .find(|entry| entry.options().name.as_deref() == Some(name))
    }

    /// What already uses `path`: a provider's name or the chooser page.
    fn user_of(&self, path: &str) -> Option<String> {
        if self.chooser_path.as_deref() == Some(path) {
            return Some(CHOOSER.to_owned());
        }
        self.entries
            .iter()
            .find(|entry| paths(entry.options()).any(|p| p == path))
            .map(|entry| entry.options().name.clone().unwrap_or_default())
    }
}

const CHOOSER: &str = "the chooser page";

/// The paths a provider routes.
fn paths(options: &Options) -> impl Iterator<Item = &str> {
    [
        Some(options.login_path.as_str()),
        Some(options.callback_path.as_str()),
        Some(options.logout_path.as_str()),
        options.backchannel_logout_path.as_deref(),
    ]
    .into_iter()
    .flatten()
}

/// The user signed in with any of the application's [`Providers`], and
/// which one. As a handler argument it requires a signed-in user (visitors
/// are sent to [`Providers::chooser_path`], or get 401 without one); as
/// `Option<SignedInAny>` it is `None` for visitors. Refresh and
/// back-channel logout work as for [`SignedIn`](super::SignedIn).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SignedInAny {
    provider: String,
    logout_path: String,
    record: SessionRecord,
}

impl SignedInAny {
    /// The name of the provider the user signed in with.
    pub fn provider(&self) -> &str {
        &self.provider
    }

    /// The provider's logout route (`POST` it to sign out).
    pub fn logout_path(&self) -> &str {
        &self.logout_path
    }

    super::record::record_accessors!();
}

async fn load_any(
    parts: &Parts,
    providers: &Providers,
) -> Result<Option<SignedInAny>, SignedInRejection> {
    for entry in providers.entries.iter() {
        if let Some(record) = entry.load(parts).await? {
            let options = entry.options();
            return Ok(Some(SignedInAny {
                provider: options.name.clone().unwrap_or_default(),
                logout_path: options.logout_path.clone(),
                record,
            }));
        }
    }
    Ok(None)
}

impl<S> FromRequestParts<S> for SignedInAny
where
    Providers: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = SignedInRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let providers = Providers::from_ref(state);
        if let Some(signed_in) = load_any(parts, &providers).await? {
            return Ok(signed_in);
        }
        Err(match &providers.chooser_path {
            Some(chooser) => {
                let here = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
                let query = url::form_urlencoded::Serializer::new(String::new())
                    .append_pair("return_to", here)
                    .finish();
                SignedInRejection::RedirectToLogin(format!("{chooser}?{query}"))
            }
            None => SignedInRejection::Unauthorized,
        })
    }
}

impl<S> OptionalFromRequestParts<S> for SignedInAny
where
    Providers: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = SignedInRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        load_any(parts, &Providers::from_ref(state)).await
    }
}

#[cfg(test)]
mod tests;
