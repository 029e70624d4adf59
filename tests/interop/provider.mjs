// Certified OpenID Provider fixture (panva/oidc-provider) for the Rust SDK's
// interoperability tests. See README.md next to this file for the contract.
//
// stdout carries exactly one line, `ISSUER=http://127.0.0.1:<port>`, printed
// once the server listens. Everything else (oidc-provider notices included)
// goes to stderr.

import * as crypto from 'node:crypto';
import * as http from 'node:http';

// oidc-provider prints its NOTICEs with console.info (stdout). Keep stdout for
// the ISSUER line only: route every console method to stderr before the
// library is loaded.
for (const method of ['log', 'info', 'debug']) {
  // eslint-disable-next-line no-console
  console[method] = (...args) => console.error(...args);
}

const { default: Provider, interactionPolicy } = await import('oidc-provider');

const HOST = process.env.HOST || '127.0.0.1';
const PORT = Number.parseInt(process.env.PORT || '0', 10);

const csv = (value, fallback) => {
  const list = (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return list.length ? list : fallback;
};

const REDIRECT_URIS = csv(process.env.REDIRECT_URIS, ['http://127.0.0.1:8765/callback']);
const POST_LOGOUT_REDIRECT_URIS = csv(process.env.POST_LOGOUT_REDIRECT_URIS, REDIRECT_URIS);
const BACKCHANNEL_LOGOUT_URI = process.env.BACKCHANNEL_LOGOUT_URI || undefined;
// AUTH_METHODS (optional): the token endpoint authentication methods the
// provider supports, hence publishes in `token_endpoint_auth_methods_supported`
// (oidc-provider's `clientAuthMethods`). Unset: oidc-provider's default list,
// which has both client_secret_basic and client_secret_post.
const AUTH_METHODS = csv(process.env.AUTH_METHODS, undefined);

// ---------------------------------------------------------------- clients

const clientDefaults = {
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  redirect_uris: REDIRECT_URIS,
  post_logout_redirect_uris: POST_LOGOUT_REDIRECT_URIS,
  id_token_signed_response_alg: 'RS256',
  ...(BACKCHANNEL_LOGOUT_URI
    ? { backchannel_logout_uri: BACKCHANNEL_LOGOUT_URI, backchannel_logout_session_required: true }
    : {}),
};

const defaultClients = [
  {
    client_id: 'client-post',
    client_secret: 'secret-post',
    token_endpoint_auth_method: 'client_secret_post',
  },
  {
    client_id: 'client-basic',
    client_secret: 'secret-basic',
    token_endpoint_auth_method: 'client_secret_basic',
  },
  {
    client_id: 'client-es256',
    client_secret: 'secret-es256',
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'ES256',
  },
  // A service (no user, no redirect): the client credentials grant only.
  {
    client_id: 'client-service',
    client_secret: 'secret-service',
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
  },
];

// CLIENTS_JSON (optional): a JSON array of client metadata objects that
// replaces the defaults; each is merged over the defaults above.
// With AUTH_METHODS, the default clients registered for a method the provider
// does not support are left out (oidc-provider would refuse them anyway);
// CLIENTS_JSON clients are passed through as given.
let clientList = AUTH_METHODS
  ? defaultClients.filter((c) => AUTH_METHODS.includes(c.token_endpoint_auth_method))
  : defaultClients;
if (process.env.CLIENTS_JSON) {
  clientList = JSON.parse(process.env.CLIENTS_JSON);
  if (!Array.isArray(clientList)) throw new TypeError('CLIENTS_JSON must be a JSON array');
}
// EXTRA_CLIENTS_JSON (optional): a JSON array of client metadata objects
// registered besides the others (e.g. a private_key_jwt client with the
// public `jwks` of a key the test generated).
if (process.env.EXTRA_CLIENTS_JSON) {
  const extra = JSON.parse(process.env.EXTRA_CLIENTS_JSON);
  if (!Array.isArray(extra)) throw new TypeError('EXTRA_CLIENTS_JSON must be a JSON array');
  clientList = [...clientList, ...extra];
}
const clients = clientList.map((c) => ({ ...clientDefaults, ...c }));

// ---------------------------------------------------------------- keys
// Fresh signing keys (and random kids) on every start: a restart rotates keys.

function signingJwk(type, options, alg) {
  const { privateKey } = crypto.generateKeyPairSync(type, options);
  return {
    ...privateKey.export({ format: 'jwk' }),
    kid: crypto.randomBytes(12).toString('base64url'),
    alg,
    use: 'sig',
  };
}

const jwks = {
  keys: [
    signingJwk('rsa', { modulusLength: 2048 }, 'RS256'),
    signingJwk('ec', { namedCurve: 'P-256' }, 'ES256'),
  ],
};

const cookieKeys = csv(process.env.COOKIE_KEYS, [
  crypto.randomBytes(32).toString('base64url'),
  crypto.randomBytes(32).toString('base64url'),
]);

// ---------------------------------------------------------------- accounts
// accountId == sub, derived deterministically from the (lower-cased) email so
// the same email always yields the same sub, across restarts too.

const accounts = new Map(); // sub -> email

function subFor(email) {
  return crypto.createHash('sha256').update(`interop-user:${email}`).digest('hex').slice(0, 32);
}

function accountFromEmail(rawEmail) {
  const email = String(rawEmail ?? '').trim().toLowerCase();
  if (!email) return undefined;
  const sub = subFor(email);
  accounts.set(sub, email);
  return sub;
}

async function findAccount(ctx, sub) {
  const email = accounts.get(sub);
  if (!email) return undefined;
  return {
    accountId: sub,
    async claims(use, scope) {
      return { sub, email, email_verified: true };
    },
  };
}

// ---------------------------------------------------------------- prompts
// The base policy (login, consent) plus a requestable `create` prompt placed
// first: `prompt=create` is accepted, advertised, and shows the create-account
// page before anything else (even with an existing session).

const { Prompt, base } = interactionPolicy;
const policy = base();
policy.add(new Prompt({ name: 'create', requestable: true }), 0);

const promptValuesSupported = ['none', ...policy.filter((p) => p.requestable).map((p) => p.name)];

// ---------------------------------------------------------------- server

function isLoopbackUrl(url) {
  const { hostname } = new URL(url);
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

const server = http.createServer();
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(PORT, HOST, resolve);
});
const { port } = server.address();
const ISSUER = `http://${HOST}:${port}`;

const provider = new Provider(ISSUER, {
  clients,
  ...(AUTH_METHODS ? { clientAuthMethods: AUTH_METHODS } : {}),
  jwks,
  findAccount,
  cookies: {
    keys: cookieKeys,
    // Plain http on loopback: cookies must not be `Secure` (oidc-provider only
    // marks them Secure when the request is https) and SameSite=Lax is fine for
    // top-level navigations and for a cookie-jar HTTP client.
    long: { httpOnly: true, sameSite: 'lax' },
    short: { httpOnly: true, sameSite: 'lax' },
  },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
  },
  scopes: ['openid', 'offline_access', 'email'],
  // Claims requested by scope are served from UserInfo only, not in the
  // ID token of the code flow (this is the default; stated explicitly).
  conformIdTokenClaims: true,
  responseTypes: ['code'],
  pkce: {
    // Required for every client (the default only requires it for public
    // clients); S256 is the only method oidc-provider v9 supports.
    required: () => true,
  },
  // Issue a refresh token whenever the client may use the grant, without
  // needing offline_access (+ prompt=consent).
  issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
  interactions: { policy },
  // oidc-provider's outgoing requests (back-channel logout) refuse special-use
  // addresses, loopback included. The test RPs live on loopback, so requests
  // to loopback URLs skip that guard; everything else keeps it.
  fetch: (url, options) => {
    if (isLoopbackUrl(url)) {
      const { dispatcher, ...rest } = options;
      return globalThis.fetch(url, rest);
    }
    return globalThis.fetch(url, options);
  },
  discovery: { prompt_values_supported: promptValuesSupported },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    backchannelLogout: { enabled: true },
    userinfo: { enabled: true },
    revocation: { enabled: true },
    clientCredentials: { enabled: true },
    // A request naming an API with `resource` (RFC 8707) gets a JWT access
    // token (RFC 9068) whose `aud` is that API, with the API's scopes;
    // without one, access tokens stay opaque as before. The API
    // `https://opaque.interop.example` gets opaque tokens with its `aud`,
    // for APIs that introspect (RFC 7662).
    resourceIndicators: {
      enabled: true,
      defaultResource: () => undefined,
      useGrantedResource: () => false,
      getResourceServerInfo: (ctx, resource) => (resource === 'https://opaque.interop.example'
        ? {
          scope: 'reports:read reports:write',
          audience: resource,
          accessTokenFormat: 'opaque',
          accessTokenTTL: 600,
        }
        : {
          scope: 'reports:read reports:write',
          audience: resource,
          accessTokenFormat: 'jwt',
          accessTokenTTL: 600,
          jwt: { sign: { alg: 'RS256' } },
        }),
    },
    // RFC 7662: any authenticated confidential client may introspect.
    introspection: { enabled: true },
    // RFC 8628: the device authorization grant (`/device/auth`, and the
    // user-code page at `/device`).
    deviceFlow: { enabled: true },
  },
  ttl: {
    AccessToken: 600,
    IdToken: 600,
    AuthorizationCode: 60,
    RefreshToken: 24 * 3600,
    Interaction: 3600,
    Session: 24 * 3600,
    Grant: 24 * 3600,
  },
});
provider.proxy = false;

// ---------------------------------------------------------------- interactions
// devInteractions renders `login` and `consent`. This middleware (which runs
// before oidc-provider's routes) adds the `create` page and handles the login
// and create submissions so the accountId is the email-derived sub. Consent
// submissions and the abort link are left to devInteractions.

const htmlEscape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function createPage({ uid, loginHint }) {
  const value = loginHint ? ` value="${htmlEscape(loginHint)}"` : '';
  return `<!DOCTYPE html>
<html>
  <head>
    <meta charset="utf-8">
    <title>Create account</title>
  </head>
  <body>
    <div class="login-card">
      <h1>Create account</h1>
      <form autocomplete="off" action="${ISSUER}/interaction/${htmlEscape(uid)}" method="post">
        <input type="hidden" name="prompt" value="create"/>
        <input required type="email" name="login" placeholder="Enter your email"${value}>
        <input type="password" name="password" placeholder="and choose a password">
        <button type="submit" class="login login-submit">Create account</button>
      </form>
      <div class="login-help">
        <a href="${ISSUER}/interaction/${htmlEscape(uid)}/abort">[ Cancel ]</a>
        ${htmlEscape(uid)}
      </div>
    </div>
  </body>
</html>`;
}

async function readForm(req, limit = 64 * 1024) {
  let size = 0;
  const chunks = [];
  for await (const chunk of req) {
    size += chunk.length;
    if (size > limit) throw Object.assign(new Error('request body too large'), { status: 413 });
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

const INTERACTION_PATH = /^\/interaction\/([^/]+)$/;

provider.use(async (ctx, next) => {
  const match = INTERACTION_PATH.exec(ctx.path);
  if (!match || (ctx.method !== 'GET' && ctx.method !== 'POST')) return next();

  let details;
  try {
    details = await provider.interactionDetails(ctx.req, ctx.res);
  } catch {
    return next(); // let oidc-provider render its own error
  }
  const promptName = details.prompt.name;

  if (ctx.method === 'GET') {
    if (promptName !== 'create') return next();
    ctx.set('cache-control', 'no-store');
    ctx.type = 'html';
    ctx.body = createPage({ uid: details.uid, loginHint: details.params.login_hint });
    return undefined;
  }

  // POST: login and create are handled here; consent goes to devInteractions.
  if (promptName !== 'login' && promptName !== 'create') return next();
  const form = await readForm(ctx.req);
  const submitted = form.get('prompt');
  if (submitted !== promptName) {
    ctx.throw(400, `submitted prompt ${submitted} does not match the interaction prompt ${promptName}`);
  }
  const accountId = accountFromEmail(form.get('login'));
  if (!accountId) ctx.throw(400, 'login (email) is required');

  const result = { login: { accountId } };
  if (promptName === 'create') result.create = { accountId };
  ctx.set('cache-control', 'no-store');
  await provider.interactionFinished(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
  ctx.respond = false;
  return undefined;
});

// ---------------------------------------------------------------- strict client auth
// oidc-provider v9 treats client_secret_basic and client_secret_post as
// interchangeable for a client registered with either. The interop tests want
// the registered method enforced, so the endpoints that authenticate clients
// reject the other secret method with 401 invalid_client. The body is read here
// and handed to oidc-provider as `req.body` (a Buffer), which it supports for
// upstream body parsers (it logs a one-time warning about that on stderr).

const registeredAuthMethod = new Map(
  clients.map((c) => [c.client_id, c.token_endpoint_auth_method || 'client_secret_basic']),
);
const SECRET_METHODS = new Set(['client_secret_basic', 'client_secret_post']);
const CLIENT_AUTH_PATHS = new Set(['/token', '/token/revocation', '/token/introspection', '/device/auth', '/request']);

function basicClientId(header) {
  const [scheme, value] = String(header).split(' ');
  if (scheme?.toLowerCase() !== 'basic' || !value) return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i === -1) return undefined;
  try {
    return decodeURIComponent(decoded.slice(0, i).replace(/\+/g, '%20'));
  } catch {
    return undefined;
  }
}

provider.use(async (ctx, next) => {
  if (ctx.method !== 'POST' || !CLIENT_AUTH_PATHS.has(ctx.path)
    || !ctx.is('application/x-www-form-urlencoded')) {
    return next();
  }

  const chunks = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += chunk.length;
    if (size > 56 * 1024) ctx.throw(413, 'request entity too large');
    chunks.push(chunk);
  }
  const raw = Buffer.concat(chunks);
  ctx.req.body = raw;
  const form = new URLSearchParams(raw.toString('utf8'));

  let used;
  let clientId;
  if (ctx.headers.authorization !== undefined) {
    used = 'client_secret_basic';
    clientId = basicClientId(ctx.headers.authorization);
  } else if (form.get('client_secret')) {
    used = 'client_secret_post';
    clientId = form.get('client_id');
  }
  const registered = clientId !== undefined ? registeredAuthMethod.get(clientId) : undefined;
  if (used && registered && SECRET_METHODS.has(registered) && registered !== used) {
    const description = `client ${clientId} is registered for ${registered}, not ${used}`;
    console.error(`client auth refused: ${clientId} used ${used} at ${ctx.path} (registered ${registered})`);
    ctx.status = 401;
    ctx.set('cache-control', 'no-store');
    if (used === 'client_secret_basic') {
      ctx.set('www-authenticate', `Basic realm="${ISSUER}", error="invalid_client", error_description="${description}"`);
    }
    ctx.body = { error: 'invalid_client', error_description: description };
    return undefined;
  }
  if (used && registered) {
    // Not proof of success (oidc-provider still checks the secret), but tests
    // read this line to see which method a client used.
    console.error(`client auth: ${clientId} used ${used} at ${ctx.path} (registered ${registered})`);
  }
  return next();
});

provider.on('server_error', (ctx, err) => console.error('server_error', err));
provider.on('backchannel.success', (ctx, client, accountId, sid) => console.error(`backchannel logout sent to ${client.clientId} (sub ${accountId}, sid ${sid})`));
provider.on('backchannel.error', (ctx, err, client) => console.error(`backchannel logout to ${client.clientId} failed: ${err.message}`));

server.on('request', provider.callback());

process.stdout.write(`ISSUER=${ISSUER}\n`, () => {
  console.error(`oidc-provider ${ISSUER} ready (clients: ${clients.map((c) => c.client_id).join(', ')}; redirect_uris: ${REDIRECT_URIS.join(', ')}; token endpoint auth methods: ${AUTH_METHODS ? AUTH_METHODS.join(', ') : 'default'})`);
});

function shutdown(signal) {
  console.error(`received ${signal}, shutting down`);
  server.close(() => process.exit(0));
  server.closeAllConnections?.();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.once('SIGTERM', () => shutdown('SIGTERM'));
process.once('SIGINT', () => shutdown('SIGINT'));
