/**
 * Comparing file paths recorded in a profile with the editor's documents. Windows paths are
 * case-insensitive and may use either slash; POSIX paths compare exactly.
 */
export function pathKey(p: string): string {
  if (/^[a-zA-Z]:[\\/]/.test(p) || p.startsWith('\\\\'))
    return p.replace(/\//g, '\\').toLowerCase();
  return p;
}
