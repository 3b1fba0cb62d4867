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
