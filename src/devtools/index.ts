// The devtools panel (`<KalphiteDevtools>`) lands here; it will read only `subscribe` and `inspect()`.
export {};
