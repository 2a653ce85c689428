// What `config trust` shows of a file before it is approved: the top-level OAuth settings too, since
// they choose the client ID that every login of the file's servers presents.
import { describe, expect, it } from 'vitest';
import { summarizeConfig } from '../../src/config/summary.js';

describe('summarizeConfig', () => {
  it("names the top-level oauth block's client ID metadata document, or that documents are off", () => {
    const url = 'https://tools.example.com/mcp-cli/client.json';
    expect(summarizeConfig({ mcpServers: {}, oauth: { clientMetadataUrl: url } })).toContain(
      `OAuth logins: clientMetadataUrl "${url}"  (the client ID shown to authorization servers)`,
    );
    expect(summarizeConfig({ mcpServers: {}, oauth: { clientMetadataUrl: false } })).toContain(
      'OAuth logins: clientMetadataUrl false  (the client ID shown to authorization servers)',
    );
    expect(summarizeConfig({ mcpServers: {} }).some((line) => line.startsWith('OAuth logins'))).toBe(false);
  });

  it('shows a Vault login with the files it reads, which would be sent to that Vault', () => {
    const storage = {
      vault: { address: 'https://vault.example', auth: { method: 'jwt', role: 'ci', jwtFile: '/var/run/secrets/tokens/vault', tokenFile: '/tmp/t' } },
    };
    expect(summarizeConfig({ mcpServers: {}, tokenStorage: storage })).toContain(
      'token storage: vault.address "https://vault.example", vault.auth.method "jwt", vault.auth.role "ci", vault.auth.jwtFile "/var/run/secrets/tokens/vault", vault.auth.tokenFile "/tmp/t"  (logs in to this Vault with your secret_id or the JWT in the file named)',
    );
    const approle = summarizeConfig({ mcpServers: {}, tokenStorage: { vault: { auth: { method: 'approle', roleId: 'r-1', secretIdFile: '~/secret-id' } } } });
    expect(approle.find((line) => line.startsWith('token storage:'))).toContain('vault.auth.secretIdFile "~/secret-id"');
  });
  it('marks as refused a variable that would decide where a stored token goes, and only then', () => {
    const api = { url: 'https://${API_HOST}/mcp', headers: { Authorization: 'Bearer ${TOKEN:bearer:api}', 'X-Region': '${REGION}' } };
    const lines = summarizeConfig({ mcpServers: { api, open: { url: 'https://${API_HOST}/mcp' } } });
    expect(lines).toContain('  refused: ${API_HOST} in url decides where this server connects, and this server carries a stored token');
    expect(lines.filter((line) => line.includes('refused'))).toHaveLength(1);
  });
});
