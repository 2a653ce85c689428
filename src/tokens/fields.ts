import { PRIMARY_SECRET_FIELD, type StoredToken } from './model.js';

/**
 * What `${TOKEN:ns:name[:field]}` yields: the type's primary secret, a secret field, a non-secret
 * detail (`username`, `organization`), or `basic`: base64 of `username:password` for a Basic header.
 */
export function tokenFieldValue(token: StoredToken, field: string | undefined): string | undefined {
  if (field === undefined) return token.secret[PRIMARY_SECRET_FIELD[token.metadata.type]];
  const own = (record: Record<string, string>) => (Object.hasOwn(record, field) ? record[field] : undefined);
  const direct = own(token.secret) ?? own(token.metadata.details);
  if (direct !== undefined || field !== 'basic') return direct;
  return basicValue(token);
}

/** base64 of `username:password`, the value of a Basic header, when the token has both. */
function basicValue(token: StoredToken): string | undefined {
  const username = token.secret.username ?? token.metadata.details.username;
  const password = token.secret.password;
  return username !== undefined && password !== undefined ? Buffer.from(`${username}:${password}`, 'utf8').toString('base64') : undefined;
}

/** The fields a reference may name, for messages. */
export function tokenFieldNames(token: StoredToken): string[] {
  return [...new Set([...Object.keys(token.secret), ...Object.keys(token.metadata.details), 'basic'])].sort();
}

/**
 * The strings to mask wherever a token's value may be echoed: every secret field, the value a
 * reference yielded from it, and the Basic header value of a username and password (a server may
 * build that header itself from the two fields). A non-secret detail is not masked.
 */
export function secretStrings(token: StoredToken, field: string | undefined, value: string): string[] {
  const secrets = Object.values(token.secret).filter((s) => s !== '');
  const basic = token.secret.password ? basicValue(token) : undefined;
  if (basic !== undefined) secrets.push(basic);
  const fromDetails = field !== undefined && !Object.hasOwn(token.secret, field) && Object.hasOwn(token.metadata.details, field);
  return value !== '' && !fromDetails ? [...secrets, value] : secrets;
}
