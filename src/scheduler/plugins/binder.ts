// DefaultBinder: POST pods/NAME/binding, which sets spec.nodeName and the PodScheduled condition.
import type { RESTClient } from '../../client/rest.js';
import { Status, type BindPlugin, type CycleState, type Pod } from '../types.js';

export class DefaultBinder implements BindPlugin {
  readonly name = 'DefaultBinder';
  constructor(private readonly client: RESTClient | undefined) {}
  async bind(_s: CycleState, pod: Pod, node: string): Promise<Status> {
    if (!this.client) return Status.error('no API client to bind with');
    const { name, namespace, uid } = pod.metadata;
    try {
      await this.client.request('POST', `/api/v1/namespaces/${namespace}/pods/${name}/binding`, {
        apiVersion: 'v1', kind: 'Binding', metadata: { name, namespace, uid }, target: { apiVersion: 'v1', kind: 'Node', name: node },
      });
      return Status.success();
    } catch (err) {
      return Status.error((err as Error).message);
    }
  }
}
