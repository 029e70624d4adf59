// The only way to an `Authenticated` is `Login::exchange`, which verifies
// the ID token.
use oidc_core::{Authenticated, IdTokenClaims, TokenSet, UserInfo};

fn forge(tokens: TokenSet, id_token: IdTokenClaims, user: UserInfo) -> Authenticated {
    Authenticated {
        tokens,
        id_token,
        user,
        app_data: None,
    }
}

fn main() {}
