//! Wrappers for values that must never be printed.
//!
//! Every secret the flow handles (client secret, authorization code, tokens,
//! PKCE verifier, nonce, state) lives in one of these types. They have a
//! redacting `Debug`, no `Display`, and zeroize their memory on drop (through
//! [`secrecy`]). Reading the value is explicit: [`ClientSecret::secret`] and
//! friends, so a reviewer can grep for every place a secret leaves its box.
//!
//! They implement `Serialize`/`Deserialize` on purpose: an application stores
//! tokens in its session store and the pending login in a sealed cookie.

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

macro_rules! secret_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone)]
        pub struct $name(SecretString);

        impl $name {
            /// Wraps a value. The value is moved into a zeroize-on-drop box.
            pub fn new(value: impl Into<String>) -> Self {
                Self(SecretString::from(value.into()))
            }

            /// The secret value. Every call site is a place a secret leaves
            /// its box: keep it out of logs and error messages.
            pub fn secret(&self) -> &str {
                self.0.expose_secret()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "(<redacted>)"))
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self::new(value)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self::new(value)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.secret())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                String::deserialize(deserializer).map(Self::new)
            }
        }
    };
}

secret_type! {
    /// The client secret the provider issued to the application.
    ClientSecret
}
secret_type! {
    /// A single-use authorization code from the callback.
    AuthorizationCode
}
secret_type! {
    /// An OAuth 2.0 access token (often a JWT) to call APIs with.
    AccessToken
}
secret_type! {
    /// A refresh token to obtain new tokens without the user.
    RefreshToken
}
secret_type! {
    /// The compact serialization of an ID token, as received.
    IdTokenJwt
}
secret_type! {
    /// The PKCE code verifier (RFC 7636) of one login.
    PkceVerifier
}
secret_type! {
    /// The `nonce` of one login, bound into its ID token.
    Nonce
}
secret_type! {
    /// The `state` of one login: the CSRF token of the redirect round trip.
    CsrfState
}
secret_type! {
    /// The `device_code` of a device sign-in (RFC 8628): whoever holds it
    /// gets the user's tokens once the user approves.
    DeviceCode
}

#[cfg(test)]
mod tests;
