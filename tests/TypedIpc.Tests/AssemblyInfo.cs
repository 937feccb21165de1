using System.Runtime.Versioning;

// TypedIpc's shared queues run on Linux today; so do its tests.
[assembly: SupportedOSPlatform("linux")]
