import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyDefaults, defaultImagePullPolicy, podQOSClass } from './index.js';
import type { KObject } from '../types.js';

const tmpl = () => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } });
function run(group: string, resource: string, obj: KObject): any {
  applyDefaults(group, resource, obj);
  return obj;
}

test('image pull policy follows the tag', () => {
  const cases: [string, string][] = [
    ['nginx', 'Always'], ['nginx:latest', 'Always'], ['nginx:1.25', 'IfNotPresent'],
    ['localhost:5000/nginx', 'Always'], ['localhost:5000/nginx:v1', 'IfNotPresent'],
    ['nginx@sha256:abc', 'IfNotPresent'], ['nginx:latest@sha256:abc', 'Always'], ['', 'IfNotPresent'],
  ];
  for (const [image, want] of cases) assert.equal(defaultImagePullPolicy(image), want, image);
});

test('pod gets upstream defaults', () => {
  const pod = run('', 'pods', {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' },
    spec: {
      containers: [{
        name: 'c', image: 'nginx:1.25', ports: [{ containerPort: 80 }],
        resources: { limits: { cpu: '0.5', memory: '1Gi' } },
        env: [{ name: 'N', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
        livenessProbe: { httpGet: { port: 80 } },
        readinessProbe: { exec: { command: ['true'] }, periodSeconds: 5 },
      }],
      volumes: [{ name: 'a' }, { name: 's', secret: { secretName: 'x' } }, { name: 'c', configMap: { name: 'y' } },
        { name: 'h', hostPath: { path: '/tmp' } }],
    },
  });
  const s = pod.spec;
  assert.equal(s.restartPolicy, 'Always');
  assert.equal(s.dnsPolicy, 'ClusterFirst');
  assert.equal(s.terminationGracePeriodSeconds, 30);
  assert.equal(s.schedulerName, 'default-scheduler');
  assert.deepEqual(s.securityContext, {});
  assert.equal(s.enableServiceLinks, true);
  const c = s.containers[0];
  assert.equal(c.imagePullPolicy, 'IfNotPresent');
  assert.equal(c.terminationMessagePath, '/dev/termination-log');
  assert.equal(c.terminationMessagePolicy, 'File');
  assert.equal(c.ports[0].protocol, 'TCP');
  assert.deepEqual(c.resources, { limits: { cpu: '500m', memory: '1Gi' }, requests: { cpu: '500m', memory: '1Gi' } });
  assert.equal(c.env[0].valueFrom.fieldRef.apiVersion, 'v1');
  assert.deepEqual(c.livenessProbe, { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
  assert.equal(c.readinessProbe.periodSeconds, 5);
  assert.deepEqual(s.volumes[0], { name: 'a', emptyDir: {} });
  assert.equal(s.volumes[1].secret.defaultMode, 420);
  assert.equal(s.volumes[2].configMap.defaultMode, 420);
  assert.equal(s.volumes[3].hostPath.type, '');
  assert.deepEqual(pod.status, { phase: 'Pending', qosClass: 'Guaranteed' });
});

test('user values are kept', () => {
  const pod = run('', 'pods', { metadata: { name: 'p' }, spec: {
    restartPolicy: 'Never', terminationGracePeriodSeconds: 0, enableServiceLinks: false,
    containers: [{ name: 'c', image: 'nginx', imagePullPolicy: 'Never', resources: { requests: { cpu: '1' }, limits: { cpu: '2' } } }],
  } });
  assert.equal(pod.spec.restartPolicy, 'Never');
  assert.equal(pod.spec.terminationGracePeriodSeconds, 0);
  assert.equal(pod.spec.enableServiceLinks, false);
  assert.equal(pod.spec.containers[0].imagePullPolicy, 'Never');
  assert.equal(pod.spec.containers[0].resources.requests.cpu, '1');
  assert.equal(pod.status.qosClass, 'Burstable');
});

test('qos classes', () => {
  assert.equal(podQOSClass({ containers: [{ name: 'a' }] }), 'BestEffort');
  assert.equal(podQOSClass({ containers: [{ resources: { requests: { memory: '1Gi' } } }] }), 'Burstable');
});

test('host network pods get host ports', () => {
  const pod = run('', 'pods', { spec: { hostNetwork: true, containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 8080 }] }] } });
  assert.equal(pod.spec.containers[0].ports[0].hostPort, 8080);
});

test('deployment defaults', () => {
  const dep = run('apps', 'deployments', { metadata: { name: 'web' }, spec: { selector: { matchLabels: { app: 'web' } }, template: tmpl() } });
  assert.equal(dep.spec.replicas, 1);
  assert.deepEqual(dep.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  assert.equal(dep.spec.revisionHistoryLimit, 10);
  assert.equal(dep.spec.progressDeadlineSeconds, 600);
  assert.equal(dep.spec.template.spec.restartPolicy, 'Always');
  assert.equal(dep.spec.template.spec.containers[0].imagePullPolicy, 'Always');
  assert.equal(dep.spec.template.spec.enableServiceLinks, undefined, 'Pod-only defaults stay off templates');
  assert.equal(dep.status, undefined);
  const recreate = run('apps', 'deployments', { spec: { replicas: 0, strategy: { type: 'Recreate' }, template: tmpl() } });
  assert.deepEqual(recreate.spec.strategy, { type: 'Recreate' });
  assert.equal(recreate.spec.replicas, 0);
});

test('replicaset, daemonset, statefulset defaults', () => {
  assert.equal(run('apps', 'replicasets', { spec: { template: tmpl() } }).spec.replicas, 1);
  const ds = run('apps', 'daemonsets', { spec: { template: tmpl() } });
  assert.deepEqual(ds.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  assert.equal(ds.spec.revisionHistoryLimit, 10);
  const sts = run('apps', 'statefulsets', { spec: { template: tmpl(), volumeClaimTemplates: [{ metadata: { name: 'd' }, spec: { accessModes: ['ReadWriteOnce'] } }] } });
  assert.equal(sts.spec.podManagementPolicy, 'OrderedReady');
  assert.deepEqual(sts.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
  assert.deepEqual(sts.spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
  assert.equal(sts.spec.replicas, 1);
  assert.equal(sts.spec.revisionHistoryLimit, 10);
  assert.equal(sts.spec.volumeClaimTemplates[0].spec.volumeMode, 'Filesystem');
  assert.deepEqual(sts.spec.volumeClaimTemplates[0].status, { phase: 'Pending' });
  const onDelete = run('apps', 'statefulsets', { spec: { updateStrategy: { type: 'OnDelete' }, template: tmpl() } });
  assert.deepEqual(onDelete.spec.updateStrategy, { type: 'OnDelete' });
});

test('replication controller takes selector and labels from its template', () => {
  const rc = run('', 'replicationcontrollers', { metadata: { name: 'rc' }, spec: { template: tmpl() } });
  assert.deepEqual(rc.spec.selector, { app: 'web' });
  assert.deepEqual(rc.metadata.labels, { app: 'web' });
  assert.equal(rc.spec.replicas, 1);
});

test('job defaults and generated selector', () => {
  const job = run('batch', 'jobs', { metadata: { name: 'pi', uid: 'u-1' }, spec: { template: { metadata: { labels: { app: 'pi' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl' }] } } } });
  assert.equal(job.spec.completions, 1);
  assert.equal(job.spec.parallelism, 1);
  assert.equal(job.spec.backoffLimit, 6);
  assert.equal(job.spec.completionMode, 'NonIndexed');
  assert.equal(job.spec.suspend, false);
  assert.equal(job.spec.podReplacementPolicy, 'TerminatingOrFailed');
  assert.deepEqual(job.spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u-1' } });
  const want = { app: 'pi', 'job-name': 'pi', 'batch.kubernetes.io/job-name': 'pi', 'controller-uid': 'u-1', 'batch.kubernetes.io/controller-uid': 'u-1' };
  assert.deepEqual(job.spec.template.metadata.labels, want);
  assert.deepEqual(job.metadata.labels, want);
  assert.equal(job.spec.template.spec.restartPolicy, 'Never');

  const parallel = run('batch', 'jobs', { metadata: { name: 'x', uid: 'u' }, spec: { parallelism: 3, template: { spec: { containers: [] } } } });
  assert.equal(parallel.spec.completions, undefined);
  assert.equal(parallel.metadata.labels, undefined);
  const manual = run('batch', 'jobs', { metadata: { name: 'x', uid: 'u' }, spec: { manualSelector: true, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } } } } });
  assert.deepEqual(manual.spec.selector, { matchLabels: { a: 'b' } });
  const noUid = run('batch', 'jobs', { metadata: { name: 'x' }, spec: { template: {} } });
  assert.equal(noUid.spec.selector, undefined);
});

test('cronjob defaults', () => {
  const cj = run('batch', 'cronjobs', { spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'a', image: 'b' }] } } } } } });
  assert.equal(cj.spec.concurrencyPolicy, 'Allow');
  assert.equal(cj.spec.suspend, false);
  assert.equal(cj.spec.successfulJobsHistoryLimit, 3);
  assert.equal(cj.spec.failedJobsHistoryLimit, 1);
  assert.equal(cj.spec.jobTemplate.spec.template.spec.dnsPolicy, 'ClusterFirst');
  assert.equal(cj.spec.jobTemplate.spec.backoffLimit, undefined);
});

test('service defaults', () => {
  const svc = run('', 'services', { spec: { selector: { app: 'web' }, ports: [{ port: 80 }, { port: 443, targetPort: 'https' }] } });
  assert.equal(svc.spec.type, 'ClusterIP');
  assert.equal(svc.spec.sessionAffinity, 'None');
  assert.deepEqual(svc.spec.ports[0], { port: 80, protocol: 'TCP', targetPort: 80 });
  assert.equal(svc.spec.ports[1].targetPort, 'https');
  assert.equal(svc.spec.internalTrafficPolicy, 'Cluster');
  assert.equal(svc.spec.ipFamilyPolicy, 'SingleStack');
  assert.deepEqual(svc.spec.ipFamilies, ['IPv4']);
  assert.equal(svc.spec.externalTrafficPolicy, undefined);
  const lb = run('', 'services', { spec: { type: 'LoadBalancer', sessionAffinity: 'ClientIP', ports: [{ port: 80 }] } });
  assert.equal(lb.spec.externalTrafficPolicy, 'Cluster');
  assert.equal(lb.spec.allocateLoadBalancerNodePorts, true);
  assert.deepEqual(lb.spec.sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } });
  const ext = run('', 'services', { spec: { type: 'ExternalName', externalName: 'example.com' } });
  assert.equal(ext.spec.ipFamilies, undefined);
  assert.equal(ext.spec.internalTrafficPolicy, undefined);
});

test('secret, namespace, pv, pvc, endpoints defaults', () => {
  assert.equal(run('', 'secrets', { data: {} }).type, 'Opaque');
  assert.equal(run('', 'secrets', { type: 'kubernetes.io/tls' }).type, 'kubernetes.io/tls');
  const ns = run('', 'namespaces', { metadata: { name: 'team-a' } });
  assert.deepEqual(ns.metadata.labels, { 'kubernetes.io/metadata.name': 'team-a' });
  assert.deepEqual(ns.spec, { finalizers: ['kubernetes'] });
  assert.deepEqual(ns.status, { phase: 'Active' });
  const pv = run('', 'persistentvolumes', { spec: { capacity: { storage: '1Gi' } } });
  assert.equal(pv.spec.persistentVolumeReclaimPolicy, 'Retain');
  assert.equal(pv.spec.volumeMode, 'Filesystem');
  assert.equal(pv.status.phase, 'Pending');
  const pvc = run('', 'persistentvolumeclaims', { spec: { resources: { requests: { storage: '1000Mi' } } } });
  assert.equal(pvc.spec.volumeMode, 'Filesystem');
  assert.equal(pvc.status.phase, 'Pending');
  const ep = run('', 'endpoints', { subsets: [{ ports: [{ port: 80 }] }] });
  assert.equal(ep.subsets[0].ports[0].protocol, 'TCP');
  const node = run('', 'nodes', { status: { capacity: { cpu: '2' } } });
  assert.deepEqual(node.status.allocatable, { cpu: '2' });
});

test('other groups', () => {
  assert.deepEqual(run('storage.k8s.io', 'storageclasses', { provisioner: 'x' }), { provisioner: 'x', reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate' });
  assert.equal(run('scheduling.k8s.io', 'priorityclasses', { value: 1 }).preemptionPolicy, 'PreemptLowerPriority');
  const rb = run('rbac.authorization.k8s.io', 'rolebindings', { subjects: [{ kind: 'User', name: 'a' }, { kind: 'ServiceAccount', name: 'b' }] });
  assert.equal(rb.subjects[0].apiGroup, 'rbac.authorization.k8s.io');
  assert.equal(rb.subjects[1].apiGroup, '');
  const np = run('networking.k8s.io', 'networkpolicies', { spec: { podSelector: {}, egress: [{ ports: [{ port: 53 }] }] } });
  assert.deepEqual(np.spec.policyTypes, ['Ingress', 'Egress']);
  assert.equal(np.spec.egress[0].ports[0].protocol, 'TCP');
  const hpa2 = run('autoscaling', 'horizontalpodautoscalers', { apiVersion: 'autoscaling/v2', spec: { maxReplicas: 3, behavior: {} } });
  assert.equal(hpa2.spec.minReplicas, 1);
  assert.equal(hpa2.spec.metrics[0].resource.target.averageUtilization, 80);
  assert.equal(hpa2.spec.behavior.scaleDown.stabilizationWindowSeconds, 300);
  assert.equal(hpa2.spec.behavior.scaleUp.policies.length, 2);
  const hpa1 = run('autoscaling', 'horizontalpodautoscalers', { apiVersion: 'autoscaling/v1', spec: { maxReplicas: 3 } });
  assert.equal(hpa1.spec.minReplicas, 1);
  assert.equal(hpa1.spec.metrics, undefined);
  const csi = run('storage.k8s.io', 'csidrivers', { spec: {} });
  assert.equal(csi.spec.attachRequired, true);
  assert.deepEqual(csi.spec.volumeLifecycleModes, ['Persistent']);
  const es = run('discovery.k8s.io', 'endpointslices', { ports: [{ port: 80 }] });
  assert.deepEqual(es.ports[0], { port: 80, name: '', protocol: 'TCP' });
});
