using System.Runtime.CompilerServices;

// TypedIpc.Nats stores the same schema fingerprint (Internal.SchemaFingerprint) as the shared-memory queue, so that
// a message type is identified the same way on every backend.
[assembly: InternalsVisibleTo("TypedIpc.Nats")]
