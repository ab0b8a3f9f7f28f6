/** Parsers for command-line values: a bad value is a one-line error naming the value. */
import { InvalidArgumentError } from 'commander';

export function parseSeed(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n > 2 ** 32) {
    throw new InvalidArgumentError(`expected a whole number from 0 to ${2 ** 32}, got "${value}"`);
  }
  return n;
}

export function parsePositiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a positive number, got "${value}"`);
  return n;
}

export function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 0 || n > 65535) {
    throw new InvalidArgumentError(`expected a port number from 0 to 65535, got "${value}"`);
  }
  return n;
}

/**
 * A namespace name: a DNS-1123 label, checked before anything talks to a cluster, in the words
 * the API server (and so kubectl) uses after `Invalid value: "Bad_NS": `. The double space in
 * "'my-name',  or" is Kubernetes' own (apimachinery's RegexError).
 */
export function parseNamespace(value: string): string {
  const problems: string[] = [];
  if (value.length > 63) problems.push('must be no more than 63 characters');
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(value)) {
    problems.push(
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    );
  }
  if (problems.length > 0) throw new InvalidArgumentError(problems.join(', '));
  return value;
}

/** A count for a limit flag (`--max-events 5e8`): a whole number of at least 1. */
export function parseCount(value: string): number {
  const n = Number(value.trim());
  if (value.trim() === '' || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError(`expected a whole number of at least 1 (e.g. 1000000 or 1e6), got "${value}"`);
  }
  return n;
}

/** The fastest `knsim serve` may run: beyond it the cluster could not keep up with the clock. */
export const MAX_SPEED = 10_000;

export function parseSpeed(value: string): number {
  const n = parsePositiveNumber(value);
  if (n > MAX_SPEED) throw new InvalidArgumentError(`expected a speed of at most ${MAX_SPEED}, got "${value}"`);
  return n;
}
