/** JSON nested deeper than this is refused before it is parsed (no real event comes close). */
export const MAX_JSON_DEPTH = 64;

/**
 * Whether a JSON text nests objects/arrays deeper than `max`. One linear pass over the bytes, so
 * a hostile body costs no more than reading it, and nothing recursive ever sees it.
 */
export function jsonTooDeep(raw: Buffer, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}
