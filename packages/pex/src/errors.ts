/**
 * Base class of every error @pexkit/pex throws on purpose. Subclasses carry the
 * file, package, platform or option at fault in their message, so a user can act.
 */
export class PexkitError extends Error {
  override readonly name: string = 'PexkitError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A command-line option or library option has a bad value. */
export class UsageError extends PexkitError {
  override readonly name = 'UsageError';
}
