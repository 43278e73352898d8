// The registry strategy for APIServices (upstream apiServerStrategy): spec.service.port defaults to
// 443, status is reset on create and a local APIService is Available at once, validation as upstream.
import type { Strategy } from '../registry/strategy.js';
import { nowTimestamp } from '../registry/store.js';
import { localAvailableCondition, setCondition, type APIService } from './apiservice.js';
import { validateAPIService } from './validation.js';

export function apiServiceStrategy(base: Strategy): Strategy {
  return {
    ...base,
    defaults(obj) {
      const svc = (obj as APIService).spec?.service;
      if (svc && svc.port === undefined) svc.port = 443;
    },
    prepareForCreate(obj) {
      const a = obj as APIService;
      a.status = {};
      if (!a.spec?.service) setCondition(a, localAvailableCondition(nowTimestamp()));
    },
    validate(obj, old) { return validateAPIService(obj as APIService, old as APIService | undefined); },
  };
}
