//! What a login and a refresh tell `tracing`: one span per step (discovery,
//! token request, JWKS fetch, UserInfo) inside one span per login exchange
//! or refresh, and one `warn` event per refused login.
//!
//! Every span is at `INFO` (a login makes a handful; so does a refresh)
//! and carries `host` (the endpoint's host and port, never a path or a
//! query), then on completion `outcome` (`ok` or the error's
//! [`check_name`](crate::Error::check_name)) and `elapsed_ms`. The same two
//! fields are also logged as a `done` event inside the span, so that plain
//! log output, which shows no span timings, shows them too: at `DEBUG` when
//! the step succeeded, at `INFO` when it failed.

use crate::error::CheckName;
use std::fmt::Display;
use std::future::Future;
use std::time::Instant;
use tracing::{Instrument, Span};
use url::Url;

/// The target of the "login refused" event, for filters and alerts.
pub(crate) const LOGIN_TARGET: &str = "oidc_core::login";

/// A step's span: `name`, the `host` (from [`host`] or [`issuer_host`]),
/// any extra fields, and the empty `outcome` and `elapsed_ms` that
/// [`timed`] fills in.
macro_rules! step_span {
    ($name:literal, $host:expr $(, $field:ident = $value:expr)* $(,)?) => {
        tracing::info_span!(
            $name,
            host = %$host,
            $($field = $value,)*
            outcome = tracing::field::Empty,
            elapsed_ms = tracing::field::Empty,
        )
    };
}
pub(crate) use step_span;

/// An endpoint's host and port: the query (tokens, codes) and the path
/// stay out of logs.
pub(crate) fn host(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        (None, _) => String::new(),
    }
}

/// The host of a configured issuer (empty if it does not parse, which a
/// discovered client's issuer always does).
pub(crate) fn issuer_host(issuer: &str) -> String {
    Url::parse(issuer).map(|url| host(&url)).unwrap_or_default()
}

/// Runs `step` inside `span`, then records its `outcome` and `elapsed_ms`
/// on the span and logs them in a `done` event.
pub(crate) async fn timed<T, E, F>(span: Span, step: F) -> Result<T, E>
where
    E: CheckName,
    F: Future<Output = Result<T, E>>,
{
    let started = Instant::now();
    let result = step.instrument(span.clone()).await;
    let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let outcome = match &result {
        Ok(_) => "ok",
        Err(error) => error.check_name(),
    };
    span.record("outcome", outcome);
    span.record("elapsed_ms", elapsed_ms);
    // A step that went well is routine (a login makes four): `DEBUG`, so a
    // busy site's default `INFO` log is not four lines per login. A failed
    // step stays visible at `INFO`.
    span.in_scope(|| {
        if result.is_ok() {
            tracing::debug!(outcome, elapsed_ms, "done");
        } else {
            tracing::info!(outcome, elapsed_ms, "done");
        }
    });
    result
}

/// The one event of a refused login: which check failed, and the error's
/// message (errors carry no secrets: see `crate::error`). Called where the
/// flow refuses, so that applications without the web glue get it too;
/// the glue logs only the refusals it makes itself.
pub(crate) fn login_refused<E: CheckName + Display>(error: &E) {
    tracing::warn!(
        target: LOGIN_TARGET,
        check = error.check_name(),
        error = %error,
        "login refused"
    );
}

#[cfg(test)]
mod tests;
