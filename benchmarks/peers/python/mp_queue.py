"""Peer: Python's multiprocessing.Queue between separate processes. Prints one JSON line of results.

  mp_queue.py throughput --message job|tick|bytes [--bytes N] --seconds S [--producers P] [--consumers C]
  mp_queue.py pingpong --seconds S
  mp_queue.py idle --seconds S
"""
import argparse
import json
import multiprocessing as mp
import os
import time

MAXSIZE = 1024
WARMUP_ROUND_TRIPS = 1000
JOB_PATH = "/var/spool/jobs/2026/11/28/job-00001.bin"  # 40 bytes, like the .NET Job's Path
STOP = None


def make_message(kind, size, sequence):
    if kind == "job":
        return (JOB_PATH, sequence)
    if kind == "tick":
        return (sequence, sequence, sequence, sequence)
    return bytes(size)


def produce(queue, go, kind, size, seconds, consumers):
    go.wait()
    deadline = time.monotonic() + seconds
    sequence = 0
    while sequence & 255 or time.monotonic() < deadline:
        queue.put(make_message(kind, size, sequence))
        sequence += 1
    for _ in range(consumers):
        queue.put(STOP)


def consume(queue, results, ready, producers):
    ready.release()
    received = 0
    stops = 0
    while stops < producers:
        if queue.get() is STOP:
            stops += 1
        else:
            received += 1
    results.put((received, time.monotonic()))


def throughput(args):
    queue = mp.Queue(MAXSIZE)
    results = mp.Queue()
    go = mp.Event()
    ready = mp.Semaphore(0)
    consumers = [mp.Process(target=consume, args=(queue, results, ready, args.producers)) for _ in range(args.consumers)]
    producers = [mp.Process(target=produce, args=(queue, go, args.message, args.bytes, args.seconds, args.consumers))
                 for _ in range(args.producers)]
    for process in consumers + producers:
        process.start()
    for _ in consumers:
        ready.acquire()
    started = time.monotonic()
    go.set()
    outcomes = [results.get() for _ in consumers]
    join_all(consumers + producers)
    received = sum(count for count, _ in outcomes)
    elapsed = max(finished for _, finished in outcomes) - started
    return {"mode": "throughput", "message": args.message, "bytes": args.bytes, "producers": args.producers,
            "consumers": args.consumers, "messages": received, "seconds": elapsed, "msgs_per_sec": received / elapsed}


def pong(requests, replies):
    while True:
        message = requests.get()
        replies.put(message)
        if message is STOP:
            return


def pingpong(args):
    requests, replies = mp.Queue(MAXSIZE), mp.Queue(MAXSIZE)
    ponger = mp.Process(target=pong, args=(requests, replies))
    ponger.start()
    message = make_message("tick", 32, 0)
    for _ in range(WARMUP_ROUND_TRIPS):
        requests.put(message)
        replies.get()
    samples = []
    deadline = time.monotonic() + args.seconds
    while (started := time.perf_counter()) < deadline:
        requests.put(message)
        replies.get()
        samples.append((time.perf_counter() - started) * 1e6)
    requests.put(STOP)
    replies.get()
    join_all([ponger])
    samples.sort()
    return {"mode": "pingpong", "bytes": 32, "round_trips": len(samples), "p50_us": samples[len(samples) // 2],
            "p99_us": samples[len(samples) * 99 // 100]}


def block_on_get(queue, ready):
    ready.release()
    queue.get()


def cpu_seconds_of(pid):
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def idle(args):
    queue = mp.Queue(MAXSIZE)
    ready = mp.Semaphore(0)
    consumer = mp.Process(target=block_on_get, args=(queue, ready))
    consumer.start()
    ready.acquire()
    time.sleep(0.5)
    cpu_before = cpu_seconds_of(consumer.pid)
    started = time.monotonic()
    time.sleep(args.seconds)
    elapsed = time.monotonic() - started
    cpu = cpu_seconds_of(consumer.pid) - cpu_before
    queue.put(STOP)
    join_all([consumer])
    return {"mode": "idle", "seconds": elapsed, "cpu_percent": 100 * cpu / elapsed}


def join_all(processes):
    for process in processes:
        process.join()
        if process.exitcode != 0:
            raise SystemExit(f"mp_queue: a child process exited with {process.exitcode}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["throughput", "pingpong", "idle"])
    parser.add_argument("--message", choices=["job", "tick", "bytes"], default="job")
    parser.add_argument("--bytes", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--producers", type=int, default=1)
    parser.add_argument("--consumers", type=int, default=1)
    args = parser.parse_args()
    result = {"throughput": throughput, "pingpong": pingpong, "idle": idle}[args.mode](args)
    print(json.dumps({"peer": "python", **result}))


if __name__ == "__main__":
    main()
