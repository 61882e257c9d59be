import { slugify } from '../store/crm.ts';

/**
 * Comparing the names templates use ("main-sales", "Estimate Sent", "won") with what an account
 * has, the way the CRM itself resolves them: by id, slug or name, ignoring case and punctuation.
 */

export interface NamedThing {
  id?: string;
  name: string;
  slug?: string;
}

export function sameName(ref: string, thing: NamedThing): boolean {
  const wanted = slugify(ref);
  if (!wanted) return false;
  return ref.trim() === thing.id || wanted === slugify(thing.slug ?? '') || wanted === slugify(thing.name);
}

export function findNamed<T extends NamedThing>(ref: string, things: readonly T[]): T | undefined {
  return things.find((thing) => sameName(ref, thing));
}

/** "main-sales" → "Main Sales"; a name that already has capitals or spaces is kept. */
export function displayName(ref: string): string {
  const text = ref.trim();
  if (/[A-Z\s]/.test(text)) return text;
  return text
    .split(/[-_]+/)
    .filter(Boolean)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] as number;
      row[j] = Math.min(above + 1, (row[j - 1] as number) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] as number;
}

/**
 * The existing name most like `ref`: one that contains it (or is contained) first, else the
 * smallest edit distance. Undefined when there is nothing to choose from.
 */
export function closestName(ref: string, names: readonly string[]): string | undefined {
  const wanted = slugify(ref);
  let best: { name: string; score: number } | undefined;
  for (const name of names) {
    const slug = slugify(name);
    const contains = slug && wanted && (slug.includes(wanted) || wanted.includes(slug));
    const score = contains ? Math.abs(slug.length - wanted.length) / 100 : editDistance(wanted, slug);
    if (!best || score < best.score) best = { name, score };
  }
  return best?.name;
}
