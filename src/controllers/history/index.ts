// ControllerRevision history shared by the statefulset and daemonset controllers.
export * from './hash.js';
export * from './history.js';
