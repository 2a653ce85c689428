// An answer of Vault's other than 2xx: the status and the `{"errors":[...]}` body Vault sends with it.
export type Json = Record<string, unknown>;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly errors: string[],
    readonly extra: Json = {},
  ) {
    super(errors.join('; '));
  }
}

export const denied = () => new HttpError(403, ['permission denied']);
export const notFound = () => new HttpError(404, []);
export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
