/** Where a new entity goes: its space (default: the engine's default space) and its `updatedAt`. */
export interface NewEntityOptions {
  readonly space?: string;
  readonly now?: number;
}

/** One id for a new entity, used as its key and its `id`. */
export function newEntityId(prefix: string): string {
  return `${prefix}-${globalThis.crypto.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`}`;
}
