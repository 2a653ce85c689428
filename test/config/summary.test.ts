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
});
