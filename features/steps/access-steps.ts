import { Given, Then, When } from '@cucumber/cucumber';
import { CaseFailure } from '../../conformance/framework/index.ts';
import { decodeJwt, verifyJwt } from '../../conformance/server/crypto/json-web-token.ts';
import { bodyOf, expectStatus } from '../../conformance/server/server-case.ts';
import type { Principal } from '../../conformance/server/subject/test-principals.ts';
import { ReleaseHistory } from '../../conformance/server/subject/update-checks.ts';
import type { PlatformWorld } from '../support/platform-world.ts';

/** Steps of permissions (server side), app tokens and the isolation of users between apps. */

async function releasedAppDeclaring(w: PlatformWorld, permissions?: Record<string, string>) {
  const partner = await w.world.partner(w.scope);
  const history = new ReleaseHistory(await w.world.freshApp(w.scope, 'acc', partner));
  const version = await w.world.approvedVersion(w.scope, history.app, {
    versionCode: 1,
    ...(permissions ? { permissions } : {}),
  });
  history.versions.set(1, version);
  history.add(await w.world.release(w.scope, version));
  return history;
}

Given(
  'a released app declaring the {word} permission',
  async function (this: PlatformWorld, permission: string) {
    this.history = await releasedAppDeclaring(this, {
      [permission]: `The app needs ${permission}.`,
    });
  },
);

Given('two released apps', async function (this: PlatformWorld) {
  this.history = await releasedAppDeclaring(this);
  this.noted.set('other app', await releasedAppDeclaring(this));
});

Given('a test user of the host', async function (this: PlatformWorld) {
  this.noted.set('user', await this.world.user(this.scope));
});

Given('another test user of the host', async function (this: PlatformWorld) {
  this.noted.set('second user', await this.world.user(this.scope, 'second'));
});

function user(w: PlatformWorld, which = 'user'): Principal {
  const p = w.noted.get(which) as Principal | undefined;
  if (!p) throw new Error(`the scenario has no ${which}`);
  return p;
}

async function appToken(w: PlatformWorld, who: Principal, appId: string, scopes: string[]) {
  return w.send({
    method: 'POST',
    path: '/v1/tokens/app',
    token: who.credential,
    json: { appId, scopes },
  });
}

When(
  'the user asks for an app token with the scope {word}',
  async function (this: PlatformWorld, scope: string) {
    this.last = await appToken(this, user(this), this.requireHistory().app.appId, [scope]);
  },
);

Then(
  'the token is issued with exactly the scope {word}',
  async function (this: PlatformWorld, scope: string) {
    const issued = bodyOf<{ accessToken: string }>(this.last as never, 201);
    const claims = decodeJwt(issued.accessToken)?.claims;
    if (claims?.scope !== scope)
      throw new CaseFailure(`the token's scope is ${JSON.stringify(claims?.scope)}`);
  },
);

Then(
  'the token is signed with EdDSA or ES256 by a key the JWKS publishes under its kid',
  async function (this: PlatformWorld) {
    const issued = bodyOf<{ accessToken: string }>(this.last as never, 201);
    const jwt = decodeJwt(issued.accessToken);
    if (!jwt) throw new CaseFailure('the accessToken is not a compact JWS of JSON');
    if (jwt.header.alg !== 'EdDSA' && jwt.header.alg !== 'ES256')
      throw new CaseFailure(`the token is signed with ${String(jwt.header.alg)}`);
    const jwks = bodyOf<{ keys: Record<string, unknown>[] }>(
      await this.send({ path: '/.well-known/jwks.json' }),
    );
    const problem = await verifyJwt(jwt, jwks.keys);
    if (problem) throw new CaseFailure(problem);
  },
);

async function subjectOf(w: PlatformWorld, who: Principal, appId: string): Promise<unknown> {
  const issued = bodyOf<{ accessToken: string }>(await appToken(w, who, appId, []), 201);
  return decodeJwt(issued.accessToken)?.claims.sub;
}

Then(
  'the user is known to the two apps under different subjects',
  async function (this: PlatformWorld) {
    const other = this.noted.get('other app') as ReleaseHistory;
    const a = await subjectOf(this, user(this), this.requireHistory().app.appId);
    const b = await subjectOf(this, user(this), other.app.appId);
    if (a === b) throw new CaseFailure(`one user has the subject ${String(a)} in two apps`);
  },
);

Then('the user is known to one app under one stable subject', async function (this: PlatformWorld) {
  const appId = this.requireHistory().app.appId;
  const a = await subjectOf(this, user(this), appId);
  const b = await subjectOf(this, user(this), appId);
  if (a !== b)
    throw new CaseFailure(`two tokens of one user for one app name ${String(a)} and ${String(b)}`);
});

Then(
  'two users of one app are known under different subjects',
  async function (this: PlatformWorld) {
    const appId = this.requireHistory().app.appId;
    const a = await subjectOf(this, user(this), appId);
    const b = await subjectOf(this, user(this, 'second user'), appId);
    if (a === b) throw new CaseFailure(`two users share the subject ${String(a)}`);
  },
);

When(
  'an admin allows the partner the restricted permission {word}',
  async function (this: PlatformWorld, permission: string) {
    const partner = this.partner;
    if (!partner) throw new Error('the scenario has no partner');
    expectStatus(
      await this.send({
        method: 'PUT',
        path: `/v1/admin/partners/${partner.partnerId}/restricted-permissions`,
        token: this.subject.adminToken,
        json: { permissions: [permission] },
      }),
      200,
    );
  },
);
