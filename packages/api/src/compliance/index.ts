export { loadOrganizationFacts } from "./facts";
export { snapshotChangedOrganizations, storeComplianceSnapshots } from "./snapshots";
