import { PortalForm } from "./portal-form";

export default function PortalPage() {
  return <PortalForm />;
}
