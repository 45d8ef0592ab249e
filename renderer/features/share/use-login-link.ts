/**
 * The address the sharing card hands out (QR code, Copy, Open) when the share has a
 * password: the address with a fresh one-time login key (`?key=...`, minted by the shell:
 * `password:login-key`), so a phone that follows it is logged in without typing. A key works
 * once and for 10 minutes, so a new one is minted every minute, after each copy or open, and
 * as soon as the log shows a phone logged in with one. Without a password: the address as is.
 * Runs in: the renderer.
 */
import { useContext, useEffect, useState } from 'react';
import { ApiContext } from '../../ui/app-context';

/** A key is renewed this often while the card is shown (it lasts 10 minutes). */
export const LOGIN_KEY_RENEW_MS = 60_000;

/** The log message of a login by a key (server/auth.ts). */
const KEY_LOGIN_MESSAGE = 'Logged in with a login link';

/**
 * `url` with `key` as its `key` query field (an older one replaced). Plain string work: the
 * WHATWG parser refuses an IPv6 zone (`http://[fe80::1%25eth0]:8000/`), which a link-local
 * address carries.
 */
export function withLoginKey(url: string, key: string): string {
  const hash = url.indexOf('#');
  const base = hash < 0 ? url : url.slice(0, hash);
  const q = base.indexOf('?');
  const fields = q < 0 ? [] : base.slice(q + 1).split('&').filter((f) => f !== '' && f !== 'key' && !f.startsWith('key='));
  return (q < 0 ? base : base.slice(0, q)) + '?' + [...fields, 'key=' + encodeURIComponent(key)].join('&');
}

export interface LoginLink {
  /** What to hand out: the address with a key, or the address alone (no password, or no key yet). */
  readonly link: string | null;
  /** True when `link` carries a key. */
  readonly hasKey: boolean;
  /** Mint a new key (after the current one was handed out). */
  readonly renew: () => void;
}

export function useLoginLink(url: string | null, needsKey: boolean, since: number): LoginLink {
  // The card drawn alone (its own tests) has no API: then there is nothing to mint with.
  const api = useContext(ApiContext);
  const [key, setKey] = useState<string | null>(null);
  const [round, setRound] = useState(0);

  useEffect(() => {
    if (api === null || url === null || !needsKey) {
      setKey(null);
      return;
    }
    let live = true;
    api.invoke['password:login-key']().then(
      (r) => live && setKey(r.ok ? r.value.key : null),
      () => live && setKey(null),
    );
    const t = setTimeout(() => setRound((n) => n + 1), LOGIN_KEY_RENEW_MS);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [api, url, needsKey, since, round]);

  useEffect(() => {
    if (api === null || !needsKey) return;
    // A phone used the key: the code on screen must not show a spent one. A batch lists each
    // of its distinct strings once, so looking there costs nothing per entry (a visitor who
    // sends that text as a header only makes the card renew its key, which is harmless).
    return api.on('log:batch', (batch) => {
      if (batch.columns.strings.includes(KEY_LOGIN_MESSAGE)) setRound((n) => n + 1);
    });
  }, [api, needsKey]);

  const withKey = url !== null && needsKey && key !== null ? withLoginKey(url, key) : null;
  return { link: withKey ?? url, hasKey: withKey !== null, renew: () => setRound((n) => n + 1) };
}
