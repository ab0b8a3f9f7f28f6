import { describe, expect, it } from 'vitest';
import { CurlParseError, parseCurl } from '../../src/scenario/curl.js';

describe('parseCurl', () => {
  it('parses the seed request', () => {
    expect(parseCurl('http://knservice.default.example.com')).toEqual({
      url: 'http://knservice.default.example.com/',
      method: 'GET',
      headers: {},
      host: 'knservice.default.example.com',
      port: 80,
      path: '/',
      scheme: 'http',
      flags: { silent: false, verbose: false, includeHeaders: false },
      resolve: [],
      argv: ['http://knservice.default.example.com'],
      text: 'curl http://knservice.default.example.com',
    });
  });

  it('takes the host from a Host header', () => {
    const c = parseCurl(`curl -H 'Host: knservice.default.example.com' http://127.0.0.1:8080/hello?x=1`);
    expect(c).toMatchObject({
      host: 'knservice.default.example.com',
      port: 8080,
      path: '/hello?x=1',
      headers: { Host: 'knservice.default.example.com' },
    });
    expect(parseCurl('-H "host: a.b.c:80" http://1.2.3.4').host).toBe('a.b.c');
  });

  it('parses methods, data and flags', () => {
    expect(parseCurl('-X post http://x.example.com')).toMatchObject({ method: 'POST' });
    expect(parseCurl(`-d '{"a":1}' http://x.example.com`)).toMatchObject({ method: 'POST', body: '{"a":1}' });
    expect(parseCurl('--request PUT --data hi http://x.example.com')).toMatchObject({ method: 'PUT', body: 'hi' });
    expect(parseCurl('-sv -i -m 2.5 http://x.example.com').flags).toEqual({
      silent: true,
      verbose: true,
      includeHeaders: true,
      maxTimeMs: 2500,
    });
    expect(parseCurl('--silent --verbose --include --max-time 10 x.example.com').flags).toEqual({
      silent: true,
      verbose: true,
      includeHeaders: true,
      maxTimeMs: 10_000,
    });
    expect(
      parseCurl('--resolve knservice.default.example.com:80:127.0.0.1 http://knservice.default.example.com').resolve,
    ).toEqual([{ host: 'knservice.default.example.com', port: 80, address: '127.0.0.1' }]);
    expect(parseCurl(`-s -o /dev/null -w '%{http_code}' https://x.example.com`)).toMatchObject({
      output: '/dev/null',
      writeOut: '%{http_code}',
      port: 443,
      scheme: 'https',
    });
  });

  it('adds http:// when the scheme is missing', () => {
    expect(parseCurl('knservice.default.example.com/a').url).toBe('http://knservice.default.example.com/a');
  });

  it.each([
    ['', 'curl: no URL specified'],
    ['-s', 'curl: no URL specified'],
    ['http://a.com http://b.com', 'curl: only one URL per step is supported, got 2: http://a.com http://b.com'],
    ['http://exa[mple.com', 'curl: (3) URL rejected: Malformed input to a URL function: "http://exa[mple.com"'],
    ['ftp://x.com', 'curl: (1) Protocol "ftp" not supported (use http or https)'],
    ['--foo http://x.com', 'curl: option --foo: is unknown'],
    ['--heder "a: b" http://x.com', 'curl: option --heder: is unknown (did you mean --header?)'],
    ['-Z http://x.com', 'curl: option -Z: is unknown'],
    ['http://x.com -H', 'curl: option -H: requires parameter'],
    ['-H nocolon http://x.com', 'curl: option -H: header "nocolon" must be "Name: value"'],
    ['-m soon http://x.com', 'curl: option -m: expected a proper numerical parameter (seconds), got "soon"'],
    ['--resolve x:80 http://x.com', 'curl: option --resolve: expected host:port:address, got "x:80"'],
    ['"http://x.com', 'curl: unterminated double quote at column 1'],
  ])('rejects %j', (line, message) => {
    let err: unknown;
    try {
      parseCurl(line);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CurlParseError);
    expect((err as Error).message).toBe(message);
  });
});
