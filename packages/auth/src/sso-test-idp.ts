import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";

/** A person at the test IdP: the login typed on its page is the key, `sub` is the login. */
export type IdpAccount = { email: string; email_verified?: boolean; name?: string; groups?: string[] };

/**
 * A real OIDC provider (panva's oidc-provider) on 127.0.0.1, with its development login page
 * (any password), one confidential client and consent granted without asking: tests drive the
 * login page as a browser would. Not for production: development keys, plain http.
 */
export async function startTestIdp(options: {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  accounts: Record<string, IdpAccount>;
}) {
  let handler: ((req: never, res: never) => void) | undefined;
  const server = createServer((req, res) => (handler as (a: typeof req, b: typeof res) => void)(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        redirect_uris: options.redirectUris,
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    claims: { openid: ["sub", "groups"], email: ["email", "email_verified"], profile: ["name"] },
    cookies: { keys: ["consentry-test-idp-cookie-key"] },
    features: { devInteractions: { enabled: true } },
    async findAccount(_ctx: unknown, id: string) {
      const account = options.accounts[id];
      if (!account) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...account }) };
    },
    // Consent is not what the tests are about: every scope is granted at once.
    async loadExistingGrant(ctx: {
      oidc: {
        client: { clientId: string };
        session: { accountId: string; grantIdFor(clientId: string): string | undefined };
        provider: InstanceType<typeof Provider>;
      };
    }) {
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope("openid email profile");
      await grant.save();
      return grant;
    },
  });
  handler = provider.callback() as typeof handler;
  return {
    issuer,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
