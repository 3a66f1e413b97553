/** A page rendered when its data changed, kept with its ETag and served as it is: one read. */
export interface PublishedPage {
  html: string;
  /** A strong validator of `html`, quoted as the ETag header carries it. */
  etag: string;
  rendered_at: string;
}
