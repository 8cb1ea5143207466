/** Something the run cannot get past however often it is retried as is: it fails with this message. */
export class RunFailure extends Error {
  override name = 'RunFailure';
}
