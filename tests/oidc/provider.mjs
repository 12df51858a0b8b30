// A real OpenID Connect provider (node-oidc-provider) for the sign-in tests.
//
// Settings come from the environment: OIDC_PORT, OIDC_ISSUER, and OIDC_CLIENTS (a JSON list
// of {client_id, client_secret, redirect_uris}). There is no login form: the interaction
// signs in the account named last by GET /__login?sub=...&email=...&email_verified=true|false
// (a test's way of saying who is at the keyboard) and grants the scopes asked for.
import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT);
const issuer = process.env.OIDC_ISSUER || `http://127.0.0.1:${port}`;
const clients = JSON.parse(process.env.OIDC_CLIENTS || '[]').map((client) => ({
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic',
  ...client,
}));

const accounts = new Map();
let current = null;

const provider = new Provider(issuer, {
  clients,
  claims: { openid: ['sub'], email: ['email', 'email_verified'] },
  scopes: ['openid', 'email'],
  conformIdTokenClaims: false, // e-mail in the ID token, as Google, Entra and Keycloak do
  cookies: { keys: ['test-provider-cookie-key'] },
  pkce: { required: () => true },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    const account = accounts.get(id);
    if (!account) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...account }) };
  },
});
provider.proxy = false;

provider.use(async (ctx, next) => {
  if (ctx.path === '/__login') {
    const { sub, email, email_verified: verified } = ctx.query;
    accounts.set(sub, { email, email_verified: verified === 'true' });
    current = sub;
    ctx.body = { sub };
    return;
  }
  if (!ctx.path.startsWith('/interaction/')) {
    await next();
    return;
  }
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  const { prompt, params, session } = details;
  let result;
  if (prompt.name === 'login') {
    if (!current) {
      ctx.status = 400;
      ctx.body = 'no account: call /__login first';
      return;
    }
    result = { login: { accountId: current } };
  } else {
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
    if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
    result = { consent: { grantId: await grant.save() } };
  }
  ctx.redirect(await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: true }));
});

provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
