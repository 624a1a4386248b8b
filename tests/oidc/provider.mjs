// A real OpenID Connect provider (the npm package oidc-provider) on 127.0.0.1 for the
// portal's sign-in tests. Started by tests/oidc_provider.py; prints {"issuer": ...} once
// it listens. Configured by environment variables:
//   OIDC_TEST_REDIRECT_URIS  comma-separated redirect URIs of the portal
//   OIDC_TEST_LOGOUT_URIS    comma-separated post-logout redirect URIs
//   OIDC_TEST_ACCOUNTS       JSON {login: {claims...}}: the people who can sign in
//   OIDC_TEST_CLIENTS        JSON [[client_id, client_secret], ...]
// The provider's own development login page asks a login (any password): a login that
// is not in OIDC_TEST_ACCOUNTS still signs in, with only its subject as claim.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import http from "node:http";
import Provider from "oidc-provider";

const list = (name) => (process.env[name] || "").split(",").filter(Boolean);
const accounts = JSON.parse(process.env.OIDC_TEST_ACCOUNTS || "{}");
const clients = JSON.parse(process.env.OIDC_TEST_CLIENTS || "[]");

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: "jwk" }), kid: randomBytes(8).toString("hex"), use: "sig", alg: "RS256" };

const server = http.createServer();
server.listen(0, "127.0.0.1", () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: clients.map(([client_id, client_secret]) => ({
      client_id,
      client_secret,
      redirect_uris: list("OIDC_TEST_REDIRECT_URIS"),
      post_logout_redirect_uris: list("OIDC_TEST_LOGOUT_URIS"),
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_post",
    })),
    jwks: { keys: [jwk] },
    cookies: { keys: [randomBytes(16).toString("hex")] },
    claims: {
      openid: ["sub"],
      email: ["email", "email_verified"],
      profile: ["given_name", "family_name", "name"],
      groups: ["groups"],
    },
    scopes: ["openid", "email", "profile", "groups", "offline_access"],
    features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
    pkce: { required: () => true },
    async findAccount(ctx, id) {
      return { accountId: id, async claims() { return { sub: id, ...(accounts[id] || {}) }; } };
    },
    // The portal is a first-party client: no consent screen after the login.
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope("openid email profile groups");
      await grant.save();
      return grant;
    },
  });
  provider.on("server_error", (ctx, error) => console.error(error));
  server.on("request", provider.callback());
  process.stdout.write(JSON.stringify({ issuer }) + "\n");
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
