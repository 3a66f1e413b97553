/**
 * Zero-width and bidirectional control characters, which hide or reorder the text around them:
 * a branch `main\u202e…` would read as another name. Shown escaped wherever chimney shows
 * outside text to a person (the pages, the issues).
 */
const INVISIBLE = /[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** `text` with each zero-width or bidi control written as its escape, `\u202e`. */
export function visible(text: string): string {
  return text.replace(INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
