/**
 * Parsing of curl command lines used in scenarios. Only what a learner types to reach a
 * Knative service is supported; anything else is an error in curl's words.
 */
import { CommandLineError, didYouMean, quoteWord, splitCommandLine } from './shell.js';

export interface CurlFlags {
  silent: boolean;
  verbose: boolean;
  includeHeaders: boolean;
  /** -S/--show-error: errors are shown even with -s. */
  showError?: boolean;
  /** -m/--max-time, converted to ms (0: no limit, as curl takes it). */
  maxTimeMs?: number;
}

export interface CurlResolve {
  host: string;
  port: number;
  address: string;
}

export interface CurlCommand {
  /** The URL as normalised by WHATWG URL (scheme added when missing). */
  url: string;
  method: string;
  /** Headers as given, names in their original case (last one wins). */
  headers: Record<string, string>;
  body?: string;
  /** Host the request is for: the Host header (without port) if given, else the URL host name. */
  host: string;
  /** Port of the URL (80/443 when not written). */
  port: number;
  /** Path plus query string, e.g. `/` or `/api?x=1`. */
  path: string;
  scheme: 'http' | 'https';
  flags: CurlFlags;
  /** --resolve entries, recorded only. */
  resolve: CurlResolve[];
  /** -o/--output, recorded (e.g. /dev/null). */
  output?: string;
  /** -w/--write-out, recorded. */
  writeOut?: string;
  /** The words after `curl`. */
  argv: string[];
  /** The command as it would be typed, starting with `curl `. */
  text: string;
}

export class CurlParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CurlParseError';
  }
}

type Opt =
  | 'header'
  | 'request'
  | 'data'
  | 'silent'
  | 'verbose'
  | 'include'
  | 'max-time'
  | 'resolve'
  | 'output'
  | 'write-out'
  | 'location'
  | 'show-error'
  | 'fail'
  | 'head';

const LONG: Record<string, Opt> = {
  header: 'header',
  request: 'request',
  data: 'data',
  'data-raw': 'data',
  'data-binary': 'data',
  'data-ascii': 'data',
  silent: 'silent',
  verbose: 'verbose',
  include: 'include',
  'max-time': 'max-time',
  resolve: 'resolve',
  output: 'output',
  'write-out': 'write-out',
  location: 'location',
  'show-error': 'show-error',
  fail: 'fail',
  head: 'head',
};
const SHORT: Record<string, Opt> = {
  H: 'header',
  X: 'request',
  d: 'data',
  s: 'silent',
  v: 'verbose',
  i: 'include',
  m: 'max-time',
  o: 'output',
  w: 'write-out',
  L: 'location',
  S: 'show-error',
  f: 'fail',
  I: 'head',
};
const TAKES_VALUE = new Set<Opt>(['header', 'request', 'data', 'max-time', 'resolve', 'output', 'write-out']);

function fail(msg: string): never {
  throw new CurlParseError(`curl: ${msg}`);
}

/** Parse a curl command line (with or without the leading `curl`). Throws CurlParseError. */
export function parseCurl(commandLine: string): CurlCommand {
  let words: string[];
  try {
    words = splitCommandLine(commandLine);
  } catch (e) {
    if (e instanceof CommandLineError) fail(e.message);
    throw e;
  }
  if (words[0] === 'curl') words = words.slice(1);
  const headers: Record<string, string> = {};
  const resolve: CurlResolve[] = [];
  const urls: string[] = [];
  let method: string | undefined;
  let body: string | undefined;
  let output: string | undefined;
  let writeOut: string | undefined;
  let head = false;
  const flags: CurlFlags = { silent: false, verbose: false, includeHeaders: false };

  const apply = (opt: Opt, value: string | undefined, shown: string) => {
    switch (opt) {
      case 'header': {
        const v = value!;
        const colon = v.indexOf(':');
        if (colon <= 0) fail(`option ${shown}: header "${v}" must be "Name: value"`);
        const name = v.slice(0, colon).trim();
        const val = v.slice(colon + 1).trim();
        for (const k of Object.keys(headers)) if (k.toLowerCase() === name.toLowerCase()) delete headers[k];
        headers[name] = val;
        break;
      }
      case 'request':
        if (!/^[A-Za-z]+$/.test(value!)) fail(`option ${shown}: "${value}" is not an HTTP method`);
        method = value!.toUpperCase();
        break;
      case 'data':
        body = body === undefined ? value! : `${body}&${value!}`;
        break;
      case 'silent':
        flags.silent = true;
        break;
      case 'verbose':
        flags.verbose = true;
        break;
      case 'include':
        flags.includeHeaders = true;
        break;
      case 'max-time': {
        const secs = Number(value);
        if (value!.trim() === '' || !Number.isFinite(secs) || secs < 0) {
          fail(`option ${shown}: expected a proper numerical parameter (seconds), got "${value}"`);
        }
        flags.maxTimeMs = Math.round(secs * 1000);
        break;
      }
      case 'resolve': {
        const m = /^([^:]+):(\d+):(.+)$/.exec(value!);
        if (!m) fail(`option ${shown}: expected host:port:address, got "${value}"`);
        resolve.push({ host: m[1]!, port: Number(m[2]), address: m[3]!.replace(/^\[(.*)\]$/, '$1') });
        break;
      }
      case 'output':
        output = value!;
        break;
      case 'write-out':
        writeOut = value!;
        break;
      case 'head':
        head = true;
        break;
      case 'show-error':
        flags.showError = true;
        break;
      case 'location':
      case 'fail':
        break;
    }
  };

  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w.startsWith('--') && w.length > 2) {
      const name = w.slice(2);
      const opt = LONG[name];
      if (!opt) {
        const hint = didYouMean(name, Object.keys(LONG));
        fail(`option ${w}: is unknown${hint ? ` (did you mean --${hint}?)` : ''}`);
      }
      let value: string | undefined;
      if (TAKES_VALUE.has(opt)) {
        value = words[++i];
        if (value === undefined) fail(`option ${w}: requires parameter`);
      }
      apply(opt, value, w);
      continue;
    }
    if (w.startsWith('-') && w.length > 1) {
      for (let j = 1; j < w.length; j++) {
        const ch = w[j]!;
        const opt = SHORT[ch];
        if (!opt) fail(`option -${ch}: is unknown`);
        if (TAKES_VALUE.has(opt)) {
          let value = w.slice(j + 1);
          if (value === '') {
            const next = words[++i];
            if (next === undefined) fail(`option -${ch}: requires parameter`);
            value = next;
          }
          apply(opt, value, `-${ch}`);
          break;
        }
        apply(opt, undefined, `-${ch}`);
      }
      continue;
    }
    urls.push(w);
  }
  if (urls.length === 0) fail('no URL specified');
  if (urls.length > 1) fail(`only one URL per step is supported, got ${urls.length}: ${urls.join(' ')}`);
  const raw = urls[0]!;
  const withScheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(raw) ? raw : `http://${raw}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    fail(`(3) URL rejected: Malformed input to a URL function: "${raw}"`);
  }
  const scheme = u.protocol.replace(/:$/, '');
  if (scheme !== 'http' && scheme !== 'https') fail(`(1) Protocol "${scheme}" not supported (use http or https)`);
  if (u.hostname === '') fail(`(3) URL rejected: No host part in the URL "${raw}"`);
  const hostHeader = Object.entries(headers).find(([k]) => k.toLowerCase() === 'host')?.[1];
  let host = u.hostname;
  if (hostHeader !== undefined) {
    if (hostHeader === '') fail('option -H: empty Host header');
    host = hostHeader.replace(/:\d+$/, '');
  }
  const port = u.port !== '' ? Number(u.port) : scheme === 'https' ? 443 : 80;
  const finalMethod = method ?? (head ? 'HEAD' : body !== undefined ? 'POST' : 'GET');
  const argv = words;
  return {
    url: u.toString(),
    method: finalMethod,
    headers,
    ...(body !== undefined ? { body } : {}),
    host,
    port,
    path: `${u.pathname}${u.search}`,
    scheme,
    flags,
    resolve,
    ...(output !== undefined ? { output } : {}),
    ...(writeOut !== undefined ? { writeOut } : {}),
    argv,
    text: `curl ${argv.map(quoteWord).join(' ')}`,
  };
}
