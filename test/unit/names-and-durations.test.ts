import { describe, expect, it } from 'vitest';
import { validateIdentifier } from '../../src/tokens/names.js';
import { parseDuration, parseExpiry } from '../../src/tokens/duration.js';
import { parseTokenType } from '../../src/tokens/model.js';

describe('validateIdentifier', () => {
  it.each(['my-server', 'openai', 'custom-team', 'a.b_c@d+e', 'ключ', '東京-api', 'x'.repeat(128)])('accepts %s', (name) => {
    expect(validateIdentifier('name', name)).toBe(name);
  });

  it.each([
    ['', /must not be empty/],
    ['a/b', /'\/' is not allowed/],
    ['a\\b', /'\\' is not allowed/],
    ['ns:name', /':' is not allowed/],
    ['has space', /whitespace is not allowed/],
    ['tab\there', /control character/],
    ['bell\u0007', /control character/],
    ['..', /invalid token name/],
    ['${x}', /not allowed/],
    ['x'.repeat(129), /longer than 128 characters/],
  ])('rejects %j', (name, message) => {
    expect(() => validateIdentifier('name', name)).toThrow(message);
  });

  it('the hint for a refused name says that letters of any script work, as they do', () => {
    let hint: string | undefined;
    try {
      validateIdentifier('name', 'a/b');
    } catch (error) {
      hint = (error as { hint?: string }).hint;
    }
    expect(hint).toContain('letters of any script (café, 東京)');
    expect(hint).toContain('not whitespace or / \\ : { } $');
    for (const example of ['café', '東京']) expect(validateIdentifier('name', example)).toBe(example);
  });

  it('names the kind of identifier in the error', () => {
    expect(() => validateIdentifier('namespace', 'a/b')).toThrow(/invalid namespace/);
  });
});

describe('durations and expiry', () => {
  const now = new Date('2026-01-01T00:00:00Z');

  it('parses durations', () => {
    expect(parseDuration('90d')).toBe(90 * 86_400_000);
    expect(parseDuration('12h')).toBe(12 * 3_600_000);
    expect(parseDuration('2w')).toBe(14 * 86_400_000);
    expect(parseDuration('soon')).toBeUndefined();
  });

  it('takes a duration from now or an ISO date', () => {
    expect(parseExpiry('90d', now).toISOString()).toBe('2026-04-01T00:00:00.000Z');
    expect(parseExpiry('2027-01-31', now).toISOString()).toBe('2027-01-31T00:00:00.000Z');
    expect(parseExpiry('2027-01-31T12:30:00Z', now).toISOString()).toBe('2027-01-31T12:30:00.000Z');
  });

  it('rejects anything else with the accepted forms in the message', () => {
    expect(() => parseExpiry('next tuesday', now)).toThrow(/ISO date .* or a duration/);
    expect(() => parseExpiry('2027-13-45', now)).toThrow(/invalid --expires/);
  });

  it.each([
    ['2027-02-30', 'February 2027 has 28 days'],
    ['2028-02-30', 'February 2028 has 29 days'],
    ['2027-02-29', 'February 2027 has 28 days'],
    ['2027-04-31T12:00:00Z', 'April 2027 has 30 days'],
    ['2027-02-30 08:00', 'February 2027 has 28 days'],
    ['2027-01-00', 'there is no day 0'],
    ['2027-00-10', 'there is no month 0'],
    ['2027-01-31T24:00:00Z', 'hours go up to 23'],
  ])('refuses the date that does not exist, %s, instead of moving it to the next month', (text, why) => {
    expect(() => parseExpiry(text, now)).toThrow(`invalid --expires ${JSON.stringify(text)}: ${why}`);
  });

  it('takes the days that exist, leap days included', () => {
    expect(parseExpiry('2028-02-29', now).toISOString()).toBe('2028-02-29T00:00:00.000Z');
    expect(parseExpiry('2027-12-31T23:59:59Z', now).toISOString()).toBe('2027-12-31T23:59:59.000Z');
  });

  it('refuses a duration or a date past 9999-12-31 with an error that names the limit', () => {
    for (const text of ['99999999d', '8000y', '9999999999999999999999w'])
      expect(() => parseExpiry(text, now)).toThrow(`invalid --expires ${JSON.stringify(text)}: it ends after 9999-12-31, the latest expiry mcp-cli stores`);
    expect(parseExpiry('9999-12-31', now).toISOString()).toBe('9999-12-31T00:00:00.000Z');
  });

  it('names the option it parses for', () => {
    expect(() => parseExpiry('2027-02-30', now, '--since')).toThrow('invalid --since "2027-02-30": February 2027 has 28 days');
  });

  it('accepts the spellings of token types users type', () => {
    expect(parseTokenType('api-key')).toBe('api-key');
    expect(parseTokenType('api_key')).toBe('api-key');
    expect(parseTokenType('Bearer')).toBe('bearer');
    expect(parseTokenType('password')).toBeUndefined();
  });
});
