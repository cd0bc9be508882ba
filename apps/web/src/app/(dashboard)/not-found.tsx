import { NotFoundPage } from "~/components/not-found-page";

// Inside the dashboard the shell stays, so the nav is the way on.
export default function DashboardNotFound() {
  return <NotFoundPage />;
}
