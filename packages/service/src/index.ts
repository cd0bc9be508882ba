// How every long-running process of Consentry starts and stops: the gateway, the ops and
// inference workers and the camera simulator CLI each call runService from their entry point.
// The web app is the exception: `next start` runs it and owns its signals; there is no custom
// server wrapper to put this in, and none should be added for it.
export {
  type LogMethod,
  runService,
  type ServiceControls,
  type ServiceLogger,
  type ServiceOptions,
  type StartedService,
} from "./run-service";
