//! In-memory server-side state: accounts, pending authorizations
//! ("interactions"), grants, authorization codes, refresh tokens and the
//! request log.
//!
//! Codes and refresh tokens are stored under their SHA-256 digest only, so the
//! store never holds a usable secret.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant, SystemTime};

use crate::authz_response::ResponseMode;
use crate::util::{random_token, secret_key};

/// How long a pending authorization (the sign-in page) stays valid.
pub(crate) const INTERACTION_TTL: Duration = Duration::from_secs(600);

/// The request log keeps at most this many entries (the oldest go first), so
/// a long-running provider does not grow without bound.
const MAX_RECORDED_REQUESTS: usize = 100_000;

/// One HTTP request the provider received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// The HTTP method (`GET`, `POST`, ...).
    pub method: String,
    /// The request path, without the query string (so no secret is kept).
    pub path: String,
    /// When the request arrived.
    pub at: SystemTime,
}

/// One authorization request the provider received, with its parameters
/// (only the first of a repeated one) but without the login's secrets
/// (`state`, `nonce`, `code_challenge`): what a test asserts the client
/// asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordedAuthorization {
    /// The parameters, in the order sent.
    pub params: Vec<(String, String)>,
    /// When the request arrived.
    pub at: SystemTime,
}

impl RecordedAuthorization {
    /// Parameters a test never sees: the login's secrets.
    const SECRETS: [&'static str; 3] = ["state", "nonce", "code_challenge"];

    pub(crate) fn from_form(input: &[u8]) -> Self {
        let mut params: Vec<(String, String)> = Vec::new();
        for (name, value) in url::form_urlencoded::parse(input) {
            if !Self::SECRETS.contains(&name.as_ref()) {
                params.push((name.into_owned(), value.into_owned()));
            }
        }
        Self {
            params,
            at: SystemTime::now(),
        }
    }

    /// The value of the first parameter `name`, if sent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// How many times `name` was sent.
    pub fn count(&self, name: &str) -> usize {
        self.params.iter().filter(|(n, _)| n == name).count()
    }
}

/// An account known to the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevUser {
    /// The stable subject identifier (a UUID), the `sub` claim.
    pub sub: String,
    /// The email address the user signs in with.
    pub email: String,
    /// Whether the email is verified (always `true` here).
    pub email_verified: bool,
}

/// An account with its optional display name.
#[derive(Debug, Clone)]
pub(crate) struct Account {
    pub(crate) user: DevUser,
    pub(crate) name: Option<String>,
}

/// An authorization request waiting for the user to sign in.
#[derive(Debug, Clone)]
pub(crate) struct Interaction {
    pub(crate) client_id: String,
    pub(crate) redirect_uri: String,
    pub(crate) response_mode: ResponseMode,
    pub(crate) state: Option<String>,
    pub(crate) nonce: Option<String>,
    pub(crate) scope: String,
    pub(crate) code_challenge: Option<String>,
    pub(crate) login_hint: Option<String>,
    /// Requested `max_age`. Every sign-in here is fresh, so any value is
    /// satisfied; `auth_time` is always in the ID token.
    pub(crate) max_age: Option<u64>,
    /// The access token `aud` the request asked for (Auth0's `audience`
    /// parameter, Entra's resource scope); `None` for the default.
    pub(crate) token_audience: Option<Vec<String>>,
    /// The ID token's `acr`, chosen from the request's `acr_values`;
    /// `None` when it asked for none.
    pub(crate) acr: Option<String>,
    pub(crate) expires_at: Instant,
    /// A device authorization (RFC 8628) the user signs in for, by its key
    /// in the device store: then there is no redirect, and signing in
    /// leads to the device consent page.
    pub(crate) device: Option<String>,
}

/// What the user granted to a client in one sign-in; also the provider
/// session (`sid`) the relying party is told about.
#[derive(Debug, Clone)]
pub(crate) struct Grant {
    pub(crate) client_id: String,
    pub(crate) sub: String,
    pub(crate) scope: String,
    pub(crate) auth_time: u64,
    pub(crate) sid: String,
    /// From [`Interaction::token_audience`].
    pub(crate) token_audience: Option<Vec<String>>,
    /// From [`Interaction::acr`]: every ID token of the grant carries it.
    pub(crate) acr: Option<String>,
    /// Tokens of a revoked grant are refused (code reuse, refresh token
    /// reuse, logout).
    pub(crate) revoked: bool,
    /// Whether the session still exists (ended by logout).
    pub(crate) session_active: bool,
}

/// What an authorization code is bound to.
#[derive(Debug, Clone)]
pub(crate) struct CodeEntry {
    pub(crate) grant_id: String,
    pub(crate) client_id: String,
    pub(crate) redirect_uri: String,
    pub(crate) code_challenge: Option<String>,
    pub(crate) nonce: Option<String>,
    pub(crate) expires_at: Instant,
    pub(crate) used: bool,
}

#[derive(Debug, Clone)]
struct RefreshEntry {
    grant_id: String,
    used: bool,
}

/// Why a code or refresh token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RedeemError {
    Unknown,
    Expired,
    Reused,
    WrongClient,
    Revoked,
}

impl RedeemError {
    pub(crate) fn description(self, what: &str) -> String {
        match self {
            RedeemError::Unknown => format!("The {what} is invalid."),
            RedeemError::Expired => format!("The {what} has expired."),
            RedeemError::Reused => {
                format!("The {what} was already used; tokens issued from it are revoked.")
            }
            RedeemError::WrongClient => format!("The {what} was issued to another client."),
            RedeemError::Revoked => format!("The {what} has been revoked."),
        }
    }
}

/// A session ended by logout: who to tell over the back channel.
#[derive(Debug, Clone)]
pub(crate) struct EndedSession {
    pub(crate) client_id: String,
    pub(crate) sub: String,
    pub(crate) sid: String,
}

/// All mutable provider state, behind one mutex (never held across `.await`).
#[derive(Debug, Default)]
pub(crate) struct Store {
    accounts: Vec<Account>,
    interactions: HashMap<String, Interaction>,
    grants: HashMap<String, Grant>,
    codes: HashMap<String, CodeEntry>,
    refresh_tokens: HashMap<String, RefreshEntry>,
    /// Access token `jti` -> (grant id, expiry as Unix seconds).
    access_tokens: HashMap<String, (String, u64)>,
    /// (client id, sub) pairs that have completed a sign-in (Apple sends
    /// the user's name only on the first one).
    signed_in: HashSet<(String, String)>,
    requests: Vec<RecordedRequest>,
    authorizations: Vec<RecordedAuthorization>,
    /// Opaque access tokens and revoked JWT access tokens.
    pub(crate) introspection: crate::introspection::IntrospectionStore,
}

impl Store {
    // ---- request log ---------------------------------------------------

    pub(crate) fn record(&mut self, method: String, path: String) {
        if self.requests.len() >= MAX_RECORDED_REQUESTS {
            self.requests.drain(..MAX_RECORDED_REQUESTS / 2);
        }
        self.requests.push(RecordedRequest {
            method,
            path,
            at: SystemTime::now(),
        });
    }

    pub(crate) fn requests(&self) -> Vec<RecordedRequest> {
        self.requests.clone()
    }

    pub(crate) fn clear_requests(&mut self) {
        self.requests.clear();
        self.authorizations.clear();
    }

    pub(crate) fn record_authorization(&mut self, request: RecordedAuthorization) {
        if self.authorizations.len() >= MAX_RECORDED_REQUESTS {
            self.authorizations.drain(..MAX_RECORDED_REQUESTS / 2);
        }
        self.authorizations.push(request);
    }

    pub(crate) fn authorizations(&self) -> Vec<RecordedAuthorization> {
        self.authorizations.clone()
    }

    // ---- accounts ------------------------------------------------------

    pub(crate) fn users(&self) -> Vec<DevUser> {
        self.accounts.iter().map(|a| a.user.clone()).collect()
    }

    pub(crate) fn account_by_email(&self, email: &str) -> Option<&Account> {
        self.accounts
            .iter()
            .find(|a| a.user.email.eq_ignore_ascii_case(email.trim()))
    }

    pub(crate) fn account_by_sub(&self, sub: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| a.user.sub == sub)
    }

    /// Create an account; `Err` holds the existing one if the email is taken.
    pub(crate) fn create_account(
        &mut self,
        email: &str,
        name: Option<String>,
    ) -> Result<DevUser, DevUser> {
        if let Some(existing) = self.account_by_email(email) {
            return Err(existing.user.clone());
        }
        let user = DevUser {
            sub: uuid::Uuid::new_v4().to_string(),
            email: email.trim().to_owned(),
            email_verified: true,
        };
        self.accounts.push(Account {
            user: user.clone(),
            name,
        });
        Ok(user)
    }

    /// Note that `sub` signed in to `client_id`; `true` if this is the
    /// first time.
    pub(crate) fn first_sign_in(&mut self, client_id: &str, sub: &str) -> bool {
        self.signed_in
            .insert((client_id.to_owned(), sub.to_owned()))
    }

    // ---- interactions --------------------------------------------------

    pub(crate) fn insert_interaction(&mut self, interaction: Interaction) -> String {
        let now = Instant::now();
        self.interactions.retain(|_, i| i.expires_at > now);
        let id = random_token(24);
        self.interactions.insert(id.clone(), interaction);
        id
    }

    pub(crate) fn interaction(&self, id: &str) -> Option<&Interaction> {
        self.interactions
            .get(id)
            .filter(|i| i.expires_at > Instant::now())
    }

    pub(crate) fn take_interaction(&mut self, id: &str) -> Option<Interaction> {
        self.interactions
            .remove(id)
            .filter(|i| i.expires_at > Instant::now())
    }

    // ---- grants, codes, refresh tokens ---------------------------------

    /// Record a successful sign-in and mint its authorization code.
    /// Returns the code (the only copy of the secret).
    pub(crate) fn issue_code(
        &mut self,
        interaction: &Interaction,
        sub: &str,
        auth_time: u64,
        ttl: Duration,
    ) -> String {
        let now = Instant::now();
        self.codes
            .retain(|_, c| c.expires_at + Duration::from_secs(600) > now);
        let grant_id = random_token(16);
        self.grants.insert(
            grant_id.clone(),
            Grant {
                client_id: interaction.client_id.clone(),
                sub: sub.to_owned(),
                scope: interaction.scope.clone(),
                auth_time,
                sid: random_token(16),
                token_audience: interaction.token_audience.clone(),
                acr: interaction.acr.clone(),
                revoked: false,
                session_active: true,
            },
        );
        let code = random_token(32);
        self.codes.insert(
            secret_key(&code),
            CodeEntry {
                grant_id,
                client_id: interaction.client_id.clone(),
                redirect_uri: interaction.redirect_uri.clone(),
                code_challenge: interaction.code_challenge.clone(),
                nonce: interaction.nonce.clone(),
                expires_at: now + ttl,
                used: false,
            },
        );
        code
    }

    /// Record a grant made without a code (the device flow) and return its id.
    pub(crate) fn insert_grant(&mut self, grant: Grant) -> String {
        let grant_id = random_token(16);
        self.grants.insert(grant_id.clone(), grant);
        grant_id
    }

    /// Consume a code. Reuse revokes the grant (and so every token from it).
    pub(crate) fn redeem_code(
        &mut self,
        code: &str,
        client_id: &str,
    ) -> Result<CodeEntry, RedeemError> {
        let key = secret_key(code);
        let entry = self.codes.get_mut(&key).ok_or(RedeemError::Unknown)?;
        if entry.client_id != client_id {
            return Err(RedeemError::WrongClient);
        }
        if entry.used {
            let grant_id = entry.grant_id.clone();
            self.revoke_grant(&grant_id);
            return Err(RedeemError::Reused);
        }
        if entry.expires_at <= Instant::now() {
            self.codes.remove(&key);
            return Err(RedeemError::Expired);
        }
        entry.used = true;
        Ok(entry.clone())
    }

    pub(crate) fn grant(&self, grant_id: &str) -> Option<&Grant> {
        self.grants.get(grant_id)
    }

    pub(crate) fn revoke_grant(&mut self, grant_id: &str) {
        if let Some(grant) = self.grants.get_mut(grant_id) {
            grant.revoked = true;
        }
    }

    /// Mint a refresh token for a grant.
    pub(crate) fn issue_refresh_token(&mut self, grant_id: &str) -> String {
        let token = random_token(32);
        self.refresh_tokens.insert(
            secret_key(&token),
            RefreshEntry {
                grant_id: grant_id.to_owned(),
                used: false,
            },
        );
        token
    }

    /// Consume a refresh token (rotation). Presenting a rotated-out token
    /// again revokes the whole grant (RFC 9700 refresh token reuse detection).
    pub(crate) fn redeem_refresh_token(
        &mut self,
        token: &str,
        client_id: &str,
    ) -> Result<(String, Grant), RedeemError> {
        let key = secret_key(token);
        let entry = self
            .refresh_tokens
            .get_mut(&key)
            .ok_or(RedeemError::Unknown)?;
        let grant_id = entry.grant_id.clone();
        let grant = self
            .grants
            .get(&grant_id)
            .ok_or(RedeemError::Unknown)?
            .clone();
        if grant.client_id != client_id {
            return Err(RedeemError::WrongClient);
        }
        if entry.used {
            self.revoke_grant(&grant_id);
            return Err(RedeemError::Reused);
        }
        if grant.revoked {
            return Err(RedeemError::Revoked);
        }
        entry.used = true;
        Ok((grant_id, grant))
    }

    /// Revoke a refresh token's grant (RFC 7009 2.1: the access tokens of
    /// the grant go with it). `Ok(false)` for a token this store never
    /// issued, which the endpoint answers like a revoked one.
    pub(crate) fn revoke_refresh_token(
        &mut self,
        token: &str,
        client_id: &str,
    ) -> Result<bool, RedeemError> {
        let Some(entry) = self.refresh_tokens.get(&secret_key(token)) else {
            return Ok(false);
        };
        let grant_id = entry.grant_id.clone();
        if self
            .grants
            .get(&grant_id)
            .is_some_and(|g| g.client_id != client_id)
        {
            return Err(RedeemError::WrongClient);
        }
        self.revoke_grant(&grant_id);
        Ok(true)
    }

    // ---- access tokens -------------------------------------------------

    /// Forget one access token (by `jti`): UserInfo refuses it from now on.
    pub(crate) fn revoke_access_token(&mut self, jti: &str) {
        self.access_tokens.remove(jti);
    }

    pub(crate) fn record_access_token(&mut self, jti: &str, grant_id: &str, exp: u64) {
        let now = crate::util::now_secs();
        self.access_tokens.retain(|_, (_, e)| *e > now);
        self.access_tokens
            .insert(jti.to_owned(), (grant_id.to_owned(), exp));
    }

    /// The grant behind an access token, if it is still valid.
    pub(crate) fn access_token_grant(&self, jti: &str) -> Option<&Grant> {
        let (grant_id, _) = self.access_tokens.get(jti)?;
        self.grants.get(grant_id).filter(|g| !g.revoked)
    }

    // ---- sessions ------------------------------------------------------

    /// End the user's sessions (optionally only the one with `sid`).
    /// Grants without `offline_access` are revoked with their session.
    pub(crate) fn end_sessions(&mut self, sub: &str, sid: Option<&str>) -> Vec<EndedSession> {
        let mut ended = Vec::new();
        for grant in self.grants.values_mut() {
            if grant.sub != sub || !grant.session_active {
                continue;
            }
            if sid.is_some_and(|sid| sid != grant.sid) {
                continue;
            }
            grant.session_active = false;
            if !grant.scope.split(' ').any(|s| s == "offline_access") {
                grant.revoked = true;
            }
            ended.push(EndedSession {
                client_id: grant.client_id.clone(),
                sub: grant.sub.clone(),
                sid: grant.sid.clone(),
            });
        }
        ended
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interaction() -> Interaction {
        Interaction {
            client_id: "c".into(),
            redirect_uri: "http://x/cb".into(),
            response_mode: ResponseMode::Query,
            state: None,
            nonce: None,
            scope: "openid".into(),
            code_challenge: None,
            login_hint: None,
            max_age: None,
            token_audience: None,
            acr: None,
            expires_at: Instant::now() + INTERACTION_TTL,
            device: None,
        }
    }

    #[test]
    fn codes_are_single_use_and_reuse_revokes() {
        let mut store = Store::default();
        let code = store.issue_code(&interaction(), "sub", 1, Duration::from_secs(60));
        assert_eq!(code.len(), 43, "256-bit code");
        assert_eq!(
            store.redeem_code(&code, "other").err(),
            Some(RedeemError::WrongClient)
        );
        let entry = store.redeem_code(&code, "c").expect("first use");
        let refresh = store.issue_refresh_token(&entry.grant_id);
        assert_eq!(
            store.redeem_code(&code, "c").err(),
            Some(RedeemError::Reused)
        );
        assert!(store.grant(&entry.grant_id).is_some_and(|g| g.revoked));
        assert_eq!(
            store.redeem_refresh_token(&refresh, "c").err(),
            Some(RedeemError::Revoked)
        );
    }

    #[test]
    fn expired_codes_are_refused() {
        let mut store = Store::default();
        let code = store.issue_code(&interaction(), "sub", 1, Duration::ZERO);
        assert_eq!(
            store.redeem_code(&code, "c").err(),
            Some(RedeemError::Expired)
        );
    }

    #[test]
    fn refresh_tokens_rotate() {
        let mut store = Store::default();
        let code = store.issue_code(&interaction(), "sub", 1, Duration::from_secs(60));
        let entry = store.redeem_code(&code, "c").expect("code");
        let r1 = store.issue_refresh_token(&entry.grant_id);
        let (gid, _) = store.redeem_refresh_token(&r1, "c").expect("rotate");
        let r2 = store.issue_refresh_token(&gid);
        assert_eq!(
            store.redeem_refresh_token(&r1, "c").err(),
            Some(RedeemError::Reused)
        );
        assert_eq!(
            store.redeem_refresh_token(&r2, "c").err(),
            Some(RedeemError::Revoked)
        );
    }

    #[test]
    fn accounts_are_unique_by_email() {
        let mut store = Store::default();
        let a = store.create_account("A@example.com", None).expect("new");
        assert!(store.create_account("a@example.com", None).is_err());
        assert_eq!(
            store.account_by_email(" a@EXAMPLE.com ").map(|x| &x.user),
            Some(&a)
        );
    }
}
