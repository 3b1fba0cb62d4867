// Log files are labelled UTF-8 but service logs may hold any bytes (protocol.md §6.8), so never decode fatally.
const decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

export function decodeLenient(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

const isContinuation = (b: number) => (b & 0xc0) === 0x80;

/**
 * How many leading bytes are the tail of a UTF-8 sequence that started before the chunk
 * (at most 3). A range read that starts mid-character would otherwise begin with U+FFFD.
 */
export function leadingContinuationBytes(bytes: Uint8Array): number {
  let n = 0;
  while (n < 3 && n < bytes.length && isContinuation(bytes[n]!)) n++;
  return n;
}

/**
 * How many trailing bytes form a UTF-8 sequence that the chunk cuts off (0 when it ends on a
 * character boundary). Dropping them lets the next range read start on that character.
 */
export function trailingIncompleteBytes(bytes: Uint8Array): number {
  // Walk back over up to 3 continuation bytes to the lead byte, then check whether the sequence fits.
  for (let back = 1; back <= 4 && back <= bytes.length; back++) {
    const b = bytes[bytes.length - back]!;
    if (isContinuation(b)) continue;
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? back : 0;
  }
  return 0;
}

/**
 * Whether `text` takes more than `limit` bytes as UTF-8, without encoding it. Each UTF-16 unit is
 * 1–3 bytes (a surrogate pair, 2 units, is 4), so a string of length L needs between L and 3L bytes:
 * only lengths in (limit/3, limit] need counting, and counting stops as soon as the limit is passed.
 */
export function utf8LengthExceeds(text: string, limit: number): boolean {
  const length = text.length;
  if (length > limit) return true;
  if (length * 3 <= limit) return false;
  let bytes = 0;
  for (let i = 0; i < length; i++) {
    const unit = text.charCodeAt(i);
    // A surrogate half counts 2: a pair makes 4, and a lone half is encoded as U+FFFD (3), close enough.
    bytes += unit < 0x80 ? 1 : unit < 0x800 ? 2 : unit >= 0xd800 && unit <= 0xdfff ? 2 : 3;
    if (bytes > limit) return true;
  }
  return false;
}
