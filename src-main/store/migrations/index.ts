import { crmSchema } from './001-crm.ts';
import { engineSchema } from './002-engine.ts';
import { connectionsSchema } from './003-connections.ts';
import { liveSchema } from './004-live.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Ordered, append-only: never edit a released migration, add a new one. */
export const migrations: Migration[] = [
  { version: 1, name: 'crm', sql: crmSchema },
  { version: 2, name: 'engine', sql: engineSchema },
  { version: 3, name: 'connections', sql: connectionsSchema },
  { version: 4, name: 'live', sql: liveSchema },
];
