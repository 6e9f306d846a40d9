// Call events (`call.#` on the bus) as end-to-end tests read them back.
import type { BusMessage } from '../../src/bus/index.ts';

/** The event names of one channel, in bus order, DTMF left out. */
export function namesOf(events: readonly BusMessage[], uuid: string): string[] {
  return events.filter((e) => e.payload['call_id'] === uuid && e.payload['event_name'] !== 'DTMF').map((e) => String(e.payload['event_name']));
}
