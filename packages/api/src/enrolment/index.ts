export { checkEnrolment, ENROLMENT_PHOTO_CONTEXT, type EnrolmentRefusal } from "./eligibility";
