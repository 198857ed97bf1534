/**
 * Message templates are data: `{{name}}` placeholders filled from a finding's `data`.
 * A missing placeholder is left visible (`{{name}}`) so a test snapshot catches it.
 */
export function formatMessage(template: string, data: Record<string, string | number> | undefined): string {
  return template.replace(/\{\{\s*([\w.-]+)\s*\}\}/g, (whole, key: string) => {
    const value = data?.[key];
    return value === undefined ? whole : String(value);
  });
}

/** Placeholder names used in a template, for the registry test (every placeholder must be documented data). */
export function placeholders(template: string): string[] {
  return [...template.matchAll(/\{\{\s*([\w.-]+)\s*\}\}/g)].map((m) => m[1]!);
}
