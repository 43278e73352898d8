// An event recorder for controllers (client-go record.EventRecorder, without aggregation yet):
// POSTs a core/v1 Event about an object so `kubectl describe` shows the controller's decisions.
import { randomBytes } from 'node:crypto';
import type { RESTClient } from '../../client/rest.js';
import type { Obj } from '../../client/informer.js';

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
    this.client.request('POST', `/api/v1/namespaces/${ns}/events`, body)
      .catch((err: Error) => this.log(`recording event ${reason} for ${ns}/${obj.metadata.name}: ${err.message}`));
  }
}
