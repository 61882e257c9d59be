import { z } from 'zod';

/**
 * Form fields shared by the remote connectors. Params arrive rendered from templates, so values
 * are often text where a number, flag or object is meant, and an empty template means "not set".
 */

export type FieldMeta = { title: string; description: string; widget?: string; examples?: unknown[]; options?: unknown[] };

/** A template for a missing value renders '' (or null for a lone `{{ … }}`): both mean "not set". */
export function absentIfBlank(value: unknown): unknown {
  if (value === null) return undefined;
  if (typeof value === 'string' && value.trim() === '') return undefined;
  return value;
}

/** Mapped ids and phone numbers often arrive as numbers where text is expected. */
export function asText(value: unknown): unknown {
  return typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean' ? String(value) : value;
}

const TRUE_WORDS = new Set(['true', 'yes', 'y', 'on', '1']);
const FALSE_WORDS = new Set(['false', 'no', 'n', 'off', '0']);

/** `z.coerce.boolean()` would read "false" as true. */
export function asFlag(value: unknown): unknown {
  if (typeof value === 'number') return value !== 0;
  if (typeof value !== 'string') return value;
  const word = value.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return value;
}

/** A mapped object may arrive as JSON text when the template renders more than one `{{ … }}`. */
export function asObject(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** "a, b" or ["a", "b"] → ["a", "b"]. */
export function asList(value: unknown): unknown {
  const items = typeof value === 'string' ? value.split(',') : value;
  if (!Array.isArray(items)) return items;
  return items
    .map((item) => asText(item))
    .map((item) => (typeof item === 'string' ? item.trim() : item))
    .filter((item) => item !== '');
}

export function text(meta: FieldMeta) {
  return z
    .preprocess(
      (v) => asText(absentIfBlank(v)),
      z.string({ error: (issue) => (issue.input === undefined ? `${meta.title} is required.` : `${meta.title} must be text.`) }).trim(),
    )
    .meta(meta);
}

export function optionalText(meta: FieldMeta) {
  return z
    .preprocess(
      (v) => asText(absentIfBlank(v)),
      z
        .string({ error: `${meta.title} must be text.` })
        .trim()
        .optional(),
    )
    .meta(meta);
}

export function optionalFlag(meta: FieldMeta) {
  return z.preprocess((v) => asFlag(absentIfBlank(v)), z.boolean({ error: `${meta.title} must be yes or no.` }).optional()).meta(meta);
}

const FieldsObject = z.record(z.string(), z.unknown(), { error: 'Enter named fields (a name and a value on each row).' });

export function optionalFields(meta: FieldMeta) {
  return z.preprocess((v) => asObject(absentIfBlank(v)), FieldsObject.optional()).meta({ widget: 'keyValue', ...meta });
}

export function textList(meta: FieldMeta & { noun: string }) {
  const { noun, ...rest } = meta;
  return z
    .preprocess(
      (v) => asList(absentIfBlank(v)),
      z
        .array(z.string(), {
          error: (issue) => (issue.input === undefined ? `Choose at least one ${noun}.` : `${rest.title} must be a list.`),
        })
        .min(1, `Choose at least one ${noun}.`),
    )
    .meta(rest);
}

const DATE_LIKE = /^\d{4}-\d{2}-\d{2}/;

export function optionalDate(meta: FieldMeta) {
  return z
    .preprocess(
      (v) => asText(absentIfBlank(v)),
      z
        .string()
        .trim()
        .refine((v) => DATE_LIKE.test(v) && !Number.isNaN(Date.parse(v)), {
          error: (issue) => `${meta.title} "${String(issue.input)}" is not a date; use YYYY-MM-DD, e.g. 2026-06-30.`,
        })
        .optional(),
    )
    .meta({ widget: 'date', ...meta });
}

/** "At most N items" for list actions that read page after page. */
export function limitField(meta: FieldMeta & { fallback: number; max: number }) {
  const { fallback, max, ...rest } = meta;
  return z
    .preprocess(
      absentIfBlank,
      z.coerce
        .number({ error: `${rest.title}: enter a number.` })
        .int(`${rest.title}: enter a whole number.`)
        .min(1, `${rest.title}: at least 1.`)
        .max(max, `${rest.title}: at most ${max}.`)
        .default(fallback),
    )
    .meta(rest);
}

/** A choice among fixed values that also accepts "" (the form's empty choice) as "not set". */
export function optionalChoice<const T extends readonly [string, ...string[]]>(values: T, meta: FieldMeta) {
  return z
    .preprocess(
      (v) => (typeof v === 'string' ? absentIfBlank(v.trim().toLowerCase()) : absentIfBlank(v)),
      z.enum(values, { error: `${meta.title}: choose one of ${values.join(', ')}.` }).optional(),
    )
    .meta(meta);
}

export const Timestamp = (title: string) => z.string().meta({ title, description: 'Date and time (ISO 8601, UTC).' });
