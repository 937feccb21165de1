using TypedIpc.Cli;

// typedipc: list, inspect, watch, purge and unlink TypedIpc queues and blobs in /dev/shm.
// Exit codes: 0 success, 1 not found, 2 bad usage, 3 a queue could not be read or removed.
return await TypedIpcCommand.RunAsync(args);
