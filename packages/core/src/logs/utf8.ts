// biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range, control characters included
const NON_ASCII = /[^\x00-\x7f]/;

/** True when every character of `text` is ASCII (one byte in UTF-8). */
export function isAscii(text: string): boolean {
  return !NON_ASCII.test(text);
}

/** Bytes `text` takes in UTF-8, without encoding it (SQS limits count bytes, not characters). */
export function utf8Length(text: string): number {
  // Log lines are mostly ASCII: the regex finds the first other character far faster than a loop.
  const first = text.search(NON_ASCII);
  if (first < 0) return text.length;
  let bytes = text.length;
  for (let i = first; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) bytes += 1;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      // A surrogate pair: 2 UTF-16 units, 4 bytes.
      bytes += 2;
      i++;
    } else bytes += 2;
  }
  return bytes;
}
