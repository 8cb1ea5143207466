/** A usage mistake found after parsing (a bad `model@version`, a file that is not JSON): exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
