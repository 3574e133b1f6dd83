import { CaseFailure, pass } from '../framework/index.ts';
import { expectSuccess, launchProbe } from '../bridge/host-bridge-support.ts';
import { hostCase } from '../host/host-case.ts';
import { probePages } from '../host/probe/probe-package.ts';

/** Subpackages at the host (spec/manifest.md, "Pages and subpackages") and the host API version it names. */

export const hostManifestCases = [
  hostCase({
    id: 'host.manifest.subpackage-from-verified-bytes',
    description:
      'A host loads a subpackage page from the verified package it installed, without downloading anything',
    requirements: ['MAN-040'],
    why: 'One digest covers every byte a host runs; a separate download would be code no signature covers.',
    async run(s) {
      const { appId } = await launchProbe(s);
      const before = s.server.requests.length;
      await s.probe(
        appId,
        '(p, page) => { setTimeout(() => { location.href = "../" + page; }, 50); return true; }',
        probePages.subpackage,
      );
      const deadline = Date.now() + 10_000;
      let page: string | null = null;
      while (Date.now() < deadline && page !== probePages.subpackage) {
        await new Promise((r) => setTimeout(r, 500));
        page =
          (
            await s.driver.inApp(appId, () =>
              s.driver.execute<string | null>(
                'return window.__openMiniAppProbe ? window.__openMiniAppProbe.page : null',
              ),
            )
          ).value ?? null;
      }
      if (page !== probePages.subpackage)
        throw new CaseFailure(
          `the subpackage page did not load (the frame shows ${page ?? 'no probe'})`,
        );
      const fetched = s.server.requests
        .slice(before)
        .filter((r) => !r.path.startsWith('/v1/analytics/') && r.path !== '/v1/updates/check');
      if (
        fetched.some((r) => r.path.startsWith('/v1/bundles/') || r.path.startsWith('/v1/releases/'))
      ) {
        throw new CaseFailure(
          `loading the subpackage downloaded ${fetched.map((r) => r.path).join(', ')}`,
        );
      }
      return pass();
    },
  }),
  hostCase({
    id: 'host.versioning.host-api-version',
    description:
      'A host names one host API version, MAJOR.MINOR.PATCH without pre-release or build, in init, host.getInfo and the init message',
    requirements: ['VER-015'],
    why: 'Mini-apps and servers compare this version numerically; any other form breaks the comparison.',
    async run(s) {
      const form = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;
      if (!form.test(s.hostApiVersion))
        throw new CaseFailure(`init answered hostApiVersion "${s.hostApiVersion}"`);
      const { appId } = await launchProbe(s);
      const info = expectSuccess(
        'host.getInfo',
        await s.call(appId, 'host.getInfo', {}),
        'host.getInfo',
      ) as { hostApiVersion?: string };
      if (info.hostApiVersion !== s.hostApiVersion) {
        throw new CaseFailure(
          `host.getInfo names ${info.hostApiVersion}, init named ${s.hostApiVersion}`,
        );
      }
      const inits = await s.probe<{ message: { hostApiVersion?: string } }[]>(
        appId,
        '(p) => p.inits',
      );
      for (const init of inits) {
        if (init.message.hostApiVersion !== s.hostApiVersion) {
          throw new CaseFailure(
            `the init message names ${init.message.hostApiVersion}, init named ${s.hostApiVersion}`,
          );
        }
      }
      return pass(s.hostApiVersion);
    },
  }),
];
