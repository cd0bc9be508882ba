import { randomInt } from "node:crypto";

// No 0/O, 1/I/L: codes are read off signs and typed on phones.
const CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

export function randomCode(length: number): string {
  let code = "";
  for (let i = 0; i < length; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return code;
}

/** Public site code printed on signs, e.g. "S-7KQ2MX". */
export const newSiteCode = () => `S-${randomCode(6)}`;
