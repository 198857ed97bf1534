// The health gate's rules, sorted by id. `npm run new-rule` rewrites this list; the registry test checks it.
import { rule as dependencyCheckWithoutTimeout } from './dependency-check-without-timeout.js';
import { rule as dependsOnWithoutHealthcheck } from './depends-on-without-healthcheck.js';
import { rule as gracefulShutdown } from './graceful-shutdown.js';
import { rule as healthcheckInBuildStage } from './healthcheck-in-build-stage.js';
import { rule as healthcheckToolMissing } from './healthcheck-tool-missing.js';
import { rule as identicalProbes } from './identical-probes.js';
import { rule as leakedTimeoutTimer } from './leaked-timeout-timer.js';
import { rule as livenessChecksDependencies } from './liveness-checks-dependencies.js';
import { rule as metricsOnPublicPort } from './metrics-on-public-port.js';
import { rule as probePathConvention } from './probe-path-convention.js';
import { rule as probeTargetUnserved } from './probe-target-unserved.js';
import { rule as probeTiming } from './probe-timing.js';
import { rule as readinessChecksNothing } from './readiness-checks-nothing.js';
import { rule as readinessProbeMissing } from './readiness-probe-missing.js';
import { rule as startupProbeMissing } from './startup-probe-missing.js';
import { rule as statusIgnoresCheck } from './status-ignores-check.js';

export const rules = [
  dependencyCheckWithoutTimeout,
  dependsOnWithoutHealthcheck,
  gracefulShutdown,
  healthcheckInBuildStage,
  healthcheckToolMissing,
  identicalProbes,
  leakedTimeoutTimer,
  livenessChecksDependencies,
  metricsOnPublicPort,
  probePathConvention,
  probeTargetUnserved,
  probeTiming,
  readinessChecksNothing,
  readinessProbeMissing,
  startupProbeMissing,
  statusIgnoresCheck,
];
