import { versionRegisteredEvent } from '../events/builders.ts';
import type { EventPublisher } from '../events/ports.ts';
import type { ModelVersion, ModelVersionDraft } from './model-version.ts';
import type { ArtifactStore, ModelRegistry } from './ports.ts';

export interface RegistrationPorts {
  artifacts: Pick<ArtifactStore, 'putModel'>;
  registry: Pick<ModelRegistry, 'register'>;
  /** Where the registration is announced; without one it is not. */
  events?: EventPublisher;
}

/**
 * Registers a model version whose bytes the caller has loaded (for the signature and notes in
 * `draft`) and whose metadata it has checked: stores the bytes under their hash, numbers the
 * version (or finds the one these bytes already have), and announces it. The announcement goes
 * out on every success, not only the first — a retry after a failed publish heals it, and the
 * event's id comes from the version, so consumers see one event.
 */
export async function registerModelVersion(ports: RegistrationPorts, bytes: Uint8Array, draft: ModelVersionDraft): Promise<{ version: ModelVersion; created: boolean }> {
  await ports.artifacts.putModel(draft.sha256, bytes);
  const registered = await ports.registry.register(draft);
  const { version } = registered;
  await ports.events?.publish(
    await versionRegisteredEvent({ model: version.model, version: version.version, sha256: version.sha256, lineage: { ...version.lineage } }, { time: version.createdAt }),
  );
  return registered;
}
