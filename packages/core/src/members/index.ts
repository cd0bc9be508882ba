// Members of an organisation and their invitations (issue #16.1-2), one file per area of use.
export * from "./accept-invitation";
export * from "./fields";
export * from "./invitations";
export * from "./list-members";
export * from "./manage-members";
export * from "./tokens";
