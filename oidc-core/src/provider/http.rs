//! The one HTTP client of a [`Client`](crate::Client): pooled, rustls, no
//! redirects, an overall deadline on every request and a cap on every body.

use crate::error::TransportError;
use crate::jose::jws::StrictObject;
use bytes::{Bytes, BytesMut};
use reqwest::header::{self, HeaderMap, HeaderValue};
use serde_json::Value;
use std::time::Duration;
use url::Url;

/// A response whose body has been read within the limits.
#[derive(Debug)]
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl Response {
    pub(crate) fn content_type(&self) -> Option<&str> {
        self.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
    }

    /// `application/json`, `application/jwk-set+json` and the like.
    pub(crate) fn is_json(&self) -> bool {
        self.content_type().is_some_and(|ct| {
            let essence = ct
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            essence == "application/json" || essence.ends_with("+json")
        })
    }

    /// The OAuth error of a refusal (RFC 6749 section 5.2): `error` and
    /// `error_description` when the body is a JSON object with a string
    /// `error`, as the token, revocation, introspection and device
    /// authorization endpoints answer; `None` for anything else.
    pub(crate) fn oauth_error(&self) -> Option<OAuthError> {
        if !self.is_json() {
            return None;
        }
        let object = serde_json::from_slice::<StrictObject>(&self.body).ok()?.0;
        let Some(Value::String(error)) = object.get("error") else {
            return None;
        };
        Some(OAuthError {
            error: error.clone(),
            description: object
                .get("error_description")
                .and_then(Value::as_str)
                .map(str::to_owned),
        })
    }
}

/// An OAuth error response's code and description.
pub(crate) struct OAuthError {
    pub(crate) error: String,
    pub(crate) description: Option<String>,
}

/// The client's HTTP transport. Cheap to clone (reqwest pools connections).
#[derive(Debug, Clone)]
pub(crate) struct Http {
    client: reqwest::Client,
    timeout: Duration,
    max_body: usize,
}

impl Http {
    /// The HTTP client a configuration's limits describe.
    pub(crate) fn from_limits(limits: &crate::config::Limits) -> Result<Self, TransportError> {
        Self::new(
            limits.http_timeout,
            limits.connect_timeout,
            limits.max_response_bytes,
        )
    }

    pub(crate) fn new(
        timeout: Duration,
        connect_timeout: Duration,
        max_body: usize,
    ) -> Result<Self, TransportError> {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
        let client = reqwest::Client::builder()
            // Back-channel calls never follow redirects: a redirect from the
            // provider is a misconfiguration or an SSRF attempt.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .connect_timeout(connect_timeout)
            .user_agent(concat!("oidc-core/", env!("CARGO_PKG_VERSION")))
            .default_headers(headers)
            .build()
            .map_err(|e| TransportError::Connect {
                url: String::new(),
                reason: format!("could not build the HTTP client: {e}"),
            })?;
        Ok(Self {
            client,
            timeout,
            max_body,
        })
    }

    /// `GET url`, optionally with a bearer token.
    pub(crate) async fn get(
        &self,
        url: &Url,
        bearer: Option<&str>,
    ) -> Result<Response, TransportError> {
        let mut request = self.client.get(url.clone());
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        self.send(url, request).await
    }

    /// `POST url` with a form body and extra headers.
    pub(crate) async fn post_form(
        &self,
        url: &Url,
        form: String,
        authorization: Option<HeaderValue>,
    ) -> Result<Response, TransportError> {
        let mut request = self
            .client
            .post(url.clone())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form);
        if let Some(auth) = authorization {
            request = request.header(header::AUTHORIZATION, auth);
        }
        self.send(url, request).await
    }

    async fn send(
        &self,
        url: &Url,
        request: reqwest::RequestBuilder,
    ) -> Result<Response, TransportError> {
        let mut response = request.send().await.map_err(|e| self.map_error(url, e))?;
        let status = response.status().as_u16();
        if (300..400).contains(&status) {
            return Err(TransportError::Redirect {
                url: display_url(url),
                status,
            });
        }
        if response
            .content_length()
            .is_some_and(|len| len > self.max_body as u64)
        {
            return Err(self.too_large(url));
        }
        // Read chunk by chunk so the cap holds for chunked and compressed
        // bodies too (chunks are already decompressed here).
        let mut body = BytesMut::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| self.map_error(url, e))? {
            if body.len() + chunk.len() > self.max_body {
                return Err(self.too_large(url));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Response {
            status,
            headers: response.headers().clone(),
            body: body.freeze(),
        })
    }

    fn too_large(&self, url: &Url) -> TransportError {
        TransportError::BodyTooLarge {
            url: display_url(url),
            limit: self.max_body,
        }
    }

    fn map_error(&self, url: &Url, error: reqwest::Error) -> TransportError {
        // The URL may carry a query; error messages name it without one.
        let error = error.without_url();
        if error.is_timeout() {
            TransportError::Timeout {
                url: display_url(url),
                timeout: self.timeout,
            }
        } else {
            TransportError::Connect {
                url: display_url(url),
                reason: error_chain(&error),
            }
        }
    }
}

/// A URL without its query, for error messages (queries can carry tokens).
pub(crate) fn display_url(url: &Url) -> String {
    let mut shown = url.clone();
    shown.set_query(None);
    shown.set_fragment(None);
    shown.to_string()
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}
