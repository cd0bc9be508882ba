export * from "./create-enrolment";
export * from "./eligibility";
export * from "./guard";
export * from "./photos";
