// The authoritative sync server (`startSyncServer`) lands here, over the protocol in src/protocol.
export {};
