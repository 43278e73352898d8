// Every controller the manager can start, one descriptors list per component folder. A name from
// names.ts that no descriptor provides is accepted by --controllers and reported as not implemented.
import type { ControllerDescriptor } from './context.js';
import { descriptors as replicaset } from '../replicaset/descriptor.js';
import { descriptors as deployment } from '../deployment/descriptor.js';
import { descriptors as statefulset } from '../statefulset/descriptor.js';
import { descriptors as daemonset } from '../daemonset/descriptor.js';
import { descriptors as job } from '../job/descriptor.js';
import { descriptors as garbagecollector } from '../garbagecollector/descriptor.js';
import { descriptors as endpoint } from '../endpoint/descriptor.js';
import { descriptors as nodelifecycle } from '../nodelifecycle/descriptor.js';
import { descriptors as disruption } from '../disruption/descriptor.js';
import { descriptors as namespace } from '../namespace/descriptor.js';
import { descriptors as serviceaccount } from '../serviceaccount/descriptor.js';
import { descriptors as rootcacert } from '../rootcacert/descriptor.js';
import { descriptors as csrsigning } from '../csrsigning/descriptor.js';
import { descriptors as misc } from '../misc/descriptor.js';
import { descriptors as hpa } from '../hpa/descriptor.js';

export const DESCRIPTORS: ControllerDescriptor[] = [
  ...replicaset, ...deployment, ...statefulset, ...daemonset, ...job, ...garbagecollector, ...endpoint,
  ...nodelifecycle, ...disruption, ...namespace, ...serviceaccount, ...rootcacert, ...csrsigning, ...misc, ...hpa,
];
