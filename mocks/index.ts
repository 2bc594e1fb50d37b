// MSW handlers that run the real server core in-process land here, with the sync server.
export {};
