import { sql } from "drizzle-orm";
import { check, index, integer, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { users } from "./auth";
import { createdAt } from "./columns";
import { organizations } from "./organizations";

// Which camera addresses the hub may connect to (packages/network reads these). A camera URL must
// fall inside one of its organisation's networks; reserved ranges (loopback, link-local, metadata,
// multicast…) stay refused even there unless the installation lists an exception for them.

const portRange = (table: { portFrom: unknown; portTo: unknown }, name: string) =>
  check(
    name,
    sql`(${table.portFrom} is null and ${table.portTo} is null) or (${table.portFrom} between 1 and 65535 and ${table.portTo} between ${table.portFrom} and 65535)`,
  );

/** An organisation's camera network: a CIDR block, optionally only some ports. Owners edit it. */
export const cameraNetworks = pgTable(
  "camera_networks",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    /** Canonical CIDR, e.g. 10.20.0.0/16 or 2001:db8::/32. */
    cidr: text().notNull(),
    /** Inclusive port range; both null means any port. */
    portFrom: integer(),
    portTo: integer(),
    note: text(),
    createdBy: text().references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (table) => [
    index().on(table.orgId),
    uniqueIndex("camera_networks_org_cidr_ports_unique").on(
      table.orgId,
      table.cidr,
      sql`coalesce(${table.portFrom}, 0)`,
      sql`coalesce(${table.portTo}, 0)`,
    ),
    portRange(table, "camera_networks_port_range"),
  ],
);

/** A platform admin's allowance for an otherwise reserved range (the demo's simulator on 127.0.0.1). */
export const installationNetworkExceptions = pgTable(
  "installation_network_exceptions",
  {
    id: uuid().primaryKey().defaultRandom(),
    cidr: text().notNull(),
    portFrom: integer(),
    portTo: integer(),
    reason: text().notNull(),
    createdBy: text().references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (table) => [
    uniqueIndex("installation_network_exceptions_cidr_ports_unique").on(
      table.cidr,
      sql`coalesce(${table.portFrom}, 0)`,
      sql`coalesce(${table.portTo}, 0)`,
    ),
    portRange(table, "installation_network_exceptions_port_range"),
  ],
);
