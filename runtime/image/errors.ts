/** A layer that cannot be read or would not stay inside its root: the message names the entry. */
export class LayerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LayerError";
  }
}
