// The "needs attention" summary of an organisation (issue #17.1): the landing page of its members.
export * from "./summary";
