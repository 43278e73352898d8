// Fakes for controller unit tests: a RESTClient that records every request and answers through the
// test's own function, and an EventRecorder that keeps events as "type reason message" lines.
import type { Obj } from '../../client/informer.js';
import type { RESTClient } from '../../client/rest.js';
import type { EventRecorder } from '../manager/events.js';

export interface RecordedCall { method: string; path: string; body?: any }

/** respond's result (or what it throws) is the request's answer; the default answers {} */
export function recordingClient(respond: (method: string, path: string, body?: any) => unknown = () => ({})): { client: RESTClient; calls: RecordedCall[] } {
  const calls: RecordedCall[] = [];
  const client = {
    request: async (method: string, path: string, body?: any) => {
      calls.push({ method, path, body });
      return respond(method, path, body);
    },
  } as unknown as RESTClient;
  return { client, calls };
}

/** events as `${type} ${reason} ${message}`, or as format makes them */
export function eventLog(format: (o: Obj, type: string, reason: string, message: string) => string = (_o, type, reason, message) => `${type} ${reason} ${message}`): { recorder: EventRecorder; events: string[] } {
  const events: string[] = [];
  return { recorder: { event: (o, type, reason, message) => { events.push(format(o, type, reason, message)); } }, events };
}
