/** The URL with its password replaced by ***, safe to log. */
export function maskRtspUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = "***";
    return url.toString();
  } catch {
    return "<unparseable url>";
  }
}

/**
 * A function that scrubs a URL's password out of free text (ffmpeg prints the input URL, with
 * its credentials, in its error messages).
 */
export function redactorFor(raw: string): (text: string) => string {
  const masked = maskRtspUrl(raw);
  let password = "";
  try {
    password = new URL(raw).password;
  } catch {
    // An unparseable URL is replaced whole below.
  }
  const secrets = password ? [`:${password}@`, `:${decodeURIComponentSafe(password)}@`] : [];
  return (text) => {
    let out = text.replaceAll(raw, masked);
    for (const secret of secrets) out = out.replaceAll(secret, ":***@");
    return out;
  };
}

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
