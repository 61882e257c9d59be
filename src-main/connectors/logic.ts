import { Cron } from 'croner';
import { z } from 'zod';
import { evaluateGroup } from '../engine/conditions.ts';
import { ConditionGroup } from '../shared/conditions.ts';
import { defineAction, defineConnector, defineTrigger } from './define.ts';

/** Built-in triggers that need no app (manual, schedule) and the flow-control steps. */

export class StopError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StopError';
  }
}

const conditionsField = ConditionGroup.meta({
  title: 'Conditions',
  description: 'Rows of field, operator and value; match all of them or any of them.',
  widget: 'conditions',
});

const AnyEvent = z.object({ event: z.string(), timestamp: z.string(), data: z.record(z.string(), z.unknown()) });

const manual = defineTrigger({
  key: 'manual',
  version: 1,
  label: 'Run manually',
  description: 'Starts when you press "Run" or test the workflow; the sample data below is what the steps receive.',
  source: 'manual',
  params: z.object({
    sample: z
      .record(z.string(), z.unknown())
      .optional()
      .meta({ title: 'Sample data', description: 'Data the run starts with, available as trigger.data.', widget: 'keyValue' }),
  }),
  output: AnyEvent,
  sample: { event: 'manual', timestamp: '2026-06-17T14:20:00.000Z', data: {} },
});

function cronError(pattern: string, timezone?: string): string | undefined {
  try {
    new Cron(pattern, { timezone, paused: true }).stop();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

const schedule = defineTrigger({
  key: 'schedule',
  version: 1,
  label: 'On a schedule',
  description: 'Starts at the times a cron schedule gives, in the workflow\'s time zone (e.g. "0 9 * * 1-5" is 9:00 on weekdays).',
  source: 'schedule',
  params: z.object({
    cron: z
      .string()
      .min(1, 'enter a schedule such as "0 9 * * *"')
      .refine((p) => p.includes('{{') || !cronError(p), { error: (issue) => `is not a valid schedule: ${cronError(String(issue.input))}` })
      .meta({ title: 'Schedule (cron)', description: 'minute hour day-of-month month day-of-week, e.g. "0 9 * * 1-5".' }),
  }),
  output: AnyEvent.extend({ data: z.object({ scheduledFor: z.string() }) }),
  sample: { event: 'schedule', timestamp: '2026-06-17T09:00:00.000Z', data: { scheduledFor: '2026-06-17T09:00:00.000Z' } },
});

const filter = defineAction({
  key: 'filter',
  version: 1,
  label: 'Only continue if',
  description: 'Stops this path quietly unless the conditions are met.',
  effect: 'read',
  flow: 'branch',
  ports: ['main'],
  rawParams: ['conditions'],
  input: z.object({ conditions: conditionsField }),
  output: z.object({ passed: z.boolean() }),
  sample: { passed: true },
  run(ctx) {
    const passed = evaluateGroup(ctx.input.conditions, ctx.scope);
    if (passed) ctx.route('main');
    return { passed };
  },
});

const ifElse = defineAction({
  key: 'if',
  version: 1,
  label: 'If / else',
  description: 'Follows the "true" path when the conditions are met, otherwise the "false" path.',
  effect: 'read',
  flow: 'branch',
  ports: ['true', 'false'],
  rawParams: ['conditions'],
  input: z.object({ conditions: conditionsField }),
  output: z.object({ result: z.boolean() }),
  sample: { result: true },
  run(ctx) {
    const result = evaluateGroup(ctx.input.conditions, ctx.scope);
    ctx.route(result ? 'true' : 'false');
    return { result };
  },
});

const SwitchCase = z.object({
  port: z
    .string()
    .regex(/^[a-z][a-z0-9-]*$/, 'use lowercase letters, digits and "-"')
    .meta({ title: 'Output name', description: 'The name of this path on the canvas, e.g. "hot".' }),
  label: z.string().optional().meta({ title: 'Label' }),
  when: conditionsField,
});

const switchNode = defineAction({
  key: 'switch',
  version: 1,
  label: 'Switch',
  description: 'Sends the run down the path of the first matching case (or of every matching case), or "otherwise".',
  effect: 'read',
  flow: 'branch',
  rawParams: ['cases'],
  ports: (params) => {
    const cases = Array.isArray(params.cases) ? (params.cases as { port?: unknown }[]) : [];
    return [...cases.map((c) => String(c.port ?? '')).filter(Boolean), 'otherwise'];
  },
  input: z.object({
    mode: z
      .enum(['first', 'all'])
      .default('first')
      .meta({ title: 'Match', description: 'Follow the first matching case, or all of them.' }),
    cases: z.array(SwitchCase).min(1, 'add at least one case').meta({ title: 'Cases' }),
  }),
  output: z.object({ matched: z.array(z.string()) }),
  sample: { matched: ['hot'] },
  run(ctx) {
    const matched: string[] = [];
    for (const c of ctx.input.cases) {
      if (evaluateGroup(c.when, ctx.scope)) {
        matched.push(c.port);
        if (ctx.input.mode === 'first') break;
      }
    }
    if (matched.length === 0) matched.push('otherwise');
    ctx.route(...matched);
    return { matched };
  },
});

const forEach = defineAction({
  key: 'forEach',
  version: 1,
  label: 'For each',
  description: 'Runs the steps on the "each" path once per item of a list, then continues on "done".',
  effect: 'read',
  flow: 'loop',
  input: z.object({
    items: z
      .array(z.unknown(), { error: 'must be a list, e.g. {{ steps.find_records.output.records }}' })
      .max(10_000, 'is longer than 10,000 items')
      .meta({ title: 'List', description: 'The list to go through, picked from an earlier step.' }),
  }),
  output: z.object({ items: z.array(z.unknown()), count: z.number() }),
  sample: { items: [], count: 0 },
  run(ctx) {
    return { items: ctx.input.items, count: ctx.input.items.length };
  },
});

const UNIT_MS = { minutes: 60_000, hours: 3_600_000, days: 86_400_000, weeks: 604_800_000 } as const;

const wait = defineAction({
  key: 'wait',
  version: 1,
  label: 'Wait',
  description: "Pauses the run for a while, or until a time of day in the workflow's time zone. Waits survive restarts.",
  effect: 'read',
  flow: 'wait',
  input: z.discriminatedUnion('mode', [
    z.object({
      mode: z.literal('duration'),
      amount: z.coerce.number().positive('must be more than 0').meta({ title: 'How long' }),
      unit: z.enum(['minutes', 'hours', 'days', 'weeks']).default('days').meta({ title: 'Unit' }),
    }),
    z.object({
      mode: z.literal('until'),
      time: z
        .string()
        .regex(/^([01]?\d|2[0-3]):[0-5]\d$/, 'must be a time of day such as 09:00')
        .meta({ title: 'Time of day', description: "HH:MM, 24-hour clock, in the workflow's time zone." }),
    }),
  ]),
  output: z.object({ resumeAt: z.string() }),
  sample: { resumeAt: '2026-06-19T14:20:00.000Z' },
  run(ctx) {
    const now = ctx.now();
    if (ctx.input.mode === 'duration') {
      return { resumeAt: new Date(now.getTime() + ctx.input.amount * UNIT_MS[ctx.input.unit]).toISOString() };
    }
    const [hh, mm] = ctx.input.time.split(':').map(Number);
    const next = new Cron(`${mm} ${hh} * * *`, { timezone: ctx.workflow.timezone, paused: true }).nextRun(now);
    if (!next) throw new Error(`Could not work out the next ${ctx.input.time}.`);
    return { resumeAt: next.toISOString() };
  },
});

const set = defineAction({
  key: 'set',
  version: 1,
  label: 'Set fields',
  description: 'Builds an object from values and data of earlier steps, for later steps to use.',
  effect: 'read',
  input: z.object({
    fields: z
      .record(z.string(), z.unknown())
      .meta({ title: 'Fields', description: 'Each name gets the value you type or pick.', widget: 'keyValue' }),
  }),
  output: z.record(z.string(), z.unknown()),
  sample: { full_name: 'Dana Reyes' },
  run(ctx) {
    return ctx.input.fields;
  },
});

const stop = defineAction({
  key: 'stopWithError',
  version: 1,
  label: 'Stop with error',
  description: 'Ends the run as failed with your message, e.g. when required data is missing.',
  effect: 'read',
  input: z.object({ message: z.string().min(1, 'enter the message to show').meta({ title: 'Message' }) }),
  output: z.object({}),
  sample: {},
  run(ctx) {
    throw new StopError(ctx.input.message);
  },
});

export const logic = defineConnector({
  id: 'logic',
  name: 'Logic',
  description: 'Triggers and flow control: conditions, branches, loops, waits.',
  icon: 'git-branch',
  needsConnection: false,
  triggers: [manual, schedule],
  actions: [filter, ifElse, switchNode, forEach, wait, set, stop],
});
