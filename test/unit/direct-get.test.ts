import { describe, expect, it } from 'vitest';
import { directGet } from '../../src/cli/direct-get.js';

describe('directGet: the plain forms of token get --show-value', () => {
  it.each([
    [['token', 'get', 'gh', '--show-value'], { name: 'gh' }],
    [['token', 'get', '--show-value', 'gh'], { name: 'gh' }],
    [['token', 'get', 'gh', '--show-value', '--namespace', 'team'], { name: 'gh', namespace: 'team' }],
    [['token', 'get', '--namespace', 'team', 'gh', '--show-value'], { name: 'gh', namespace: 'team' }],
    [['token', 'get', 'srv', '--oauth', '--show-value'], { name: 'srv', oauth: true }],
  ])('takes %j', (args, expected) => {
    expect(directGet(args)).toEqual(expected);
  });

  it.each([
    [['token', 'get', 'gh']],
    [['token', 'get', '--show-value']],
    [['token', 'list', 'gh', '--show-value']],
    [['--token-backend', 'encrypted', 'token', 'get', 'gh', '--show-value']],
    [['token', 'get', 'gh', '--show-value', '--json']],
    [['token', 'get', 'gh', '--show-value', '--help']],
    [['token', 'get', 'gh', 'other', '--show-value']],
    [['token', 'get', 'gh', '--show-value', '--show-value']],
    [['token', 'get', 'gh', '--show-value', '--namespace']],
    [['token', 'get', 'gh', '--show-value', '--namespace', '--oauth']],
    [['token', 'get', 'gh', '--show-value', '--namespace=team']],
    [['token', 'get', 'gh', '--show-value', '--namespace', 'a', '--namespace', 'b']],
    [['token', 'get', '--', '-gh', '--show-value']],
  ])('leaves %j to the full parser', (args) => {
    expect(directGet(args)).toBeUndefined();
  });
});
