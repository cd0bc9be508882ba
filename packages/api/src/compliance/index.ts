export { loadOrganizationFacts } from "./facts";
export { addToDailyRegions, snapshotChangedOrganizations, storeComplianceSnapshots } from "./snapshots";
