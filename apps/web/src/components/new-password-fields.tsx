import { PASSWORD_LIMITS } from "./password-problem";
import { Field, Input } from "./ui";

/**
 * A new password typed twice (fields `newPassword` and `confirmPassword`), as every form that sets
 * one asks for it: invitations, reset links, the profile.
 */
export function NewPasswordFields({
  newLabel,
  confirmLabel,
  hint,
  autoFocus,
}: {
  newLabel: string;
  confirmLabel: string;
  hint: string;
  autoFocus?: boolean;
}) {
  return (
    <>
      <Field id="newPassword" label={newLabel} hint={hint}>
        <Input
          id="newPassword"
          name="newPassword"
          type="password"
          autoComplete="new-password"
          required
          minLength={PASSWORD_LIMITS.min}
          maxLength={PASSWORD_LIMITS.max}
          autoFocus={autoFocus}
        />
      </Field>
      <Field id="confirmPassword" label={confirmLabel}>
        <Input
          id="confirmPassword"
          name="confirmPassword"
          type="password"
          autoComplete="new-password"
          required
          maxLength={PASSWORD_LIMITS.max}
        />
      </Field>
    </>
  );
}
