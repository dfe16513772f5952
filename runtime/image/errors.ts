import { RuntError } from "../errors.ts";

/** A layer that cannot be read or would not stay inside its root: the message names the entry. */
export class LayerError extends RuntError {}

/** An image, archive or store problem a user can cause: one line naming the object. */
export class ImageError extends RuntError {}
