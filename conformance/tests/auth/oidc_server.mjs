// An OAuth 2.1 / OpenID Connect authorization server for the end-to-end auth tests:
// oidc-provider (an OpenID Certified implementation, from npm) on 127.0.0.1, issuing
// JWT access tokens (RS256) for one MCP resource (RFC 8707 resource indicators), with
// dynamic client registration, PKCE and refresh tokens. The login and consent
// interaction approves at once, as user "alice", every scope the client asked for: the
// test's HTTP client plays the browser (it keeps cookies and follows redirects).
//
// Usage: NODE_CACHE=<dir> [ACCESS_TOKEN_TTL=<s>] node oidc_server.mjs <resource-url> [port]
// NODE_CACHE names the folder scripts/setup-node.sh installed oidc-provider into (its
// node_modules is not next to this file). Prints one line `ISSUER <url>` on stdout once it
// listens; logs go to stderr.
import http from 'node:http';
import crypto from 'node:crypto';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';

const cache = process.env.NODE_CACHE;
if (!cache) {
  console.error('NODE_CACHE must name the folder scripts/setup-node.sh installed into');
  process.exit(2);
}
const entry = path.join(cache, 'node_modules', 'oidc-provider', 'lib', 'index.js');
const { default: Provider } = await import(pathToFileURL(entry).href);

const [resource, portArg] = process.argv.slice(2);
if (!resource) {
  console.error('usage: node oidc_server.mjs <resource-url> [port]');
  process.exit(2);
}
const SCOPES = ['notes:read', 'notes:write', 'notes:admin'];
// ACCESS_TOKEN_TTL (seconds) shortens the access tokens' life, for refresh tests.
const ACCESS_TTL = Number(process.env.ACCESS_TOKEN_TTL || 3600);

const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key-1', use: 'sig', alg: 'RS256' };

const server = http.createServer();
await new Promise((resolve) => server.listen(Number(portArg || 0), '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  jwks: { keys: [jwk] },
  scopes: ['openid', 'offline_access', ...SCOPES],
  claims: { openid: ['sub'] },
  features: {
    devInteractions: { enabled: false },
    registration: { enabled: true },
    revocation: { enabled: true },
    introspection: { enabled: true },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => resource,
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx, indicator) => {
        if (indicator !== resource) {
          throw new Provider.errors.InvalidTarget(`unknown resource ${indicator}`);
        }
        return {
          scope: SCOPES.join(' '),
          audience: resource,
          accessTokenTTL: ACCESS_TTL,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        };
      },
    },
  },
  pkce: { required: () => true },
  issueRefreshToken: (ctx, client) => client.grantTypeAllowed('refresh_token'),
  findAccount: (ctx, sub) => ({ accountId: sub, claims: () => ({ sub }) }),
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  clientDefaults: {
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
  },
  ttl: { AccessToken: ACCESS_TTL, AuthorizationCode: 60, RefreshToken: 86400, Grant: 86400, Interaction: 600, Session: 86400 },
});
provider.proxy = false;

// Approve the interaction at once: alice logs in and grants what the client asked for.
async function approve(req, res) {
  const details = await provider.interactionDetails(req, res);
  if (process.env.OIDC_DEBUG) console.error("prompt", JSON.stringify(details.prompt), JSON.stringify(details.params));
  const { params, session } = details;
  const accountId = session?.accountId ?? 'alice';
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId, clientId: params.client_id });
  const asked = String(params.scope || '').split(' ').filter(Boolean);
  // The resource's scopes are also listed as the provider's own (`scopes`, so that the
  // discovery document names them): grant them both ways.
  if (asked.length) grant.addOIDCScope(asked.join(' '));
  const forResource = asked.filter((s) => SCOPES.includes(s));
  if (forResource.length) grant.addResourceScope(resource, forResource.join(' '));
  const grantId = await grant.save();
  await provider.interactionFinished(
    req,
    res,
    { login: { accountId }, consent: { grantId } },
    { mergeWithLastSubmission: false },
  );
}

// A client registers with the scopes of its first challenge (the Python SDK does), and
// oidc-provider would then refuse it any other: this server lets every registered client
// ask for any scope it supports, so a later step-up can be granted. `scope` is dropped
// from registration requests.
async function withoutScope(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  let body = Buffer.concat(chunks);
  try {
    const json = JSON.parse(body.toString('utf8'));
    delete json.scope;
    body = Buffer.from(JSON.stringify(json));
  } catch {
    // not JSON: oidc-provider answers it
  }
  const copy = Readable.from([body]);
  copy.method = req.method;
  copy.url = req.url;
  copy.headers = { ...req.headers, 'content-length': String(body.length) };
  copy.httpVersion = req.httpVersion;
  copy.httpVersionMajor = req.httpVersionMajor;
  copy.httpVersionMinor = req.httpVersionMinor;
  copy.socket = req.socket;
  copy.connection = req.socket;
  return copy;
}

const callback = provider.callback();
server.on('request', (req, res) => {
  if (req.method === 'POST' && req.url.split('?')[0] === '/reg') {
    withoutScope(req).then((copy) => callback(copy, res)).catch((e) => {
      res.statusCode = 500;
      res.end(String(e));
    });
    return;
  }
  if (req.url.startsWith('/interaction/')) {
    approve(req, res).catch((e) => {
      console.error('interaction failed:', e);
      res.statusCode = 500;
      res.end(String(e));
    });
    return;
  }
  callback(req, res);
});
provider.on('server_error', (ctx, err) => console.error('server_error', err));
// One line per token issued, for the tests to count: `GRANT <grant_type> <client_id>`.
provider.on('grant.success', (ctx) => {
  console.error(`GRANT ${ctx.oidc.params.grant_type} ${ctx.oidc.client?.clientId}`);
});
provider.on('grant.error', (ctx, err) => console.error(`GRANT_ERROR ${err.message} ${err.error_description ?? ''}`));
process.stdout.write(`ISSUER ${issuer}\n`);
