using System.Runtime.Versioning;

// The consumers run over TypedIpc's shared queues, which run on Linux today.
[assembly: SupportedOSPlatform("linux")]
