// CronJob schedules through kubectl (issue 6): what upstream accepts is robfig/cron's ParseStandard
// (five fields, @hourly-style descriptors and `@every <Go duration>`), and TZ=/CRON_TZ= prefixes
// are refused on create in favour of spec.timeZone. Invalid schedules get upstream's
// validation error, the parser's own text included.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './harness.mjs';

let s;
const create = (name, schedule, extra = []) => s.kubectl(['create', 'cronjob', name, '--image=busybox', `--schedule=${schedule}`, ...extra, '--', 'date']);

before(async () => { s = await startServer({ args: ['--disable-controller-manager', '--disable-scheduler'] }); });
after(async () => { await s?.stop(); s?.cleanup(); });

test('kubectl create cronjob accepts what robfig ParseStandard accepts', async () => {
  const ok = { every: '@every 1m', mixed: '@every 1h30m', hourly: '@hourly', named: '0 9 * jan-jun mon-fri', steps: '*/15 0-6 ? * *' };
  for (const [name, schedule] of Object.entries(ok)) {
    const r = await create(name, schedule);
    assert.equal(r.code, 0, `${schedule}: ${r.stderr}`);
    assert.equal(r.stdout.trim(), `cronjob.batch/${name} created`);
  }
  const r = await s.kubectl(['get', 'cronjob', 'every', '-o', 'jsonpath={.spec.schedule}']);
  assert.equal(r.stdout, '@every 1m');
  const wide = await s.kubectl(['get', 'cronjob', 'every']);
  assert.match(wide.stdout, /^every\s+@every 1m\s+<none>\s+False\s+0\s+<none>\s+\S+$/m);
});

test('invalid schedules get upstream validation errors', async () => {
  const cases = [
    ['bad1', '61 * * * *', 'end of range (61) above maximum (59): 61'],
    ['bad2', '* * * *', 'expected exactly 5 fields, found 4: [* * * *]'],
    ['bad3', '@every 1x', 'failed to parse duration @every 1x: time: unknown unit "x" in duration "1x"'],
    ['bad4', '@every 5', 'failed to parse duration @every 5: time: missing unit in duration "5"'],
    ['bad5', '@sometimes', 'unrecognized descriptor: @sometimes'],
    ['bad6', '0 0 * * mon-xyz', 'failed to parse int from xyz: strconv.Atoi: parsing "xyz": invalid syntax'],
    ['bad7', '*/0 * * * *', 'step of range should be a positive number: */0'],
  ];
  for (const [name, schedule, detail] of cases) {
    const r = await create(name, schedule);
    assert.notEqual(r.code, 0, schedule);
    // kubectl create wraps the server's message (the qualified kind "CronJob.batch", as upstream's NewInvalid)
    assert.equal(r.stderr.trim(), `error: failed to create cronjob: CronJob.batch "${name}" is invalid: spec.schedule: Invalid value: ${JSON.stringify(schedule)}: ${detail}`, schedule);
  }
  // nothing was stored
  const list = await s.request('GET', '/apis/batch/v1/namespaces/default/cronjobs');
  assert.deepEqual(list.json.items.map((c) => c.metadata.name).filter((n) => n.startsWith('bad')), []);
});

test('TZ in the schedule: refused on create with upstream wording; spec.timeZone instead', async () => {
  let r = await create('tz', 'TZ=UTC 0 * * * *');
  assert.notEqual(r.code, 0);
  assert.equal(r.stderr.trim(), 'error: failed to create cronjob: CronJob.batch "tz" is invalid: spec.schedule: Invalid value: "TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead');
  r = await s.kubectl(['apply', '-f', '-'], { input: JSON.stringify({
    apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'zoned' },
    spec: { schedule: '0 9 * * *', timeZone: 'Europe/Berlin', jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } } } } },
  }) });
  assert.equal(r.code, 0, r.stderr);
  r = await s.kubectl(['patch', 'cronjob', 'zoned', '--type=merge', '-p', '{"spec":{"timeZone":"Mars/Base"}}']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /The CronJob "zoned" is invalid: spec.timeZone: Invalid value: "Mars\/Base": unknown time zone Mars\/Base/);
});
