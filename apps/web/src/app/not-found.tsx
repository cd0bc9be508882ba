import { LanguageSwitch } from "~/components/language-switch";
import { NotFoundPage } from "~/components/not-found-page";

export default function NotFound() {
  return (
    <main className="min-h-screen px-4">
      <div className="flex justify-end pt-4">
        <LanguageSwitch />
      </div>
      <NotFoundPage />
    </main>
  );
}
