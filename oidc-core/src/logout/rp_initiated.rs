//! RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0). For
//! logouts the provider starts, see the back-channel part of [`crate::logout`].

use crate::client::Client;
use crate::secret::IdTokenJwt;
use url::Url;

impl Client {
    /// The provider's logout URL to send the browser to after ending the
    /// local session, or `None` if the provider has no
    /// `end_session_endpoint` (then a local logout is all there is).
    ///
    /// `id_token_hint` tells the provider whose session to end;
    /// `post_logout_redirect_uri` (registered with the provider) is where it
    /// sends the user back, with `state` echoed (only sent together with a
    /// `post_logout_redirect_uri`). `client_id` is always sent.
    ///
    /// ```no_run
    /// # fn run(client: oidc_core::Client, login: oidc_core::Login<oidc_core::Authenticated>) {
    /// // End the application's session first, then:
    /// match client.end_session_url(
    ///     login.tokens().id_token.as_ref(),
    ///     Some("https://app.example.com/signed-out"),
    ///     Some("opaque-value"),
    /// ) {
    ///     Some(url) => { /* 303 to url */ let _ = url; }
    ///     None => { /* no provider logout: show "signed out" */ }
    /// }
    /// # }
    /// ```
    pub fn end_session_url(
        &self,
        id_token_hint: Option<&IdTokenJwt>,
        post_logout_redirect_uri: Option<&str>,
        state: Option<&str>,
    ) -> Option<Url> {
        let mut url = self.metadata().end_session_endpoint.clone()?;
        {
            let mut query = url.query_pairs_mut();
            query.append_pair("client_id", self.config().client_id());
            if let Some(hint) = id_token_hint {
                query.append_pair("id_token_hint", hint.secret());
            }
            if let Some(uri) = post_logout_redirect_uri {
                query.append_pair("post_logout_redirect_uri", uri);
                if let Some(state) = state {
                    query.append_pair("state", state);
                }
            }
        }
        Some(url)
    }
}
