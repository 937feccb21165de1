using System.Diagnostics;
using TypedIpc.Tests.Support;

namespace TypedIpc.Chaos;

/// <summary>
/// The chaos supervisor: producers and consumers run as separate processes on one queue while this process
/// SIGKILLs one of them at a random moment, restarts it, and repeats; then it stops the producers, lets the
/// consumers drain, and checks the logs (see <see cref="ChaosLedger"/>).
/// </summary>
public sealed class ChaosRun<TMessage> : IDisposable
    where TMessage : IChaosMessage<TMessage>
{
    private const int ProducerCount = 3;
    private const int ConsumerCount = 3;
    private const int MaxSize = 64;
    private static readonly TimeSpan SettleTime = TimeSpan.FromMilliseconds(150);
    private const int FreezeAttempts = 20;
    private static readonly TimeSpan StateTimeout = TimeSpan.FromSeconds(30);

    private readonly int _kills;
    private readonly Random _random;
    private readonly RunDirectory _run;
    private readonly ControlBlock _control;
    private readonly string _queueName = $"typedipc-chaos.{Guid.NewGuid():N}";
    private readonly SharedQueue<TMessage> _queue;
    private readonly Child[] _producers = new Child[ProducerCount];
    private readonly Child[] _consumers = new Child[ConsumerCount];
    private readonly List<Child> _allProducers = [];
    private readonly List<Child> _allConsumers = [];
    private readonly List<Child> _openers = [];
    private readonly Dictionary<Scenario, int> _killsBy = Enum.GetValues<Scenario>().ToDictionary(s => s, _ => 0);
    private int _creatorsDoneBeforeTheKill;
    private int _leftoverFiles;
    private readonly List<FlowInterval> _flowing = [];
    private readonly List<RunEvent> _events = [];
    private readonly List<string> _failures = [];
    private long _flowingSince;
    private int _killCount;

    public ChaosRun(int kills, int seed, bool keepFiles)
    {
        _kills = kills;
        _random = new Random(seed);
        _run = RunDirectory.Create(keepFiles);
        _control = ControlBlock.Open(_run.ControlFile);
        _queue = SharedQueue<TMessage>.Open(_queueName, MaxSize, TMessage.QueueOptions);
    }

    private string QueuePath => $"/dev/shm/typedipc.{_queueName}";

    /// <summary>Where a victim is when it is killed.</summary>
    private enum Scenario
    {
        Running,
        JustStarted,
        BlockedInGet,
        BlockedInPut,
        Creating,
    }

    /// <summary>Runs the kills and the final check; returns the process exit code (0 = every invariant held).</summary>
    public int Run()
    {
        Console.WriteLine($"chaos: {_kills} kills, {ProducerCount} producers, {ConsumerCount} consumers, maxsize {MaxSize}, queue {_queueName}");
        long started = Stopwatch.GetTimestamp();
        for (int i = 0; i < ProducerCount; i++)
        {
            _producers[i] = StartProducer();
        }

        for (int i = 0; i < ConsumerCount; i++)
        {
            _consumers[i] = StartConsumer();
        }

        WaitUntil(() => _allConsumers.All(c => new FileInfo(_run.ConsumerLog(c.Incarnation)) is { Exists: true, Length: > 0 }), "every consumer got a message");
        _flowingSince = Stopwatch.GetTimestamp();
        for (int round = 0; _killCount < _kills; round++)
        {
            KillOnce(ScenarioFor(round));
            FailOnChildrenThatExitedByThemselves();
        }

        _flowing.Add(new FlowInterval(_flowingSince, Stopwatch.GetTimestamp()));
        StopAndDrain();
        int depth = _queue.Count;
        ChaosVerdict verdict = ChaosLedger.Check(_run, _allProducers, _allConsumers, _flowing);
        RemoveQueueAndFailOnLeftovers();
        Report(verdict, depth, Stopwatch.GetElapsedTime(started));
        return _failures.Count == 0 && verdict.Failures.Count == 0 && depth == 0 ? 0 : 1;
    }

    public void Dispose()
    {
        foreach (Child child in _allProducers.Concat(_allConsumers).Concat(_openers))
        {
            child.Dispose();
        }

        _queue.Dispose();
        if (File.Exists(QueuePath))
        {
            SharedQueue<TMessage>.Unlink(_queueName);
        }

        _control.Dispose();
        _run.Dispose();
    }

    private static Scenario ScenarioFor(int round) => (round % 8) switch
    {
        4 => Scenario.JustStarted,
        5 => Scenario.BlockedInGet,
        6 => Scenario.BlockedInPut,
        7 => Scenario.Creating,
        _ => Scenario.Running,
    };

    private void KillOnce(Scenario scenario)
    {
        switch (scenario)
        {
            case Scenario.Running:
                KillRunning(RandomSlot());
                break;
            case Scenario.JustStarted:
                (Child[] Slots, int Index) restarted = RandomSlot();
                KillRunning(restarted);
                Thread.Sleep(_random.Next(0, 200));
                KillAndRestart(Scenario.JustStarted, restarted);
                break;
            case Scenario.BlockedInGet:
                PauseWhile(pause: paused => _control.ProducersPaused = paused, victims: _consumers, scenario);
                break;
            case Scenario.BlockedInPut:
                PauseWhile(pause: paused => _control.ConsumersPaused = paused, victims: _producers, scenario);
                break;
            case Scenario.Creating:
                KillDuringCreation();
                break;
        }
    }

    private (Child[] Slots, int Index) RandomSlot()
    {
        int pick = _random.Next(ProducerCount + ConsumerCount);
        return pick < ProducerCount ? (_producers, pick) : (_consumers, pick - ProducerCount);
    }

    // A restarted process needs a moment to start the runtime and open the queue: a "running" kill waits until the
    // victim has the queue mapped, then lets it work for a random while.
    private void KillRunning((Child[] Slots, int Index) slot)
    {
        Child victim = slot.Slots[slot.Index];
        WaitUntil(() => victim.HasExited || KernelWait.Maps(victim.Id, QueuePath), $"{victim} opened the queue");
        Thread.Sleep(_random.Next(20, 250));
        KillAndRestart(Scenario.Running, slot);
    }

    // Kills the victim only in the state its scenario names, checked in /proc just before the kill: asleep on the
    // queue's futex for the blocked scenarios, attached to the queue for a running one, alive for every one. A victim
    // that exited before the kill died on its own: a failure, and no kill is counted.
    private void KillAndRestart(Scenario scenario, (Child[] Slots, int Index) slot)
    {
        Child victim = slot.Slots[slot.Index];
        if (scenario is Scenario.BlockedInGet or Scenario.BlockedInPut)
        {
            FreezeAsleep(victim, scenario);
        }

        string? notInScenario = scenario switch
        {
            _ when victim.HasExited || !KernelWait.IsAlive(victim.Id) => "it had already exited",
            Scenario.BlockedInGet or Scenario.BlockedInPut when !KernelWait.IsAsleepOnFutexIn(victim.Id, victim.Id, QueuePath) =>
                "it was not asleep on the queue's futex",
            Scenario.Running when !KernelWait.Maps(victim.Id, QueuePath) => "it did not have the queue open",
            _ => null,
        };
        if (notInScenario is not null)
        {
            _failures.Add($"{victim} was to be killed {scenario}, but {notInScenario}" +
                          (victim.HasExited ? $" by itself with code {victim.ExitCode}; its error is printed above." : "."));
            ReplaceIfExited(slot);
            return;
        }

        long killedAt = victim.Kill();
        _killCount++;
        _killsBy[scenario]++;
        _events.Add(new RunEvent(killedAt, $"killed {victim} ({scenario})"));
        slot.Slots[slot.Index] = victim.Role == ChildRoles.Producer ? StartProducer() : StartConsumer();
    }

    // A sleeper's sleeps are bounded (it re-checks the queue now and then): freeze it, and if the freeze caught it
    // awake, let it go back to sleep and try again, so that the state checked is the state it dies in.
    private void FreezeAsleep(Child victim, Scenario scenario)
    {
        for (int attempt = 0; attempt < FreezeAttempts && !victim.HasExited; attempt++)
        {
            victim.Freeze();
            if (KernelWait.IsAsleepOnFutexIn(victim.Id, victim.Id, QueuePath))
            {
                return;
            }

            victim.Thaw();
            WaitUntil(() => victim.HasExited || KernelWait.IsAsleepOnFutexIn(victim.Id, victim.Id, QueuePath),
                $"{victim} sleeps on the queue's futex again ({scenario})");
        }
    }

    // Stops one side so that the other blocks (in Get on an empty queue, or in Put on a full one), waits until a
    // victim of that other side sleeps on the queue's futex, kills it, restarts it, and lets the stopped side go on.
    private void PauseWhile(Action<bool> pause, Child[] victims, Scenario scenario)
    {
        long pausedAt = Stopwatch.GetTimestamp();
        _flowing.Add(new FlowInterval(_flowingSince, pausedAt));
        pause(true);
        (Child[] Slots, int Index) slot = (victims, _random.Next(victims.Length));
        Child victim = victims[slot.Index];
        WaitUntil(() => victim.HasExited || KernelWait.IsAsleepOnFutexIn(victim.Id, victim.Id, QueuePath),
            $"{victim} sleeps on the queue's futex ({scenario})");
        KillAndRestart(scenario, slot);
        Thread.Sleep(SettleTime);
        pause(false);
        _flowingSince = Stopwatch.GetTimestamp();
        _events.Add(new RunEvent(_flowingSince, $"resumed after {scenario}"));
    }

    // Two processes open a queue that does not exist yet; one is killed at a random moment of its start, Open or
    // creation. The other must finish, and the queue must hold only intact messages.
    private void KillDuringCreation()
    {
        string sideQueue = $"{_queueName}.open{_killCount}";
        Child victim = StartOpener(sideQueue);
        Child survivor = StartOpener(sideQueue);
        try
        {
            Thread.Sleep(_random.Next(0, 300));
            if (victim.HasExited)
            {
                // Finished its Open and Put before the kill: not a kill during creation. One that failed died on its own.
                if (victim.ExitCode == 0)
                {
                    _creatorsDoneBeforeTheKill++;
                }
                else
                {
                    _failures.Add($"{victim} exited by itself with code {victim.ExitCode} while creating {sideQueue}; its error is printed above.");
                }

                return;
            }

            _events.Add(new RunEvent(victim.Kill(), $"killed {victim} (Creating)"));
            _killCount++;
            _killsBy[Scenario.Creating]++;
            if (!survivor.WaitForExit(StateTimeout) || survivor.ExitCode != 0)
            {
                _failures.Add($"{survivor} did not open and put within {StateTimeout.TotalSeconds:0} s after {victim} was killed during its start.");
                return;
            }

            RequireOnlyIntactMessages(sideQueue, victim);
        }
        finally
        {
            survivor.WaitForExit(StateTimeout);
            File.Delete($"/dev/shm/typedipc.{sideQueue}");
            foreach (string orphan in Directory.EnumerateFiles("/dev/shm", $".typedipc.{sideQueue}.*"))
            {
                _leftoverFiles++;
                _failures.Add($"{orphan} was left behind after {victim} was killed while creating {sideQueue}.");
                File.Delete(orphan);
            }
        }
    }

    private void RequireOnlyIntactMessages(string sideQueue, Child victim)
    {
        using var queue = SharedQueue<TMessage>.Open(sideQueue, MaxSize, TMessage.QueueOptions);
        int messages = 0;
        while (queue.TryGet(out TMessage? message))
        {
            messages++;
            if (!message.IsIntact())
            {
                _failures.Add($"queue {sideQueue} held a damaged message after {victim} was killed while creating it.");
            }
        }

        if (messages is < 1 or > 2)
        {
            _failures.Add($"queue {sideQueue} held {messages} messages after two openers (one killed), expected 1 or 2.");
        }
    }

    private void StopAndDrain()
    {
        _control.Stopping = true;
        foreach (Child producer in _producers)
        {
            RequireCleanExit(producer, "stop after the stop flag was set");
        }

        for (int i = 0; i < ConsumerCount; i++)
        {
            _queue.Put(TMessage.Stop, timeout: StateTimeout);
        }

        foreach (Child consumer in _consumers)
        {
            RequireCleanExit(consumer, "drain the queue and take its stop message");
        }
    }

    private void RequireCleanExit(Child child, string what)
    {
        if (!child.WaitForExit(StateTimeout))
        {
            _failures.Add($"{child} did not {what} within {StateTimeout.TotalSeconds:0} s: it hangs.");
        }
        else if (child.ExitCode != 0)
        {
            _failures.Add($"{child} failed (exit code {child.ExitCode}) instead of finishing; its error is printed above.");
        }
    }

    private void FailOnChildrenThatExitedByThemselves()
    {
        foreach (Child[] slots in new[] { _producers, _consumers })
        {
            for (int i = 0; i < slots.Length; i++)
            {
                if (slots[i].HasExited)
                {
                    _failures.Add($"{slots[i]} exited by itself with code {slots[i].ExitCode}; its error is printed above.");
                    ReplaceIfExited((slots, i));
                }
            }
        }
    }

    private void ReplaceIfExited((Child[] Slots, int Index) slot)
    {
        if (slot.Slots[slot.Index].HasExited)
        {
            slot.Slots[slot.Index] = slot.Slots == _producers ? StartProducer() : StartConsumer();
        }
    }

    // The run's own queue is the only file it may leave in /dev/shm, and only until this removes it: every
    // creation file of a killed creator must have been cleaned up by the runtime.
    private void RemoveQueueAndFailOnLeftovers()
    {
        _queue.Dispose();
        SharedQueue<TMessage>.Unlink(_queueName);
        List<string> leftovers = LeftoverFiles.RemoveAll(_queueName);
        _leftoverFiles += leftovers.Count;
        _failures.AddRange(leftovers);
    }

    private Child StartProducer()
    {
        int id = _allProducers.Count;
        var child = Child.Start<TMessage>(ChildRoles.Producer, id, _queueName, $"{MaxSize}", _run.Path, $"{id}");
        _allProducers.Add(child);
        return child;
    }

    private Child StartConsumer()
    {
        int id = _allConsumers.Count;
        var child = Child.Start<TMessage>(ChildRoles.Consumer, id, _queueName, $"{MaxSize}", _run.Path, $"{id}");
        _allConsumers.Add(child);
        return child;
    }

    private Child StartOpener(string queueName)
    {
        var child = Child.Start<TMessage>(ChildRoles.Opener, _openers.Count, queueName, $"{MaxSize}");
        _openers.Add(child);
        return child;
    }

    private static void WaitUntil(Func<bool> condition, string what)
    {
        long deadline = Stopwatch.GetTimestamp() + (long)(StateTimeout.TotalSeconds * Stopwatch.Frequency);
        while (!condition())
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"gave up waiting until {what} ({StateTimeout.TotalSeconds:0} s): the queue is stuck, or a victim never reached its scenario's state.");
            }

            Thread.Sleep(1);
        }
    }

    private void Report(ChaosVerdict verdict, int depth, TimeSpan elapsed)
    {
        string kills = string.Join(", ", _killsBy.Select(k => $"{k.Key} {k.Value}"));
        int lastBeforeStall = _events.FindLastIndex(e => e.Timestamp <= verdict.WorstStallStart);
        RunEvent? before = lastBeforeStall >= 0 ? _events[lastBeforeStall] : null;
        Console.WriteLine($"kills:       {_killCount} ({kills}) in {elapsed.TotalSeconds:0.0} s, each in its scenario's state " +
                          $"as seen in /proc at the kill; {_creatorsDoneBeforeTheKill} creators finished before their kill and were not counted");
        Console.WriteLine($"messages:    {verdict.Put:N0} put (Put returned), {verdict.Delivered:N0} delivered, {verdict.InFlightDelivered} in-flight puts of killed producers delivered");
        Console.WriteLine($"lost:        {verdict.Lost} (allowed {verdict.LossAllowance}: one in-flight message per killed consumer)");
        Console.WriteLine($"duplicated:  {verdict.Duplicated}");
        Console.WriteLine($"corrupted:   {verdict.Corrupted}; never put: {verdict.NeverPut}; out of producer order: {verdict.OutOfOrder}");
        Console.WriteLine($"worst stall: {verdict.WorstStall.TotalMilliseconds:0.0} ms without any delivery while producers and consumers ran (limit {ChaosLedger.StallLimit.TotalMilliseconds:0} ms)" +
                          (before is null ? "" : $"; last event before it: {before.Value.What}"));
        Console.WriteLine($"end:         queue depth {depth}; files left in /dev/shm: {_leftoverFiles}");
        foreach (string failure in _failures.Concat(verdict.Failures))
        {
            Console.WriteLine($"FAIL: {failure}");
        }

        if (depth != 0)
        {
            Console.WriteLine($"FAIL: the queue still holds {depth} items after every consumer took its stop message.");
        }

        Console.WriteLine(_failures.Count == 0 && verdict.Failures.Count == 0 && depth == 0 ? "chaos: PASS" : "chaos: FAIL");
    }
}

/// <summary>A stretch of time in which neither side was paused: deliveries must keep coming.</summary>
public readonly record struct FlowInterval(long Start, long End);

/// <summary>Something the supervisor did, for locating the worst stall.</summary>
public readonly record struct RunEvent(long Timestamp, string What);
