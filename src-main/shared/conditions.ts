import { z } from 'zod';

/** Condition operators: those of the Kanbert filter language, so operators learn one set. */
export const OPERATORS = {
  eq: 'equals',
  ne: 'does not equal',
  contains: 'contains',
  startswith: 'starts with',
  endswith: 'ends with',
  gt: 'is greater than',
  gte: 'is at least',
  lt: 'is less than',
  lte: 'is at most',
  in: 'is one of',
  nin: 'is none of',
  isnull: 'is empty',
  isnotnull: 'is not empty',
} as const;
export type Operator = keyof typeof OPERATORS;
export const Operator = z.enum(Object.keys(OPERATORS) as [Operator, ...Operator[]]);

/** Operators that take no value. */
export const UNARY_OPERATORS: ReadonlySet<Operator> = new Set(['isnull', 'isnotnull']);

export const ConditionRow = z.object({
  /** A data path such as `trigger.data.email` or `steps.find.output.count` (or one `{{ … }}`). */
  field: z.string().min(1, 'choose a field').meta({ title: 'Field' }),
  operator: Operator.meta({ title: 'Operator' }),
  value: z.unknown().optional().meta({ title: 'Value' }),
});
export type ConditionRow = z.infer<typeof ConditionRow>;

export interface ConditionGroup {
  match: 'all' | 'any';
  conditions: Array<ConditionRow | ConditionGroup>;
}
export const ConditionGroup: z.ZodType<ConditionGroup> = z.lazy(() =>
  z.object({
    match: z.enum(['all', 'any']).default('all').meta({ title: 'Match' }),
    conditions: z.array(z.union([ConditionRow, ConditionGroup])).min(1, 'add at least one condition'),
  }),
) as z.ZodType<ConditionGroup>;

export function isGroup(c: ConditionRow | ConditionGroup): c is ConditionGroup {
  return Array.isArray((c as ConditionGroup).conditions);
}
