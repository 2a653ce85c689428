/** Replaces the given secret values, and anything shaped like a JWT or a Vault token, in text that came from Vault. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret !== '') out = out.split(secret).join('[redacted]');
  return out.replace(/eyJ[\w-]*\.[\w-]*\.[\w-]*/g, '[redacted JWT]').replace(/\bhv[sbr]\.[\w.-]{8,}/g, '[redacted token]');
}
