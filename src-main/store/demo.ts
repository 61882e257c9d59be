import { CrmStore } from './crm.ts';

export interface SeedOptions {
  /** "Today" for the demo: due dates and creation times are spread around it. */
  now?: Date;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const CONTACTS = [
  { first: 'Sarah', last: 'Johnson', email: 'sarah.johnson@example.com', phone: '555-0101', tags: ['customer', 'vip'] },
  { first: 'Michael', last: 'Smith', email: 'mike.smith@example.net', phone: '555-0102', tags: ['newsletter'] },
  { first: 'Linh', last: 'Nguyen', email: 'linh.nguyen@example.org', phone: '555-0103', tags: [] },
  { first: 'Priya', last: 'Patel', email: 'priya.patel@example.com', phone: '555-0104', tags: ['newsletter'] },
  { first: 'Carlos', last: 'Garcia', email: 'carlos.garcia@example.com', phone: '555-0105', tags: ['referral'] },
  { first: 'Emily', last: 'Miller', email: 'emily.miller@example.net', phone: '555-0106', tags: ['customer'] },
  { first: 'David', last: 'Brown', email: 'dbrown@example.org', phone: '555-0107', tags: ['customer', 'newsletter'] },
  { first: 'Grace', last: 'Kim', email: 'grace@greenwaypm.example', phone: '555-0110', tags: ['customer', 'vip'], company: 0 },
  { first: 'Tom', last: 'Reilly', email: 'tom.reilly@greenwaypm.example', phone: '555-0111', tags: [], company: 0 },
  { first: 'Anna', last: 'Kowalski', email: 'office@hartforddental.example', phone: '555-0120', tags: ['customer'], company: 1 },
  { first: 'James', last: 'Okafor', email: 'james@oakpinerealty.example', phone: '555-0130', tags: ['referral'], company: 2 },
  { first: 'Rachel', last: 'Levy', email: 'rachel.levy@example.com', phone: '555-0108', tags: ['newsletter'] },
];

const COMPANIES = [
  { name: 'Greenway Property Management', domain: 'greenwaypm.example', data: { industry: 'Property management' } },
  { name: 'Hartford Dental Group', domain: 'hartforddental.example', data: { industry: 'Healthcare' } },
  { name: 'Oak & Pine Realty', domain: 'oakpinerealty.example', data: { industry: 'Real estate' } },
];

type RecordSeed = { type: string; title: string; stage?: string; data: Record<string, unknown> };

const RECORDS: RecordSeed[] = [
  {
    type: 'lead',
    title: 'Johnson Property - Lawn Care',
    stage: 'New',
    data: { phone: '555-0101', email: 'sarah.johnson@example.com', address: '18 Maple Ave, Hartford CT', source: 'Website', value: 1200 },
  },
  {
    type: 'lead',
    title: 'Smith Residence - Spring Cleanup',
    stage: 'New',
    data: { phone: '555-0102', email: 'mike.smith@example.net', address: '42 Elm Street, Hartford CT', source: 'Referral', value: 650 },
  },
  {
    type: 'lead',
    title: 'Nguyen Residence - Gutter Cleaning',
    stage: 'Contacted',
    data: { phone: '555-0103', email: 'linh.nguyen@example.org', address: '7 Birch Ln, West Hartford CT', value: 300 },
  },
  {
    type: 'lead',
    title: 'Patel Family - Patio Install',
    stage: 'Contacted',
    data: { phone: '555-0104', email: 'priya.patel@example.com', address: '311 Oak St, Glastonbury CT', value: 9800 },
  },
  {
    type: 'estimate',
    title: 'Garcia Backyard - Retaining Wall',
    stage: 'Estimate Sent',
    data: { phone: '555-0105', address: '9 Ridge Rd, Avon CT', value: 8400 },
  },
  {
    type: 'estimate',
    title: 'Greenway PM - Seasonal Contract',
    stage: 'Estimate Sent',
    data: { phone: '555-0110', address: '200 Main St, Hartford CT', value: 24000 },
  },
  {
    type: 'estimate',
    title: 'Oak & Pine - Listing Prep',
    stage: 'Lost',
    data: { phone: '555-0130', value: 1500, lost_reason: 'Went with another vendor' },
  },
  {
    type: 'job',
    title: 'Miller Residence - Hedge Trimming',
    stage: 'Won',
    data: { phone: '555-0106', address: '55 Cedar Ct, Farmington CT', value: 450, crew: 'Crew A' },
  },
  {
    type: 'job',
    title: 'Hartford Dental - Snow Removal',
    stage: 'Won',
    data: { phone: '555-0120', address: '80 Asylum St, Hartford CT', value: 3200, crew: 'Crew B' },
  },
  {
    type: 'job',
    title: 'Brown Residence - Mulching',
    data: { phone: '555-0107', address: '4 Willow Way, Simsbury CT', value: 380, crew: 'Crew A' },
  },
  { type: 'client', title: 'Sarah Johnson', data: { phone: '555-0101', email: 'sarah.johnson@example.com', since: '2024' } },
  { type: 'client', title: 'Greenway Property Management', data: { phone: '555-0110', email: 'grace@greenwaypm.example', since: '2023' } },
  {
    type: 'lead',
    title: 'Oak & Pine Realty - Seasonal Maintenance',
    stage: 'New',
    data: { phone: '555-0130', email: 'james@oakpinerealty.example', address: '9 Main St, Avon CT', source: 'Referral', value: 4800 },
  },
];

/**
 * Fills an empty store with a small landscaping-business workspace so the app is useful before
 * any account is connected. Does nothing when the store already has object types.
 * Writes go through a bare store on the same connection, so no events are emitted whatever
 * options the caller's store was built with.
 */
export function seedDemoWorkspace(crm: CrmStore, options: SeedOptions = {}): void {
  const today = options.now ?? new Date();
  // Creation times are spread over the last two weeks so lists look lived-in and sort stably.
  let clock = today.getTime() - 14 * DAY;
  const tick = () => {
    clock += HOUR;
    return new Date(clock);
  };
  const quiet = new CrmStore(crm.db, { now: tick });
  // IMMEDIATE: another process opening the same new file (two CLI commands at once) waits for
  // this one's seed and then finds the store filled, instead of failing or seeding it twice.
  crm.db
    .transaction(() =>
      quiet.transaction(() => {
        if (!quiet.isEmpty()) return;
        seedSchema(quiet);
        const companyIds = COMPANIES.map((c) => quiet.createCompany(c).id);
        const contacts = CONTACTS.map((c) =>
          quiet.createContact({
            email: c.email,
            first_name: c.first,
            last_name: c.last,
            phone: c.phone,
            company_id: c.company === undefined ? null : companyIds[c.company],
            tags: c.tags,
          }),
        );
        const records = RECORDS.map((r) =>
          quiet.createRecord({
            type: r.type,
            title: r.title,
            data: r.data,
            ...(r.stage ? { pipeline: 'main-sales', stage: r.stage } : {}),
          }),
        );
        seedWork(
          quiet,
          today,
          records.map((r) => r.id),
          contacts.map((c) => c.id),
        );
      }),
    )
    .immediate();
}

function seedSchema(crm: CrmStore): void {
  crm.createObjectType({ name: 'Lead', slug: 'lead', icon: '👤' });
  crm.createObjectType({ name: 'Job', slug: 'job', icon: '🔧' });
  crm.createObjectType({ name: 'Estimate', slug: 'estimate', icon: '📋' });
  crm.createObjectType({ name: 'Client', slug: 'client', icon: '🏠' });
  crm.createPipeline({ name: 'Main Sales', slug: 'main-sales', stages: ['New', 'Contacted', 'Estimate Sent', 'Won', 'Lost'] });
}

/** Tasks (one overdue, one done), a note and an activity, linked to the seeded rows. */
function seedWork(crm: CrmStore, today: Date, recordIds: string[], contactIds: string[]): void {
  const day = (offset: number) => new Date(today.getTime() + offset * DAY).toISOString().slice(0, 10);
  const [johnson, , nguyen, patel, garcia, , , miller, dental] = recordIds;
  crm.createTask({ title: 'Call Sarah about lawn care', record_id: johnson, contact_id: contactIds[0], due_date: day(1) });
  crm.createTask({ title: 'Send patio estimate to the Patels', record_id: patel, contact_id: contactIds[3], due_date: day(-2) });
  crm.createTask({ title: 'Schedule snow removal crew', record_id: dental, due_date: day(5), notes: 'Crew B, before 7am' });
  const done = crm.createTask({ title: 'Confirm hedge trimming date', record_id: miller, due_date: day(-4) });
  crm.completeTask(done.id);
  crm.addNote({
    record_id: garcia,
    contact_id: contactIds[4],
    body: 'Wants natural stone, not concrete blocks. Follow up after the weekend.',
  });
  crm.logActivity({
    record_id: nguyen,
    contact_id: contactIds[2],
    type: 'call',
    summary: 'Called Linh: gutters on the back side overflow, wants a quote.',
    data: { duration_minutes: 6, outcome: 'interested' },
  });
}
