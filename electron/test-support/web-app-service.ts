/**
 * TEST SUPPORT: the app service as the browser mode wires it (web/main.ts), for tests: a
 * settings store in `userData`, a server host whose children run host-core in-process with
 * `engine` (fakeFork), its log and unexpected exits handed to the service, and AppInfo of a
 * Linux web transport. The rest of AppServiceDeps may be given; by default no interfaces,
 * port 1 suggested, nothing opened.
 */
import { createAppService, type AppService, type AppServiceDeps } from '../app-service';
import { createServerHost } from '../server-host';
import { openSettingsStore } from '../settings-store';
import { fakeFork, type FakeEngine } from './fake-host-process';

export async function webAppService(
  opts: { engine: FakeEngine; userData: string; suggestedFolder: string } & Pick<AppServiceDeps, 'emit'> & Partial<Omit<AppServiceDeps, 'store' | 'host' | 'info' | 'emit'>>,
): Promise<AppService> {
  const { engine, userData, suggestedFolder, ...deps } = opts;
  const store = await openSettingsStore({ dir: userData });
  let svc: AppService | null = null;
  const host = createServerHost({
    fork: fakeFork(engine),
    entryPath: 'host.cjs',
    onLog: (b) => svc?.acceptLog(b),
    onUnexpectedExit: (c) => svc?.hostExited(c),
  });
  svc = createAppService({
    store,
    host,
    info: { transport: 'web', version: '0', platform: 'linux', suggestedFolder },
    openExternal: async () => {},
    listInterfaces: () => [],
    suggestPort: async () => 1,
    ...deps,
  });
  return svc;
}
