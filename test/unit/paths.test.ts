import { describe, expect, it } from 'vitest';
import { tokenStorageFrom } from '../../src/config/token-storage.js';
import { userInfo } from 'node:os';
import { accountHome, configDir, configDirSource, dataDir, ownConfigDir, stateDir, stateDirSource, tildePath } from '../../src/paths.js';

describe('base directories', () => {
  it('follow absolute XDG variables and ignore relative ones, as the XDG specification says', () => {
    expect(stateDir({ HOME: '/home/u', XDG_STATE_HOME: '/s' })).toBe('/s/mcp-cli');
    expect(stateDir({ HOME: '/home/u', XDG_STATE_HOME: 'repo/state' })).toBe('/home/u/.local/state/mcp-cli');
    expect(dataDir({ HOME: '/home/u', XDG_DATA_HOME: '.' })).toBe('/home/u/.local/share/mcp-cli');
    expect(configDir({ HOME: '/home/u', XDG_CONFIG_HOME: 'cfg' })).toBe('/home/u/.config/mcp-cli');
    expect(configDir({ HOME: '/home/u', MCP_CLI_CONFIG_DIR: '/etc/mcp' })).toBe('/etc/mcp');
  });

  it('refuse a relative MCP_CLI_CONFIG_DIR', () => {
    expect(() => configDir({ HOME: '/home/u', MCP_CLI_CONFIG_DIR: 'conf' })).toThrow('MCP_CLI_CONFIG_DIR must be an absolute path, not "conf"');
  });
});

describe("the account's home", () => {
  it('comes from the user database, whatever HOME says', () => {
    const before = process.env.HOME;
    process.env.HOME = '/tmp/somewhere-else';
    try {
      expect(accountHome()).toBe(userInfo().homedir);
    } finally {
      process.env.HOME = before;
    }
    expect(ownConfigDir('/home/u')).toBe('/home/u/.config/mcp-cli');
  });

  it('names the variable that placed the config and state directories, and writes ~ for a given home only', () => {
    expect(configDirSource({ HOME: '/h', XDG_CONFIG_HOME: '/x', MCP_CLI_CONFIG_DIR: '/m' })).toBe('MCP_CLI_CONFIG_DIR');
    expect(configDirSource({ HOME: '/h', XDG_CONFIG_HOME: '/x' })).toBe('XDG_CONFIG_HOME');
    expect(configDirSource({ HOME: '/h', XDG_CONFIG_HOME: 'relative' })).toBe('HOME');
    expect(stateDirSource({ HOME: '/h', XDG_STATE_HOME: '/s' })).toBe('XDG_STATE_HOME');
    expect(stateDirSource({ HOME: '/h' })).toBe('HOME');
    expect(tildePath('/home/u/repo/x.json', '/home/u')).toBe('~/repo/x.json');
    expect(tildePath('/home/user2/x.json', '/home/u')).toBe('/home/user2/x.json');
  });
});

describe('file paths in tokenStorage', () => {
  it('are relative to the config file, never to the working directory; ~ is kept for the backend', () => {
    const settings = tokenStorageFrom(
      {
        tokenStorage: {
          encrypted: { path: 'secrets/tokens.enc' },
          vault: { caCert: 'ca.pem', caPath: '/etc/ssl/vault', clientCert: '~/c.pem', clientKey: '../k.pem' },
        },
      },
      '/home/u/project/server_config.json',
    );
    expect(settings.encrypted?.path).toBe('/home/u/project/secrets/tokens.enc');
    expect(settings.vault).toMatchObject({ caCert: '/home/u/project/ca.pem', caPath: '/etc/ssl/vault', clientCert: '~/c.pem', clientKey: '/home/u/k.pem' });
  });
});
