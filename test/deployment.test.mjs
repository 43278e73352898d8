// The deployment controller end to end: a real server, simulated nodes, the scheduler and the
// controller manager running only the deployment and replicaset controllers. kubectl drives it as a
// user would: create, rollout status, set image, undo (also --to-revision), history, pause/resume,
// restart, scale, a Recreate rollout, and a Deployment that can never schedule hitting its deadline.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster } from './cluster-helpers.mjs';

let c;
const NS = 'default';
const dPath = (name) => `/apis/apps/v1/namespaces/${NS}/deployments/${name}`;
const rsOf = async (name) => {
  const d = await c.get(dPath(name));
  const list = (await c.get(`/apis/apps/v1/namespaces/${NS}/replicasets`)).items;
  return list.filter((rs) => rs.metadata.ownerReferences?.some((r) => r.uid === d.metadata.uid && r.controller));
};
const rev = (o) => o.metadata.annotations?.['deployment.kubernetes.io/revision'];
const image = (o) => o.spec.template.spec.containers[0].image;
const cond = (d, type) => d.status?.conditions?.find((x) => x.type === type);

async function kubectl(args, opts) {
  const r = await c.kubectl(args, opts);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stdout}${r.stderr}\n${c.logs()}`);
  return r.stdout;
}

/** the deployment is fully rolled out: one active RS with the current template, everything available */
async function rolledOut(name, replicas) {
  return c.eventually(`${name} rolled out`, async () => {
    const d = await c.get(dPath(name));
    const s = d.status ?? {};
    if (s.observedGeneration !== d.metadata.generation || s.updatedReplicas !== replicas || s.availableReplicas !== replicas
      || s.replicas !== replicas) return undefined;
    const active = (await rsOf(name)).filter((rs) => rs.spec.replicas > 0);
    return active.length === 1 ? d : undefined;
  });
}

before(async () => {
  c = await startCluster({ controllers: 'deployment,replicaset', nodes: 2 });
});

after(async () => { if (c) await c.stop(); });

test('create, rollout status, set image, history, undo (incl. --to-revision)', async () => {
  await kubectl(['create', 'deployment', 'web', '--image=nginx:1.0', '--replicas=3']);
  await kubectl(['rollout', 'status', 'deployment/web', '--timeout=30s']);
  let d = await rolledOut('web', 3);
  assert.equal(rev(d), '1');
  assert.equal(cond(d, 'Available').status, 'True');
  assert.equal(cond(d, 'Available').reason, 'MinimumReplicasAvailable');
  assert.equal(cond(d, 'Progressing').reason, 'NewReplicaSetAvailable');
  let rss = await rsOf('web');
  assert.equal(rss.length, 1);
  const hash = rss[0].metadata.labels['pod-template-hash'];
  assert.ok(hash);
  assert.equal(rss[0].metadata.name, `web-${hash}`);
  assert.equal(rss[0].spec.selector.matchLabels['pod-template-hash'], hash);
  assert.equal(rss[0].metadata.annotations['deployment.kubernetes.io/desired-replicas'], '3');
  assert.equal(rss[0].metadata.annotations['deployment.kubernetes.io/max-replicas'], '4');

  await kubectl(['set', 'image', 'deployment/web', 'nginx=nginx:2.0'], { minor: 27 });
  // as users do: record the cause on the Deployment after the change; it is copied to the new RS
  await kubectl(['annotate', 'deployment/web', 'kubernetes.io/change-cause=image 2.0']);
  await kubectl(['rollout', 'status', 'deployment/web', '--timeout=30s']);
  d = await rolledOut('web', 3);
  assert.equal(rev(d), '2');
  rss = await rsOf('web');
  assert.equal(rss.length, 2);
  const byImage = Object.fromEntries(rss.map((rs) => [image(rs), rs]));
  assert.equal(byImage['nginx:2.0'].spec.replicas, 3);
  assert.equal(byImage['nginx:1.0'].spec.replicas, 0);
  assert.equal(rev(byImage['nginx:2.0']), '2');
  assert.equal(byImage['nginx:2.0'].metadata.annotations['kubernetes.io/change-cause'], 'image 2.0');

  const history = await kubectl(['rollout', 'history', 'deployment/web']);
  assert.match(history, /REVISION\s+CHANGE-CAUSE/);
  assert.match(history, /\n1\s+<none>/);
  assert.match(history, /\n2\s+image 2\.0/);
  const rev1 = await kubectl(['rollout', 'history', 'deployment/web', '--revision=1']);
  assert.match(rev1, /revision #1/);
  assert.match(rev1, /nginx:1\.0/);

  await kubectl(['rollout', 'undo', 'deployment/web']);
  await kubectl(['rollout', 'status', 'deployment/web', '--timeout=30s'], { minor: 27 });
  d = await rolledOut('web', 3);
  assert.equal(image(d), 'nginx:1.0');
  assert.equal(rev(d), '3');
  rss = await rsOf('web');
  assert.equal(rss.length, 2, 'the old RS is reused, not a new one');
  const back = rss.find((rs) => image(rs) === 'nginx:1.0');
  assert.equal(rev(back), '3');
  assert.equal(back.metadata.annotations['deployment.kubernetes.io/revision-history'], '1');

  await kubectl(['rollout', 'undo', 'deployment/web', '--to-revision=2'], { minor: 27 });
  d = await rolledOut('web', 3);
  assert.equal(image(d), 'nginx:2.0');
  assert.equal(rev(d), '4');

  const describe = await kubectl(['describe', 'deployment', 'web']);
  assert.match(describe, /ScalingReplicaSet\s+.*Scaled up replica set web-\w+ from 0 to 3/);
  assert.match(describe, /Scaled down replica set web-\w+ from \d to \d/);
  assert.match(describe, /NewReplicaSet:\s+web-\w+ \(3\/3 replicas created\)/);
});

test('pause holds a template change until resume; restart rolls out; scale resizes', async () => {
  await kubectl(['create', 'deployment', 'paused', '--image=nginx:1.0', '--replicas=2']);
  await rolledOut('paused', 2);
  await kubectl(['rollout', 'pause', 'deployment/paused']);
  await kubectl(['set', 'image', 'deployment/paused', 'nginx=nginx:9.9']);
  await c.eventually('paused condition', async () => cond(await c.get(dPath('paused')), 'Progressing')?.reason === 'DeploymentPaused');
  // a paused deployment still scales
  await kubectl(['scale', 'deployment/paused', '--replicas=3']);
  await c.eventually('paused deployment scaled', async () => (await rsOf('paused')).some((rs) => rs.spec.replicas === 3));
  assert.equal((await rsOf('paused')).length, 1, 'no new ReplicaSet while paused');
  await kubectl(['rollout', 'resume', 'deployment/paused'], { minor: 27 });
  let d = await rolledOut('paused', 3);
  assert.equal(image(d), 'nginx:9.9');
  assert.equal((await rsOf('paused')).length, 2);

  await kubectl(['rollout', 'restart', 'deployment/paused']);
  d = await c.get(dPath('paused'));
  assert.ok(d.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']);
  await kubectl(['rollout', 'status', 'deployment/paused', '--timeout=30s']);
  d = await rolledOut('paused', 3);
  assert.equal(rev(d), '3');
  assert.equal((await rsOf('paused')).length, 3);

  await kubectl(['scale', 'deployment/paused', '--replicas=1'], { minor: 27 });
  d = await rolledOut('paused', 1);
  assert.equal(cond(d, 'Available').status, 'True');
});

test('Recreate scales the old ReplicaSet to zero before the new one comes up', async () => {
  await c.create(`/apis/apps/v1/namespaces/${NS}/deployments`, {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'rec' },
    spec: { replicas: 2, strategy: { type: 'Recreate' }, selector: { matchLabels: { app: 'rec' } },
      template: { metadata: { labels: { app: 'rec' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.0' }] } } },
  });
  await rolledOut('rec', 2);
  await kubectl(['set', 'image', 'deployment/rec', 'c=nginx:2.0']);
  // the new RS must not get replicas while old pods still exist
  const seen = [];
  await c.eventually('recreate done', async () => {
    const rss = await rsOf('rec');
    const pods = (await c.get(`/api/v1/namespaces/${NS}/pods?labelSelector=app%3Drec`)).items;
    const oldPods = pods.filter((p) => p.spec.containers[0].image === 'nginx:1.0').length;
    const newRS = rss.find((rs) => image(rs) === 'nginx:2.0');
    seen.push({ oldPods, newReplicas: newRS?.spec.replicas ?? 0 });
    return newRS?.status?.availableReplicas === 2;
  });
  const d = await rolledOut('rec', 2);
  assert.equal(rev(d), '2');
  assert.ok(!seen.some((s) => s.oldPods > 0 && s.newReplicas > 0), `old and new pods overlapped: ${JSON.stringify(seen)}`);
});

test('a Deployment that can never schedule exceeds its progress deadline; others keep going', async () => {
  await c.create(`/apis/apps/v1/namespaces/${NS}/deployments`, {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'stuck' },
    spec: { replicas: 1, progressDeadlineSeconds: 5, selector: { matchLabels: { app: 'stuck' } },
      template: { metadata: { labels: { app: 'stuck' } }, spec: { nodeSelector: { nowhere: 'true' }, containers: [{ name: 'c', image: 'nginx' }] } } },
  });
  const d = await c.eventually('ProgressDeadlineExceeded', async () => {
    const x = await c.get(dPath('stuck'));
    return cond(x, 'Progressing')?.reason === 'ProgressDeadlineExceeded' ? x : undefined;
  }, 25_000);
  assert.equal(cond(d, 'Progressing').status, 'False');
  assert.match(cond(d, 'Progressing').message, /ReplicaSet "stuck-\w+" has timed out progressing\./);
  assert.equal(cond(d, 'Available').status, 'False');
  assert.equal(cond(d, 'Available').reason, 'MinimumReplicasUnavailable');
  const r = await c.kubectl(['rollout', 'status', 'deployment/stuck', '--timeout=10s']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /exceeded its progress deadline/);
  // the controller still works for others
  await kubectl(['scale', 'deployment/web', '--replicas=2']);
  await rolledOut('web', 2);
});
