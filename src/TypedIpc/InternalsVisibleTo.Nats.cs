using System.Runtime.CompilerServices;

// TypedIpc.Nats holds a queue to the shared-memory queue's own rules rather than a copy of them: the same schema
// fingerprint (SchemaFingerprint), queue names (SharedRegion.ValidateName) and timeouts (WaitLimit).
[assembly: InternalsVisibleTo("TypedIpc.Nats")]
