// Alerts (issue #17.2): members' notifications (the bell and mail, as each chooses) and the mail
// that tells data subjects what became of their requests.
export { createMailer } from "@consentry/mail";
export * from "./camera";
export * from "./inbox";
export * from "./kinds";
export * from "./mail";
export * from "./notify";
export * from "./preferences";
export * from "./purge";
export * from "./request-events";
export * from "./sweep";
