#!/usr/bin/env bash
# Compile time of a minimal login app: the SDK against openidconnect 4.
#
# Builds, each from an empty target directory (a clean build, dependencies
# included) and then again after editing the app's config struct (the
# incremental rebuild a developer waits for):
#
#   quickstart     the workspace's quickstart example (`cargo build --timings
#                  --example quickstart`): the app, the SDK with its `axum`
#                  and `macros` features, and the embedded dev provider;
#   sdk-app        the same app without the embedded provider: one
#                  #[oidc_client] struct and the SDK's axum routes;
#   openidconnect  the equivalent app on openidconnect 4 + reqwest + axum +
#                  tower-sessions: discovery, /login with PKCE and nonce,
#                  a form_post /callback with the code exchange and the ID
#                  token verification, a session.
#
# The two generated apps are written to a scratch directory (nothing
# generated is committed); the quickstart is built from `git archive HEAD`,
# so the working tree is never touched. Prints a table and, per build, the
# slowest compilation units and oidc-macros' own time from cargo's
# --timings data.
#
#   benches/compile-time.sh [SCRATCH_DIR]     (default: a new mktemp -d)
#
# Debug profile (what `cargo build` / `cargo run` use). Needs network access
# to crates.io the first time (or a warm ~/.cargo registry).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
scratch=${1:-$(mktemp -d)}
mkdir -p "$scratch"
unset CARGO_TARGET_DIR
echo "scratch: $scratch" >&2

# --- the sources ------------------------------------------------------------
rm -rf "$scratch/sdk" && mkdir -p "$scratch/sdk"
git -C "$repo" archive HEAD | tar -x -C "$scratch/sdk"

mkdir -p "$scratch/sdk-app/src"
cat >"$scratch/sdk-app/Cargo.toml" <<EOF
[package]
name = "sdk-app"
version = "0.1.0"
edition = "2024"
publish = false

[dependencies]
oidc-core = { path = "$scratch/sdk/oidc-core", features = ["axum"] }
axum = { version = "0.8", default-features = false, features = ["http1", "tokio", "form", "query"] }
tokio = { version = "1.47", features = ["rt-multi-thread", "macros", "net"] }

[workspace]
EOF
cat >"$scratch/sdk-app/src/main.rs" <<'EOF'
use axum::Router;
use axum::response::Html;
use axum::routing::get;
use oidc_core::web::{Oidc, SignedIn, memory_session_layer};
use oidc_core::{ClientSecret, oidc_client};

#[oidc_client(scopes("openid", "email"), response_mode = "form_post")]
struct Auth {
    #[oidc(env = "AUTH_ISSUER")]
    issuer: String,
    #[oidc(env = "AUTH_CLIENT_ID")]
    client_id: String,
    #[oidc(env = "AUTH_CLIENT_SECRET")]
    client_secret: ClientSecret,
    #[oidc(env = "AUTH_REDIRECT_URI")]
    redirect_uri: String,
}

async fn home(user: Option<SignedIn<Auth>>) -> Html<String> {
    Html(match user {
        Some(user) => format!("signed in as {}", user.sub()),
        None => "<a href=\"/login\">Sign in</a>".to_owned(),
    })
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let oidc = Oidc::new(Auth::from_env()?).await?;
    let app = Router::new()
        .route("/", get(home))
        .merge(oidc.routes())
        .layer(memory_session_layer())
        .with_state(oidc);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    axum::serve(listener, app).await?;
    Ok(())
}
EOF

mkdir -p "$scratch/openidconnect/src"
cat >"$scratch/openidconnect/Cargo.toml" <<'EOF'
[package]
name = "openidconnect-app"
version = "0.1.0"
edition = "2024"
publish = false

[dependencies]
openidconnect = "4"
reqwest = { version = "0.12", default-features = false, features = ["rustls-tls"] }
axum = { version = "0.8", default-features = false, features = ["http1", "tokio", "form", "query"] }
tokio = { version = "1.47", features = ["rt-multi-thread", "macros", "net"] }
tower-sessions = { version = "0.15", default-features = false, features = ["axum-core", "memory-store"] }
serde = { version = "1", features = ["derive"] }

[workspace]
EOF
cat >"$scratch/openidconnect/src/main.rs" <<'EOF'
use axum::extract::{Form, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use openidconnect::core::{CoreClient, CoreProviderMetadata, CoreResponseType};
use openidconnect::{
    AuthenticationFlow, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet,
    EndpointNotSet, EndpointSet, IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier,
    RedirectUrl, Scope, TokenResponse,
};
use serde::Deserialize;
use std::sync::Arc;
use tower_sessions::{MemoryStore, Session, SessionManagerLayer};

/// The app's OpenID Connect configuration.
struct Auth {
    issuer: String,
    client_id: String,
    client_secret: String,
    redirect_uri: String,
}

type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

#[derive(Clone)]
struct App {
    client: Arc<Client>,
    http: reqwest::Client,
}

#[derive(Deserialize)]
struct CallbackForm {
    code: String,
    state: String,
}

async fn home(session: Session) -> Html<String> {
    Html(match session.get::<String>("sub").await.ok().flatten() {
        Some(sub) => format!("signed in as {sub}"),
        None => "<a href=\"/login\">Sign in</a>".to_owned(),
    })
}

async fn login(State(app): State<App>, session: Session) -> Response {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf, nonce) = app
        .client
        .authorize_url(
            AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .add_extra_param("response_mode", "form_post")
        .set_pkce_challenge(challenge)
        .url();
    let saved = (csrf.secret().clone(), nonce.secret().clone(), verifier.secret().clone());
    if session.insert("pending", saved).await.is_err() {
        return (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "session").into_response();
    }
    Redirect::to(url.as_str()).into_response()
}

async fn callback(
    State(app): State<App>,
    session: Session,
    Form(form): Form<CallbackForm>,
) -> Response {
    let fail = |what: &str| (axum::http::StatusCode::BAD_REQUEST, what.to_owned()).into_response();
    let Ok(Some((state, nonce, verifier))) =
        session.remove::<(String, String, String)>("pending").await
    else {
        return fail("no login in progress");
    };
    if state != form.state {
        return fail("state mismatch");
    }
    let Ok(request) = app.client.exchange_code(AuthorizationCode::new(form.code)) else {
        return fail("no token endpoint");
    };
    let Ok(tokens) = request
        .set_pkce_verifier(PkceCodeVerifier::new(verifier))
        .request_async(&app.http)
        .await
    else {
        return fail("token exchange failed");
    };
    let Some(id_token) = tokens.id_token() else {
        return fail("no ID token");
    };
    let Ok(claims) = id_token.claims(&app.client.id_token_verifier(), &Nonce::new(nonce)) else {
        return fail("invalid ID token");
    };
    if session.insert("sub", claims.subject().as_str()).await.is_err() {
        return fail("session");
    }
    Redirect::to("/").into_response()
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let env = |name: &str| std::env::var(name).map_err(|_| format!("{name} is not set"));
    let auth = Auth {
        issuer: env("AUTH_ISSUER")?,
        client_id: env("AUTH_CLIENT_ID")?,
        client_secret: env("AUTH_CLIENT_SECRET")?,
        redirect_uri: env("AUTH_REDIRECT_URI")?,
    };
    let http = reqwest::ClientBuilder::new()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let metadata =
        CoreProviderMetadata::discover_async(IssuerUrl::new(auth.issuer)?, &http).await?;
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(auth.client_id),
        Some(ClientSecret::new(auth.client_secret)),
    )
    .set_redirect_uri(RedirectUrl::new(auth.redirect_uri)?);
    let app = App {
        client: Arc::new(client),
        http,
    };
    let router = Router::new()
        .route("/", get(home))
        .route("/login", get(login))
        .route("/callback", post(callback))
        .layer(SessionManagerLayer::new(MemoryStore::default()))
        .with_state(app);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    axum::serve(listener, router).await?;
    Ok(())
}
EOF

# --- measuring --------------------------------------------------------------
# build NAME DIR CARGO_ARGS...: clean build, then an edit of the config struct
# (a doc comment added to it, so the attribute macro expands again) and the
# incremental rebuild. Prints "NAME clean SECONDS incremental SECONDS".
results=()
build() {
  local name=$1 dir=$2 file=$3 marker=$4
  shift 4
  local target="$scratch/target-$name"
  rm -rf "$target"
  echo "== $name: clean build (load: $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  local start end clean incremental
  start=$(date +%s.%N)
  (cd "$dir" && CARGO_TARGET_DIR="$target" cargo build --timings "$@" >&2)
  end=$(date +%s.%N)
  clean=$(echo "$end - $start" | bc)
  cp "$target"/cargo-timings/cargo-timing.html "$scratch/timing-$name-clean.html"
  # Edit the config struct.
  sed -i "s|^$marker|/// Edited for the incremental build at $(date +%s%N).\n$marker|" "$dir/$file"
  echo "== $name: after editing the config struct (load: $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  start=$(date +%s.%N)
  (cd "$dir" && CARGO_TARGET_DIR="$target" cargo build --timings "$@" >&2)
  end=$(date +%s.%N)
  incremental=$(echo "$end - $start" | bc)
  cp "$target"/cargo-timings/cargo-timing.html "$scratch/timing-$name-incremental.html"
  results+=("$(printf '%-14s %9.1f s %14.1f s' "$name" "$clean" "$incremental")")
}

build quickstart "$scratch/sdk" examples/examples/quickstart.rs 'struct Auth {' --example quickstart -p examples
build sdk-app "$scratch/sdk-app" src/main.rs 'struct Auth {'
build openidconnect "$scratch/openidconnect" src/main.rs 'struct Auth {'

# --- the report -------------------------------------------------------------
echo
printf '%-14s %11s %16s\n' app clean incremental
for line in "${results[@]}"; do echo "$line"; done
echo
for html in "$scratch"/timing-*.html; do
  python3 - "$html" <<'EOF'
import json, re, sys
html = open(sys.argv[1]).read()
match = re.search(r"const UNIT_DATA = (\[.*?\]);\n", html, re.S)
if not match:
    sys.exit(0)
units = json.loads(match.group(1))
total = max(u["start"] + u["duration"] for u in units)
print(f"{sys.argv[1].rsplit('/', 1)[-1]}: {len(units)} units, {total:.1f} s wall")
for u in sorted(units, key=lambda u: -u["duration"])[:6]:
    print(f"   {u['duration']:7.1f} s  {u['name']} {u.get('target', '').strip()}")
for u in units:
    if u["name"] == "oidc-macros":
        print(f"   oidc-macros: {u['duration']:.1f} s (from {u['start']:.1f} s to {u['start'] + u['duration']:.1f} s)")
EOF
done
