/**
 * Which portal message answers a failed call: what the person typed (`wrongInput`), a limit, or our
 * side. A failure of ours must not read as a wrong code: the code still holds, so trying again works.
 */
export function portalErrorKey<WrongInput extends string>(
  error: { data?: { code?: string } | null },
  wrongInput: WrongInput,
): WrongInput | "tooMany" | "codeLocked" | "serverFailed" {
  switch (error.data?.code) {
    case "BAD_REQUEST":
    case "NOT_FOUND":
      return wrongInput;
    case "TOO_MANY_REQUESTS":
      return "tooMany";
    case "FORBIDDEN":
      return "codeLocked";
    default:
      return "serverFailed";
  }
}
