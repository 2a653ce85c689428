/** Replaced at build time with the package version. */
declare const MCP_CLI_VERSION: string;
