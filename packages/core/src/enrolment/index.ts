export * from "./create-enrolment";
export * from "./eligibility";
