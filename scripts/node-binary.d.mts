export const CACHE: string;
export function major(version: string): number;
export function nodeBinary(wanted: string | number): string;
