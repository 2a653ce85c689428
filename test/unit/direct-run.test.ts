import { describe, expect, it } from 'vitest';
import { directRun } from '../../src/cli/direct-run.js';

describe('directRun: the plain forms of run NAME that MCP clients start', () => {
  it.each([
    [['run', 'notes'], { server: 'notes' }],
    [['run', 'notes', '--no-masking'], { server: 'notes', masking: false }],
    [['run', '--no-masking', 'notes'], { server: 'notes', masking: false }],
    [['run', 'notes', '--config', '/etc/mcp.json'], { server: 'notes', config: '/etc/mcp.json' }],
    [['--config', 'c.json', 'run', 'notes'], { server: 'notes', config: 'c.json' }],
  ])('takes %j', (args, expected) => {
    expect(directRun(args)).toEqual(expected);
  });

  it.each([
    [['run']],
    [['run', '--help']],
    [['run', 'notes', '--help']],
    [['run', 'a', 'b']],
    [['run', 'notes', '--no-masking', '--no-masking']],
    [['run', 'notes', '--config']],
    [['run', 'notes', '--config', '--no-masking']],
    [['run', 'notes', '--config=c.json']],
    [['--config', 'a.json', 'run', 'notes', '--config', 'b.json']],
    [['--token-backend', 'vault', 'run', 'notes']],
    [['run', 'notes', '--token-backend', 'vault']],
    [['exec', '--', 'run', 'notes']],
    [['run', '--', 'notes']],
  ])('leaves %j to the full parser', (args) => {
    expect(directRun(args)).toBeUndefined();
  });
});
