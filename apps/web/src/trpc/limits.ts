/** Procedures one batched tRPC request may call: the server refuses more (400), the client splits. */
export const MAX_BATCH_SIZE = 10;
