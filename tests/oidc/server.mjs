// SPDX-License-Identifier: LGPL-2.1-or-later
//
// A real OAuth 2.0 / OpenID Connect server (panva's oidc-provider) on loopback, for tests of standard
// behaviour that a hand-written server could get wrong the same way as the client.
//
//   node tests/oidc/server.mjs --port-file FILE [--access-ttl S] [--refresh-ttl S] [--opaque] [--require-par]
//                              [--tls DIR]
//
// It listens on 127.0.0.1 on an ephemeral port, writes the port to FILE once it accepts connections and
// uses http://127.0.0.1:PORT as its issuer (discovery at /.well-known/openid-configuration, token endpoint
// /token, pushed authorization requests /request (required of every login with --require-par, which the
// metadata then says), device authorization /device/auth, introspection /token/introspection, revocation
// /token/revocation).
//
// Clients (grants: client_credentials, authorization_code with PKCE, refresh_token, device_code):
//   cc-basic   secret cc-basic-secret   client_secret_basic
//   cc-post    secret cc-post-secret    client_secret_post
//   public     no secret                none (a native app: any port on http://127.0.0.1/callback)
//   cc-hs256   secret cc-hs256-secret-of-32-bytes-or-more   client_secret_basic, ID tokens signed HS256 with
//              the secret
//   cc-jwt     secret cc-jwt-secret-of-32-bytes-or-more     client_secret_jwt (RFC 7523 assertions, HS256)
// and any client registered at /reg (RFC 7591, open registration): a private_key_jwt client registers its
// public keys ("jwks") there.
// Access tokens are for the resource server urn:tokenbroker:test-api (scopes api:read api:write) unless a
// request names urn:tokenbroker:other-api (the same scopes) as its resource,
// JWTs signed with a key made at start (or opaque with --opaque). Refresh tokens are rotated on every use;
// presenting a rotated one revokes the grant and is counted as rt_reuse.
//
// Logins need no person: the interaction route approves as the configured user ("alice") at once,
// unless a test said otherwise (POST /_control {"approve": false} or {"user": "bob"}). A browser stand-in
// (curl with a cookie jar, following redirects) thus completes an authorization request, and a device
// user code is approved by submitting the /device form.
// ID tokens can be spoiled on the way out, to prove that the client checks them: POST /_control with
// {"id_token": {"nonce": "x", ...}} re-signs every ID token of a token response with those claims replaced
// (null removes one), {"id_token_key": "rotated"} signs with a second key that /jwks serves from then on (a key
// rotation), "stray" with a key /jwks never serves, "bad-signature" spoils the signature, "drop" leaves the
// ID token out; {"id_token": null,
// "id_token_key": null} stops it.
// DPoP (RFC 9449) is on, with nonces required at the token endpoint. With --tls DIR the server speaks HTTPS
// and mutual TLS (RFC 8705): clients mtls-pki (tls_client_auth, a certificate of DIR/ca.pem with the subject
// CN=tokenbroker-client) and mtls-self (self_signed_tls_client_auth, the certificate DIR/self.pem), whose
// tokens are bound to their certificates, and mtls_endpoint_aliases under /mtls.
// Test-only endpoints: GET /_stats (counters), POST /_control, /api/whoami[/...] (any method; 200 for a valid
// Bearer access token of this server, 401 otherwise; with ?at=T, whether it was valid at the Unix time T, so
// that a test on a loaded machine can ask about the moment a token was handed out). It is a DPoP resource
// server too: a DPoP-bound token only with `Authorization: DPoP` and a proof checked with node's jose; after
// POST /_control {"rs_nonce": "N"} a proof must carry that nonce (401 use_dpop_nonce and DPoP-Nonce: N else).

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { parseArgs } from 'node:util';

import { calculateJwkThumbprint, EmbeddedJWK, jwtVerify } from 'jose';
import Provider, { errors } from 'oidc-provider';

const RESOURCE = 'urn:tokenbroker:test-api';
const OTHER_RESOURCE = 'urn:tokenbroker:other-api';     // a second API, for tokens per audience (RFC 8707)
const RESOURCE_SCOPES = 'api:read api:write';

const { values: opts } = parseArgs({
  options: {
    'port-file': { type: 'string' },
    'access-ttl': { type: 'string', default: '3600' },
    'refresh-ttl': { type: 'string', default: '86400' },
    opaque: { type: 'boolean', default: false },
    'require-par': { type: 'boolean', default: false },
    tls: { type: 'string' },
  },
});
const accessTTL = Number(opts['access-ttl']);
const refreshTTL = Number(opts['refresh-ttl']);

const state = {
  approve: true, user: 'alice', id_token: null, id_token_key: null, rotated: false, rs_nonce: null,
};
const stats = {
  requests: {}, grants: {}, errors: {}, token_requests: 0, tokens_issued: 0, rt_reuse: 0, logins: 0,
  dpop_proofs: 0, dpop_token_requests: 0, rs_nonce_challenges: 0,
};
const count = (table, key) => { stats[table][key] = (stats[table][key] || 0) + 1; };

// A signing key of our own, so that nothing falls back to the library's development keys.
const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key', use: 'sig', alg: 'RS256' };

// The second key of a rotation, and one that is never published.
const rotatedKey = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
const strayKey = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const publicJwk = (key, kid, alg) => ({ ...key.export({ format: 'jwk' }), kid, use: 'sig', alg });

function b64json(o) { return Buffer.from(JSON.stringify(o)).toString('base64url'); }

// A JWS of `claims` signed with `key` (RS256 for RSA, ES256 for P-256 in JOSE's r||s form).
function sign(claims, key, kid) {
  const alg = key.asymmetricKeyType === 'ec' ? 'ES256' : 'RS256';
  const input = `${b64json({ alg, kid, typ: 'JWT' })}.${b64json(claims)}`;
  const sig = crypto.sign('sha256', Buffer.from(input), alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key);
  return `${input}.${sig.toString('base64url')}`;
}

function spoilIdToken(idToken) {
  const claims = JSON.parse(Buffer.from(idToken.split('.')[1], 'base64url').toString());
  for (const [k, v] of Object.entries(state.id_token || {})) {
    if (v === null) delete claims[k]; else claims[k] = v;
  }
  if (state.id_token_key === 'rotated') { state.rotated = true; return sign(claims, rotatedKey.privateKey, 'test-key-2'); }
  if (state.id_token_key === 'stray') return sign(claims, strayKey.privateKey, 'stray-key');
  const token = sign(claims, privateKey, 'test-key');
  if (state.id_token_key !== 'bad-signature') return token;
  const sig = Buffer.from(token.split('.')[2], 'base64url');
  sig[10] ^= 1;
  return `${token.split('.').slice(0, 2).join('.')}.${sig.toString('base64url')}`;
}

// Rewrites the token response on its way out when a test asked for spoiled ID tokens.
function spoilTokenResponse(res) {
  const end = res.end.bind(res);
  res.end = (chunk, ...rest) => {
    if (chunk && res.statusCode === 200) {
      const body = JSON.parse(chunk.toString());
      if (body.id_token) {
        if (state.id_token_key === 'drop') delete body.id_token;
        else body.id_token = spoilIdToken(body.id_token);
        chunk = JSON.stringify(body);
        res.setHeader('Content-Length', Buffer.byteLength(chunk));
      }
    }
    return end(chunk, ...rest);
  };
}

const grantTypes = ['client_credentials', 'authorization_code', 'refresh_token',
  'urn:ietf:params:oauth:grant-type:device_code'];
const client = (id, secret, method) => ({
  client_id: id,
  ...(secret ? { client_secret: secret } : {}),
  token_endpoint_auth_method: method,
  application_type: 'native',
  grant_types: method === 'none' ? grantTypes.filter((g) => g !== 'client_credentials') : grantTypes,
  response_types: ['code'],
  redirect_uris: ['http://127.0.0.1/callback'],
  scope: `openid offline_access ${RESOURCE_SCOPES}`,
});

// --tls DIR: HTTPS with DIR/server.pem and server.key, asking every client for a certificate (verified
// against DIR/ca.pem, but a connection without one, or with another, is still served: the token endpoint
// decides per client what it needs).
const tlsDir = opts.tls;
const readPki = (file) => fs.readFileSync(`${tlsDir}/${file}`);
const server = tlsDir
  ? https.createServer({
    key: readPki('server.key'), cert: readPki('server.pem'), ca: readPki('ca.pem'),
    requestCert: true, rejectUnauthorized: false,
  })
  : http.createServer();
await new Promise((resolve) => { server.listen(0, '127.0.0.1', resolve); });
const { port } = server.address();
const issuer = `${tlsDir ? 'https' : 'http'}://127.0.0.1:${port}`;

// RFC 8705 in TLS mode: a client of a CA-issued certificate (its subject registered) and one of a self-signed
// certificate (registered itself, DIR/self.pem), both with tokens bound to the certificate; the metadata
// names aliases under /mtls for the endpoints a client with a certificate uses.
const peerCertificate = (socket) => (socket.getPeerX509Certificate ? socket.getPeerX509Certificate() : undefined);
const x5t = (cert) => crypto.createHash('sha256').update(cert.raw).digest('base64url');
const mtlsClients = [];
if (tlsDir) {
  const bound = { tls_client_certificate_bound_access_tokens: true };
  mtlsClients.push({ ...client('mtls-pki', null, 'tls_client_auth'), ...bound,
    tls_client_auth_subject_dn: 'CN=tokenbroker-client' });
  if (fs.existsSync(`${tlsDir}/self.pem`)) {
    const self = new crypto.X509Certificate(readPki('self.pem'));
    mtlsClients.push({ ...client('mtls-self', null, 'self_signed_tls_client_auth'), ...bound,
      jwks: { keys: [{ ...self.publicKey.export({ format: 'jwk' }), x5c: [self.raw.toString('base64')] }] } });
  }
}
const mtlsAliases = tlsDir ? {
  mtls_endpoint_aliases: {
    token_endpoint: `${issuer}/mtls/token`,
    revocation_endpoint: `${issuer}/mtls/token/revocation`,
    device_authorization_endpoint: `${issuer}/mtls/device/auth`,
  },
} : {};

const provider = new Provider(issuer, {
  clients: [
    client('cc-basic', 'cc-basic-secret', 'client_secret_basic'),
    client('cc-post', 'cc-post-secret', 'client_secret_post'),
    client('public', null, 'none'),
    { ...client('cc-hs256', 'cc-hs256-secret-of-32-bytes-or-more', 'client_secret_basic'),
      id_token_signed_response_alg: 'HS256' },
    client('cc-jwt', 'cc-jwt-secret-of-32-bytes-or-more', 'client_secret_jwt'),
    ...mtlsClients,
  ],
  discovery: { ...mtlsAliases },
  jwks: { keys: [jwk] },
  cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
  scopes: ['openid', 'offline_access', ...RESOURCE_SCOPES.split(' ')],
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    registration: { enabled: true },
    pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: opts['require-par'] },
    deviceFlow: { enabled: true },
    introspection: { enabled: true },
    mTLS: {
      enabled: !!tlsDir,
      certificateBoundAccessTokens: true,
      tlsClientAuth: true,
      selfSignedTlsClientAuth: true,
      getCertificate: (ctx) => peerCertificate(ctx.socket)?.toString(),
      certificateAuthorized: (ctx) => ctx.socket.authorized,
      certificateSubjectMatches: (ctx, property, expected) => property === 'tls_client_auth_subject_dn'
        && peerCertificate(ctx.socket)?.subject === expected,
    },
    // RFC 9449, with server nonces required: every client's first proof is refused with use_dpop_nonce.
    dPoP: { enabled: true, nonceSecret: crypto.randomBytes(32), requireNonce: () => true },
    revocation: { enabled: true },
    resourceIndicators: {
      enabled: true,
      // Requests without a resource parameter get the one API, so that client_credentials and refreshes
      // yield tokens for it rather than for the userinfo endpoint.
      defaultResource: () => RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx, indicator) => {
        if (indicator !== RESOURCE && indicator !== OTHER_RESOURCE) throw new errors.InvalidTarget();
        return {
          scope: RESOURCE_SCOPES,
          audience: indicator,
          accessTokenTTL: accessTTL,
          accessTokenFormat: opts.opaque ? 'opaque' : 'jwt',
        };
      },
    },
  },
  enabledJWA: { idTokenSigningAlgValues: ['RS256', 'HS256'] },
  clientAuthMethods: ['client_secret_basic', 'client_secret_jwt', 'client_secret_post', 'private_key_jwt', 'none',
    ...(tlsDir ? ['tls_client_auth', 'self_signed_tls_client_auth'] : [])],
  pkce: { methods: ['S256'], required: () => true },
  rotateRefreshToken: true,
  // Refresh tokens for every code/device grant of a client allowed to refresh, offline_access or not.
  issueRefreshToken: async (ctx, cl) => cl.grantTypeAllowed('refresh_token'),
  ttl: {
    AccessToken: accessTTL,
    ClientCredentials: accessTTL,
    RefreshToken: refreshTTL,
    AuthorizationCode: 60,
    DeviceCode: 600,
    IdToken: 3600,
    Interaction: 600,
    Session: 3600,
    Grant: refreshTTL,
  },
  findAccount: async (ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
});

provider.on('grant.success', (ctx) => { stats.tokens_issued += 1; count('grants', ctx.oidc.params.grant_type); });
provider.on('grant.error', (ctx, err) => {
  count('errors', err.error);
  if (err.error_description === 'grant request is invalid' && err.error_detail === 'refresh token already used') {
    stats.rt_reuse += 1;
  }
});
provider.on('server_error', (ctx, err) => { console.error('oidc: server_error', err); });

// The login and consent pages, answered without a person: the configured user logs in and grants what
// the client asked for (or, with approve=false, the user refuses).
async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params, session } = details;
  let result;
  if (!state.approve) {
    result = { error: 'access_denied', error_description: 'the test user refused' };
  } else if (prompt.name === 'login') {
    stats.logins += 1;
    result = { login: { accountId: state.user } };
  } else {
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    const missing = prompt.details;
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes || {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    result = { consent: { grantId: await grant.save() } };
  }
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: true });
}

// A resource server's check of a DPoP proof (RFC 9449 section 4.3 and 7.1), written against the RFC with node's
// jose, independently of the client: signature by the embedded key, typ, htm, htu, iat, a jti never seen, the
// hash of the token, the nonce when one was set, and the key the token is bound to. Returns an error or null.
const seenJti = new Set();
async function checkProof(req, token, jkt) {
  const proof = req.headers.dpop;
  if (!proof || Array.isArray(proof)) return 'no single DPoP header';
  let verified;
  try {
    verified = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: ['ES256', 'RS256', 'PS256', 'EdDSA'] });
  } catch (err) {
    return `bad proof: ${err.message}`;
  }
  const { payload, protectedHeader } = verified;
  const url = new URL(req.url, issuer);
  if (payload.htm !== req.method) return `htm ${payload.htm} is not ${req.method}`;
  if (payload.htu !== `${url.origin}${url.pathname}`) return `htu ${payload.htu} is not ${url.origin}${url.pathname}`;
  if (typeof payload.iat !== 'number' || Math.abs(payload.iat - Date.now() / 1000) > 300) return 'iat out of range';
  if (typeof payload.jti !== 'string' || seenJti.has(payload.jti)) return 'jti missing or replayed';
  seenJti.add(payload.jti);
  const ath = crypto.createHash('sha256').update(token).digest('base64url');
  if (payload.ath !== ath) return 'ath is not the hash of the token';
  if ((await calculateJwkThumbprint(protectedHeader.jwk)) !== jkt) return 'the proof\'s key is not the token\'s';
  if (state.rs_nonce && payload.nonce !== state.rs_nonce) return 'use_dpop_nonce';
  stats.dpop_proofs += 1;
  return null;
}

function unauthorized(res, scheme, error, headers = {}) {
  res.writeHead(401, {
    'WWW-Authenticate': `${scheme} error="${error}"${scheme === 'DPoP' ? ', algs="ES256 RS256"' : ''}`,
    'Content-Type': 'application/json',
    ...headers,
  });
  res.end(JSON.stringify({ error }));
}

// Valid means: signed by our key and not expired (JWT), or known and not expired (opaque), now or at ?at=T;
// a DPoP-bound token (cnf.jkt) only with the DPoP scheme and a valid proof for this request.
async function whoami(req, res) {
  const atParam = new URL(req.url, issuer).searchParams.get('at');
  const at = atParam === null ? Date.now() / 1000 : Number(atParam);
  const auth = req.headers.authorization || '';
  const space = auth.indexOf(' ');
  const scheme = space > 0 ? auth.slice(0, space).toLowerCase() : '';
  const token = scheme === 'bearer' || scheme === 'dpop' ? auth.slice(space + 1).trim() : '';
  let claims = null;
  const parts = token.split('.');
  if (parts.length === 3) {
    const ok = crypto.verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), publicKey,
      Buffer.from(parts[2], 'base64url'));
    if (ok) {
      claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString());
      if (claims.exp <= at) claims = null;
    }
  } else if (token) {
    const find = { ignoreExpiration: atParam !== null };
    const t = (await provider.AccessToken.find(token, find)) || (await provider.ClientCredentials.find(token, find));
    if (t && (atParam === null ? !t.isExpired : t.exp > at)) {
      claims = { sub: t.accountId || t.clientId, client_id: t.clientId, scope: t.scope, cnf: {
        ...(t.jkt ? { jkt: t.jkt } : {}), ...(t['x5t#S256'] ? { 'x5t#S256': t['x5t#S256'] } : {}) } };
    }
  }
  const jkt = claims?.cnf?.jkt;
  if (claims && jkt && scheme !== 'dpop') claims = null;       // a bound token is no bearer token
  // RFC 8705 section 3: a token bound to a certificate only with a TLS connection made with it.
  const boundCert = claims?.cnf?.['x5t#S256'];
  const presented = peerCertificate(req.socket);
  if (claims && boundCert && (!presented || x5t(presented) !== boundCert)) {
    unauthorized(res, 'Bearer', 'invalid_token');
    return;
  }
  if (claims && scheme === 'dpop') {
    const error = jkt ? await checkProof(req, token, jkt) : 'the token is not DPoP-bound';
    if (error === 'use_dpop_nonce') {
      stats.rs_nonce_challenges += 1;
      unauthorized(res, 'DPoP', 'use_dpop_nonce', { 'DPoP-Nonce': state.rs_nonce });
      return;
    }
    if (error) {
      console.error(`oidc: whoami: ${error}`);
      unauthorized(res, 'DPoP', 'invalid_dpop_proof');
      return;
    }
  }
  if (!claims) {
    unauthorized(res, scheme === 'dpop' ? 'DPoP' : 'Bearer', 'invalid_token');
    return;
  }
  reply(res, 200, {
    sub: claims.sub, client_id: claims.client_id, scope: claims.scope, exp: claims.exp, jkt: jkt || null,
    method: req.method, x5t: boundCert || null,
  });
}

function reply(res, status, body) {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

async function control(req, res) {
  let body = '';
  for await (const chunk of req) body += chunk;
  const cmd = JSON.parse(body || '{}');
  if ('approve' in cmd) state.approve = !!cmd.approve;
  if ('id_token' in cmd) state.id_token = cmd.id_token;
  if ('id_token_key' in cmd) state.id_token_key = cmd.id_token_key;
  if (cmd.user) state.user = String(cmd.user);
  if ('rs_nonce' in cmd) state.rs_nonce = cmd.rs_nonce;
  reply(res, 200, state);
}

const callback = provider.callback();
server.on('request', (req, res) => {
  const asked = req.url.split('?')[0];
  count('requests', `${req.method} ${asked.replace(/^\/(interaction|auth)\/.+/, '/$1/:uid')}`);
  // The mTLS aliases are the same endpoints (the counters tell them apart).
  if (tlsDir && asked.startsWith('/mtls/')) req.url = req.url.slice('/mtls'.length);
  const path = req.url.split('?')[0];
  if (path === '/token' && req.method === 'POST') {
    stats.token_requests += 1;
    if (req.headers.dpop) stats.dpop_token_requests += 1;
    if (state.id_token || state.id_token_key) spoilTokenResponse(res);
  }
  let handler = null;
  if (path.startsWith('/interaction/')) handler = interaction;
  else if (path.startsWith('/api/whoami')) handler = whoami;
  else if (path === '/_control' && req.method === 'POST') handler = control;
  else if (path === '/_stats') handler = async (rq, rs) => reply(rs, 200, stats);
  else if (path === '/jwks' && state.rotated) {
    handler = async (rq, rs) => reply(rs, 200, { keys: [publicJwk(publicKey, 'test-key', 'RS256'),
      publicJwk(rotatedKey.publicKey, 'test-key-2', 'ES256')] });
  }
  if (!handler) {
    callback(req, res);
    return;
  }
  handler(req, res).catch((err) => {
    console.error(`oidc: ${path}: ${err.message}`);
    if (!res.headersSent) reply(res, 500, { error: 'server_error' });
  });
});

if (opts['port-file']) {
  fs.writeFileSync(`${opts['port-file']}.tmp`, `${port}\n`);
  fs.renameSync(`${opts['port-file']}.tmp`, opts['port-file']);
}
console.log(port);
process.on('SIGTERM', () => { server.close(); process.exit(0); });
