import { StatusView } from "./status-view";

export default async function StatusPage({
  params,
  searchParams,
}: {
  params: Promise<{ reference: string }>;
  searchParams: Promise<{ token?: string }>;
}) {
  const [{ reference }, { token }] = await Promise.all([params, searchParams]);
  return <StatusView reference={reference} token={token ?? ""} />;
}
