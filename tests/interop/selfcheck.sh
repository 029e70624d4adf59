#!/usr/bin/env bash
# Developer self-check for the oidc-provider interop fixture.
#
#   bash tests/interop/selfcheck.sh          (runs `npm ci` first)
#   SKIP_NPM_CI=1 bash tests/interop/selfcheck.sh
#
# Starts provider.mjs, then drives the documented browser-like interaction
# with curl and a cookie jar. Needs node, npm, curl, openssl. Exits 0 on success.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE"

if [[ -z "${SKIP_NPM_CI:-}" ]]; then
  npm ci --no-audit --no-fund --loglevel=error >&2
fi

WORK="$(mktemp -d)"
PROVIDER_PID=""
cleanup() {
  if [[ -n "$PROVIDER_PID" ]] && kill -0 "$PROVIDER_PID" 2>/dev/null; then
    kill -TERM "$PROVIDER_PID" 2>/dev/null || true
    wait "$PROVIDER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "ok   - $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL - $*"; }
die() { echo "FATAL: $*" >&2; echo "provider stderr:" >&2; tail -n 30 "$WORK/provider.err" >&2 || true; exit 1; }

REDIRECT_URI="http://127.0.0.1:8765/callback"

# ---------------------------------------------------------------- start
REDIRECT_URIS="$REDIRECT_URI" node provider.mjs >"$WORK/provider.out" 2>"$WORK/provider.err" &
PROVIDER_PID=$!
ISSUER=""
for _ in $(seq 1 100); do
  ISSUER="$(sed -n 's/^ISSUER=//p' "$WORK/provider.out" | head -n 1)"
  [[ -n "$ISSUER" ]] && break
  kill -0 "$PROVIDER_PID" 2>/dev/null || die "provider exited early"
  sleep 0.1
done
[[ -n "$ISSUER" ]] || die "no ISSUER line within 10s"
[[ "$(wc -l <"$WORK/provider.out")" -eq 1 ]] && pass "stdout has exactly one line: ISSUER=$ISSUER" \
  || fail "stdout has more than the ISSUER line"

# ---------------------------------------------------------------- helpers
# json FILE EXPR: evaluate a JS expression over the parsed JSON `j`.
json() { node -e 'const fs=require("fs");const j=JSON.parse(fs.readFileSync(process.argv[1],"utf8"));const v=eval(process.argv[2]);process.stdout.write(v===undefined?"":typeof v==="string"?v:JSON.stringify(v))' "$1" "$2"; }
# b64url-decoded JWT part (1 = payload)
jwt_part() { node -e 'process.stdout.write(Buffer.from(process.argv[1].split(".")[+process.argv[2]],"base64url").toString())' "$1" "$2"; }
# hidden/any input value from an HTML form: field NAME FILE
field() { sed -n "s/.*name=\"$1\" value=\"\([^\"]*\)\".*/\1/p" "$2" | head -n 1; }
# GET/POST without following redirects; prints status; headers in $WORK/h, body in $WORK/b
req() { curl -sS -o "$WORK/b" -D "$WORK/h" -w '%{http_code}' -b "$JAR" -c "$JAR" "$@"; }
location() { sed -n 's/^[Ll]ocation: *\(.*\)\r$/\1/p' "$WORK/h" | head -n 1; }
absolute() { case "$1" in http*) echo "$1" ;; *) echo "$ISSUER$1" ;; esac; }
urlenc() { node -e 'process.stdout.write(encodeURIComponent(process.argv[1]))' "$1"; }

pkce() {
  VERIFIER="$(openssl rand -base64 48 | tr '+/' '-_' | tr -d '=\n')"
  CHALLENGE="$(printf '%s' "$VERIFIER" | openssl dgst -sha256 -binary | openssl base64 -A | tr '+/' '-_' | tr -d '=')"
}

# start_auth CLIENT_ID [extra query]: new cookie jar, GET /auth, expect 303 to /interaction/:uid
start_auth() {
  JAR="$WORK/jar.$RANDOM$RANDOM"; : >"$JAR"
  pkce
  STATE="st-$RANDOM$RANDOM"; NONCE="n-$RANDOM$RANDOM"
  local url="$ISSUER/auth?client_id=$1&response_type=code&scope=openid%20email&redirect_uri=$(urlenc "$REDIRECT_URI")&state=$STATE&nonce=$NONCE&code_challenge=$CHALLENGE&code_challenge_method=S256${2:-}"
  local code; code="$(req "$url")"
  [[ "$code" == 303 ]] || die "GET /auth: expected 303, got $code: $(cat "$WORK/b")"
  INTERACTION="$(absolute "$(location)")"
  [[ "$INTERACTION" == "$ISSUER/interaction/"* ]] || die "unexpected redirect $INTERACTION"
}

# show_interaction: GET the interaction page, sets PROMPT (hidden field `prompt`) and ACTION
show_interaction() {
  local code; code="$(req "$INTERACTION")"
  [[ "$code" == 200 ]] || die "GET $INTERACTION: $code"
  PROMPT="$(field prompt "$WORK/b")"
  ACTION="$(absolute "$(sed -n 's/.*<form[^>]*action="\([^"]*\)".*/\1/p' "$WORK/b" | head -n 1)")"
  cp "$WORK/b" "$WORK/page.$PROMPT.html"
}

# submit FORMDATA: POST the interaction form, expect 303 to /auth/:uid, follow it once.
# Sets NEXT_STATUS (200 = form_post page, 303 = next interaction or query redirect).
submit() {
  local code; code="$(req -X POST --data "$1" "$ACTION")"
  [[ "$code" == 303 ]] || die "POST $ACTION: expected 303, got $code: $(cat "$WORK/b")"
  local resume; resume="$(absolute "$(location)")"
  [[ "$resume" == "$ISSUER/auth/"* ]] || die "unexpected resume redirect $resume"
  NEXT_STATUS="$(req "$resume")"
  if [[ "$NEXT_STATUS" == 303 ]]; then INTERACTION="$(absolute "$(location)")"; fi
}

# login_and_consent EMAIL: drives login (or create) then consent; leaves the
# final response in $WORK/b (form_post) / $WORK/h (query)
login_and_consent() {
  show_interaction
  submit "prompt=$PROMPT&login=$(urlenc "$1")&password=irrelevant"
  [[ "$NEXT_STATUS" == 303 && "$INTERACTION" == "$ISSUER/interaction/"* ]] || die "expected consent interaction after login, got $NEXT_STATUS"
  show_interaction
  [[ "$PROMPT" == consent ]] || die "expected consent prompt, got $PROMPT"
  submit "prompt=consent"
}

token() { curl -sS -o "$WORK/tok" -w '%{http_code}' "$@" "$ISSUER/token"; }

# ---------------------------------------------------------------- discovery
curl -sSf "$ISSUER/.well-known/openid-configuration" -o "$WORK/disco"
[[ "$(json "$WORK/disco" 'j.prompt_values_supported.includes("create")')" == true ]] \
  && pass "discovery prompt_values_supported contains create" || fail "prompt_values_supported: $(json "$WORK/disco" 'j.prompt_values_supported')"
[[ "$(json "$WORK/disco" 'j.authorization_response_iss_parameter_supported')" == true ]] \
  && pass "discovery authorization_response_iss_parameter_supported is true" || fail "iss parameter not advertised"
[[ "$(json "$WORK/disco" 'j.issuer')" == "$ISSUER" ]] && pass "discovery issuer matches" || fail "issuer mismatch"
[[ "$(json "$WORK/disco" 'j.response_modes_supported.includes("form_post")')" == true ]] \
  && pass "form_post supported" || fail "form_post not in response_modes_supported"

# ---------------------------------------------------------------- login, client-post, form_post
start_auth client-post "&response_mode=form_post"
show_interaction
[[ "$PROMPT" == login ]] && grep -q 'name="login"' "$WORK/b" && grep -q 'name="password"' "$WORK/b" \
  && pass "login page has prompt=login, login and password fields" || fail "login page unexpected (prompt=$PROMPT)"
EMAIL="alice@example.com"
submit "prompt=login&login=$(urlenc "$EMAIL")&password=irrelevant"
[[ "$NEXT_STATUS" == 303 ]] || die "no consent redirect after login"
show_interaction
[[ "$PROMPT" == consent ]] && pass "consent page has prompt=consent" || fail "expected consent, got $PROMPT"
submit "prompt=consent"
[[ "$NEXT_STATUS" == 200 ]] || die "expected form_post page (200), got $NEXT_STATUS"
grep -q "action=\"$REDIRECT_URI\"" "$WORK/b" && pass "form_post page posts to redirect_uri" || fail "form_post action"
CODE="$(field code "$WORK/b")"; RSTATE="$(field state "$WORK/b")"; RISS="$(field iss "$WORK/b")"
[[ -n "$CODE" ]] && pass "form_post carries code" || fail "no code in form_post"
[[ "$RSTATE" == "$STATE" ]] && pass "state returned unmodified" || fail "state $RSTATE != $STATE"
[[ "$RISS" == "$ISSUER" ]] && pass "RFC 9207 iss in authorization response" || fail "iss=$RISS"

# client-post authenticating with basic must be rejected (strict auth method)
code="$(token -u client-post:secret-post --data-urlencode grant_type=authorization_code \
  --data-urlencode "code=$CODE" --data-urlencode "redirect_uri=$REDIRECT_URI" --data-urlencode "code_verifier=$VERIFIER")"
[[ "$code" == 401 && "$(json "$WORK/tok" 'j.error')" == invalid_client ]] \
  && pass "client-post using client_secret_basic rejected (401 invalid_client)" || fail "basic for client-post: $code $(cat "$WORK/tok")"

# ...and the code is still usable with the registered method
code="$(token --data-urlencode grant_type=authorization_code --data-urlencode client_id=client-post \
  --data-urlencode client_secret=secret-post --data-urlencode "code=$CODE" \
  --data-urlencode "redirect_uri=$REDIRECT_URI" --data-urlencode "code_verifier=$VERIFIER")"
[[ "$code" == 200 ]] && pass "code exchanged with client_secret_post" || die "token exchange: $code $(cat "$WORK/tok")"
cp "$WORK/tok" "$WORK/tok1"
[[ -n "$(json "$WORK/tok1" 'j.id_token')" ]] && pass "token response has id_token" || fail "no id_token"
[[ -z "$(json "$WORK/tok1" 'j.userinfo')" ]] && pass "token response has no userinfo member" || fail "unexpected userinfo"
[[ -n "$(json "$WORK/tok1" 'j.refresh_token')" ]] && pass "refresh_token issued without offline_access" || fail "no refresh_token"
ID_TOKEN="$(json "$WORK/tok1" 'j.id_token')"
jwt_part "$ID_TOKEN" 0 >"$WORK/idh"; jwt_part "$ID_TOKEN" 1 >"$WORK/idp"
[[ "$(json "$WORK/idh" 'j.alg')" == RS256 ]] && pass "id_token alg RS256" || fail "alg $(cat "$WORK/idh")"
[[ "$(json "$WORK/idp" 'j.nonce')" == "$NONCE" ]] && pass "id_token nonce" || fail "nonce"
[[ -z "$(json "$WORK/idp" 'j.email')" ]] && pass "id_token has no email (UserInfo only)" || fail "email in id_token"
SUB="$(json "$WORK/idp" 'j.sub')"

code="$(curl -sS -o "$WORK/ui" -w '%{http_code}' -H "Authorization: Bearer $(json "$WORK/tok1" 'j.access_token')" "$ISSUER/me")"
[[ "$code" == 200 && "$(json "$WORK/ui" 'j.email')" == "$EMAIL" && "$(json "$WORK/ui" 'j.email_verified')" == true \
  && "$(json "$WORK/ui" 'j.sub')" == "$SUB" ]] && pass "userinfo has sub, email, email_verified" || fail "userinfo: $code $(cat "$WORK/ui")"

code="$(token --data-urlencode grant_type=refresh_token --data-urlencode client_id=client-post \
  --data-urlencode client_secret=secret-post --data-urlencode "refresh_token=$(json "$WORK/tok1" 'j.refresh_token')")"
[[ "$code" == 200 && -n "$(json "$WORK/tok" 'j.access_token')" ]] && pass "refresh_token grant works" || fail "refresh: $code $(cat "$WORK/tok")"

# a second authorization in the same cookie jar is answered at once (SSO + existing grant)
code="$(req "$ISSUER/auth?client_id=client-post&response_type=code&scope=openid%20email&redirect_uri=$(urlenc "$REDIRECT_URI")&state=again&nonce=n2&code_challenge=$CHALLENGE&code_challenge_method=S256&response_mode=form_post")"
[[ "$code" == 200 && -n "$(field code "$WORK/b")" ]] && pass "same session: /auth answers with form_post directly" || fail "SSO re-auth: $code"

# RP-initiated logout: GET end_session -> confirm form (xsrf) -> POST -> 303 to post_logout_redirect_uri
code="$(req "$ISSUER/session/end?id_token_hint=$ID_TOKEN&post_logout_redirect_uri=$(urlenc "$REDIRECT_URI")&state=bye")"
XSRF="$(field xsrf "$WORK/b")"
LOGOUT_ACTION="$(sed -n 's/.*id="op.logoutForm" method="post" action="\([^"]*\)".*/\1/p' "$WORK/b" | head -n 1)"
[[ "$code" == 200 && -n "$XSRF" && "$LOGOUT_ACTION" == "$ISSUER/session/end/confirm" ]] || fail "end_session page: $code $LOGOUT_ACTION"
code="$(req -X POST --data "xsrf=$XSRF&logout=yes" "$LOGOUT_ACTION")"
[[ "$code" == 303 && "$(location)" == "$REDIRECT_URI?state=bye" ]] && pass "RP-initiated logout redirects to post_logout_redirect_uri with state" \
  || fail "logout confirm: $code $(location)"
code="$(req "$ISSUER/auth?client_id=client-post&response_type=code&scope=openid%20email&redirect_uri=$(urlenc "$REDIRECT_URI")&state=after&nonce=n3&code_challenge=$CHALLENGE&code_challenge_method=S256")"
[[ "$code" == 303 && "$(location)" == /interaction/* ]] && pass "after logout, /auth asks for login again" || fail "after logout: $code $(location)"

# code without PKCE is refused at the authorization endpoint
JAR="$WORK/jar.nopkce"; : >"$JAR"
code="$(req "$ISSUER/auth?client_id=client-post&response_type=code&scope=openid&redirect_uri=$(urlenc "$REDIRECT_URI")&state=s")"
[[ "$code" == 303 && "$(location)" == *"error=invalid_request"* ]] && pass "PKCE required (no code_challenge -> invalid_request)" || fail "PKCE not required: $code $(location)"

# ---------------------------------------------------------------- client-basic, query mode, same email -> same sub
start_auth client-basic
login_and_consent "Alice@Example.com"
[[ "$NEXT_STATUS" == 303 ]] || die "query response: expected 303, got $NEXT_STATUS"
CB="$(location)"
[[ "$CB" == "$REDIRECT_URI?"* && "$CB" == *"iss=$(urlenc "$ISSUER")"* ]] && pass "query response to redirect_uri with iss" || fail "callback $CB"
CODE="$(node -e 'process.stdout.write(new URL(process.argv[1]).searchParams.get("code")||"")' "$CB")"
code="$(token -u client-basic:secret-basic --data-urlencode grant_type=authorization_code \
  --data-urlencode "code=$CODE" --data-urlencode "redirect_uri=$REDIRECT_URI" --data-urlencode "code_verifier=$VERIFIER")"
[[ "$code" == 200 ]] && pass "client-basic exchanged with client_secret_basic" || fail "client-basic: $code $(cat "$WORK/tok")"
jwt_part "$(json "$WORK/tok" 'j.id_token')" 1 >"$WORK/idp2"
code="$(token --data-urlencode grant_type=authorization_code --data-urlencode client_id=client-basic \
  --data-urlencode client_secret=secret-basic --data-urlencode code=bogus \
  --data-urlencode "redirect_uri=$REDIRECT_URI" --data-urlencode "code_verifier=$VERIFIER")"
[[ "$code" == 401 && "$(json "$WORK/tok" 'j.error')" == invalid_client ]] \
  && pass "client-basic using client_secret_post rejected (401 invalid_client)" || fail "post for client-basic: $code $(cat "$WORK/tok")"

[[ "$(json "$WORK/idp2" 'j.sub')" == "$SUB" ]] && pass "same email (any case) -> same sub" || fail "sub differs"

# ---------------------------------------------------------------- client-es256 with prompt=create
start_auth client-es256 "&prompt=create&response_mode=form_post"
show_interaction
[[ "$PROMPT" == create ]] && grep -q '<title>Create account</title>' "$WORK/b" \
  && pass "prompt=create shows the create page (prompt=create hidden field)" || fail "create page: prompt=$PROMPT"
submit "prompt=create&login=$(urlenc "bob@example.com")&password=irrelevant"
[[ "$NEXT_STATUS" == 303 ]] || die "no consent after create"
show_interaction
[[ "$PROMPT" == consent ]] || fail "expected consent after create, got $PROMPT"
submit "prompt=consent"
CODE="$(field code "$WORK/b")"
# client-es256 is registered for client_secret_basic: post is refused (and
# does not consume the code), Basic gets the tokens.
code="$(token --data-urlencode grant_type=authorization_code --data-urlencode client_id=client-es256 \
  --data-urlencode client_secret=secret-es256 --data-urlencode "code=$CODE" \
  --data-urlencode "redirect_uri=$REDIRECT_URI" --data-urlencode "code_verifier=$VERIFIER")"
[[ "$code" == 401 && "$(json "$WORK/tok" 'j.error')" == invalid_client ]] \
  && pass "client-es256 using client_secret_post rejected (401 invalid_client)" || fail "post for client-es256: $code $(cat "$WORK/tok")"
code="$(token -u client-es256:secret-es256 --data-urlencode grant_type=authorization_code \
  --data-urlencode "code=$CODE" \
  --data-urlencode "redirect_uri=$REDIRECT_URI" --data-urlencode "code_verifier=$VERIFIER")"
[[ "$code" == 200 ]] && pass "client-es256 exchanged with client_secret_basic" || fail "client-es256 token: $code $(cat "$WORK/tok")"
jwt_part "$(json "$WORK/tok" 'j.id_token')" 0 >"$WORK/idh3"
[[ "$(json "$WORK/idh3" 'j.alg')" == ES256 ]] && pass "client-es256 id_token alg ES256" || fail "es256 alg $(cat "$WORK/idh3")"

# ---------------------------------------------------------------- denial via the abort link
start_auth client-post "&response_mode=form_post"
show_interaction
ABORT="$(absolute "$(sed -n 's/.*href="\([^"]*\/abort\)".*/\1/p' "$WORK/b" | head -n 1)")"
[[ "$ABORT" == "$INTERACTION/abort" ]] || fail "abort link $ABORT"
code="$(req "$ABORT")"
[[ "$code" == 303 ]] || die "abort: $code"
NEXT_STATUS="$(req "$(absolute "$(location)")")"
[[ "$NEXT_STATUS" == 400 && "$(field error "$WORK/b")" == access_denied && "$(field state "$WORK/b")" == "$STATE" \
  && "$(field iss "$WORK/b")" == "$ISSUER" ]] && pass "abort -> form_post error=access_denied with state and iss" \
  || fail "abort result $NEXT_STATUS $(cat "$WORK/b")"

# ---------------------------------------------------------------- keys and shutdown
curl -sSf "$ISSUER/jwks" -o "$WORK/jwks"
[[ "$(json "$WORK/jwks" 'j.keys.map(k=>k.alg).sort().join(",")')" == "ES256,RS256" ]] \
  && pass "jwks has RS256 and ES256 keys" || fail "jwks $(cat "$WORK/jwks")"

kill -TERM "$PROVIDER_PID"
if wait "$PROVIDER_PID"; then pass "clean exit on SIGTERM"; else fail "exit status $? on SIGTERM"; fi
PROVIDER_PID=""

echo "$PASSED passed, $FAILED failed"
[[ "$FAILED" -eq 0 ]]
