/**
 * A client's id on the wire in a space. After the space was lost `generation` times, the space is a
 * new client group and its clients new clients: the server still holds the old ids' mutation ids.
 */
export function wireClientId(clientId: string, generation: number): string {
  return generation === 0 ? clientId : `${clientId}~${generation}`;
}

/** The local client id behind a wire id of this generation (another generation's is kept as it is). */
export function localClientId(wireId: string, generation: number): string {
  const suffix = `~${generation}`;
  return generation > 0 && wireId.endsWith(suffix) ? wireId.slice(0, -suffix.length) : wireId;
}

/** A per-client record from the wire (acknowledged mutation ids) with local client ids. */
export function localClients<T>(record: Readonly<Record<string, T>>, generation: number): Record<string, T> {
  if (generation === 0) return { ...record };
  return Object.fromEntries(Object.entries(record).map(([wireId, value]) => [localClientId(wireId, generation), value]));
}
