// A real OpenID Connect provider (panva's oidc-provider) for the sign-in tests, on loopback.
// Its development login and consent pages accept any login: the login typed becomes the
// subject (`sub`), and the e-mail claim is LOGIN@example.test unless OIDC_TEST_EMAILS maps it.
// Settings come from the environment; it prints "listening <issuer>" once ready.
import { generateKeyPair, exportJWK } from 'jose';
import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_TEST_PORT);
const issuer = `http://127.0.0.1:${port}`;
const emails = JSON.parse(process.env.OIDC_TEST_EMAILS || '{}');

const signingKey = async (kid) => {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
};

const jwk = await signingKey('test-signing-key');
const provider = new Provider(issuer, {
  clients: [{
    client_id: process.env.OIDC_TEST_CLIENT_ID,
    client_secret: process.env.OIDC_TEST_CLIENT_SECRET,
    redirect_uris: [process.env.OIDC_TEST_REDIRECT_URI],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'RS256',
  }],
  jwks: { keys: [jwk] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['given_name', 'family_name'] },
  // Claims in the ID token as well as from the userinfo endpoint.
  conformIdTokenClaims: false,
  findAccount: async (ctx, id) => ({
    accountId: id,
    claims: async () => ({
      sub: id,
      email: emails[id] || `${id}@example.test`,
      email_verified: true,
      given_name: 'Test',
      family_name: id,
    }),
  }),
  cookies: { keys: ['oidc-test-cookie-key'] },
});

// A key set with the provider's key id but another key: a relying party that trusts it sees
// the provider's genuine tokens as forged (the tests' "tampered token").
const impostor = await signingKey('test-signing-key');
const publicOnly = ({ kid, kty, n, e, alg, use }) => ({ kid, kty, n, e, alg, use });
provider.use(async (ctx, next) => {
  if (ctx.path === '/impostor/jwks') {
    ctx.body = { keys: [publicOnly(impostor)] };
    return;
  }
  await next();
});

provider.listen(port, '127.0.0.1', () => {
  console.log(`listening ${issuer}`);
});
