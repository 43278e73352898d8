// Converters for served versions that are not their resource's storage version, by
// "<group>/<version>/<resource>".
import type { Converter } from './types.js';
import { eventsV1Converter } from './events.js';
import { hpaV1Converter } from './hpa.js';

export type { Converter } from './types.js';

export const converters: Record<string, Converter> = {
  'events.k8s.io/v1/events': eventsV1Converter,
  'autoscaling/v1/horizontalpodautoscalers': hpaV1Converter,
};
