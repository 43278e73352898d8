// An event recorder for controllers (client-go record.EventRecorder): builds a core/v1 Event about an
// object so `kubectl describe` shows the controller's decisions, and hands it to the client's event
// sink, which counts repeats, aggregates similar events and drops spam (eventcorrelator.ts).
import { randomBytes } from 'node:crypto';
import type { RESTClient } from '../../client/rest.js';
import type { Obj } from '../../client/informer.js';
import { eventSinkFor, type CoreEvent } from './eventcorrelator.js';

export interface EventRecorder {
  event(obj: Obj, type: 'Normal' | 'Warning', reason: string, message: string): void;
}

export class APIEventRecorder implements EventRecorder {
  constructor(private readonly client: RESTClient, private readonly component: string,
    private readonly log: (m: string) => void = () => {}) {}

  event(obj: Obj, type: 'Normal' | 'Warning', reason: string, message: string): void {
    const ns = obj.metadata.namespace || 'default';
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const body = {
      apiVersion: 'v1', kind: 'Event',
      metadata: { name: `${obj.metadata.name}.${Date.now().toString(16)}${randomBytes(4).toString('hex')}`, namespace: ns },
      involvedObject: {
        apiVersion: obj.apiVersion, kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name,
        uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion,
      },
      reason, type, message: message.length > 1024 ? `${message.slice(0, 1021)}...` : message,
      source: { component: this.component }, reportingComponent: this.component, reportingInstance: '',
      firstTimestamp: now, lastTimestamp: now, count: 1,
    };
    eventSinkFor(this.client, this.log).record(body as CoreEvent);
  }
}
